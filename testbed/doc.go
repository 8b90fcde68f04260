// Package testbed assembles a whole emulated 5G system — NRF, UDR, UDM,
// AUSF, AAnF, AMF, SMF, UPF, the data network with the CPF, gNBs and UEs —
// from a Topology, over the mem or net transport, with one trace recorder,
// one clock and an optional capture. Several independent beds can live in
// one process.
//
// Usage:
//
//	bed, err := testbed.New(ctx, testbed.Topology{Mode: "mem", Subscribers: subs})
//	defer bed.Close()
//	u, err := bed.NewUE(subs[0])
//	res, err := u.Register(ctx)
package testbed
