// Package bench measures credbed's performance in one process and one run:
// the per-registration cryptography alone on every core (the crypto floor),
// initial registrations and full provisioning lifecycles through a testbed
// (any Registrar or Lifecycler), user-plane packets through a real UPF, the
// heap cost of an idle registered UE, and registration latency percentiles.
// `credbed bench` is its command line.
//
// Load comes from a fixed pool of workers paced by a token bucket on an
// injected clock (arrival rate, burst and linear ramp); latencies go into a
// log-linear histogram of bounded size. Nothing here runs per UE.
//
// The crypto floor set follows one initial registration: SUCI Profile A
// concealment and de-concealment (TS 33.501 §6.12, C.3), MILENAGE vector
// generation and AUTN check (TS 33.102 §6.3, TS 35.206), the 5G key chain
// RES*/XRES*, HRES*/HXRES*, KAUSF, KSEAF, KAMF, NAS keys, KgNB (TS 33.501
// §6.1.3.2, Annex A), and NAS protection and verification of six messages
// with 128-NEA2/128-NIA2 (TS 33.501 §6.4.3, §6.4.4, D.2, D.3).
//
// Usage:
//
//	res, err := bench.Run(ctx, bench.Options{UEs: 10000, Concurrency: 64}, bench.TestbedTargets())
//	err = res.WriteTable(os.Stdout) // or json.Marshal(res)
//
// Any system can be measured through the Registrar and Lifecycler
// interfaces; CryptoFloor, UPFPackets, Registrations, Lifecycles and RunLoad
// are usable on their own.
package bench
