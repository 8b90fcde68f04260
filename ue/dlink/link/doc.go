// Package link runs a direct-link protocol machine (package dlink) over a
// transport.Endpoint of kind transport.DL: it fragments frames to the
// medium's MTU and reassembles them, arms the machine's timer on the
// injected clock, emits the machine's trace events, and offers the medium's
// loss and range as a transport.Interceptor. All IO of the direct link lives
// here; dlink itself does none.
//
// Usage (the TD listens, the PD starts):
//
//	tdDrv, _ := link.New(td, link.Config{Medium: preset, Actor: "td"}, link.Deps{Clock: clk, Trace: rec})
//	tdEP, _ := network.Listen(transport.DL, tdAddr, tdDrv.Handler())
//	tdDrv.Attach(tdEP)
//	pdDrv, _ := link.New(pd, link.Config{Peer: tdAddr, Medium: preset, Actor: "pd"}, link.Deps{Clock: clk, Trace: rec})
//	pdEP, _ := network.Listen(transport.DL, pdAddr, pdDrv.Handler())
//	pdDrv.Attach(pdEP)
//	_ = pdDrv.Start(ctx)
//	<-pdDrv.Done()
//
// References: 3gpp.md §5.4 (D-link design), §6.1 (threats D1-D10).
package link
