// Package intercept builds transport.Interceptors for attackers and faults:
// observe, drop, delay, duplicate, modify and record (for replay) the
// packets of any link, selected by Match predicates on kind, addresses,
// SBI method and path, or stream.
//
// Usage:
//
//	rec := intercept.NewRecorder(intercept.Kind(transport.N2), 0)
//	defer nw.Chain().Add("rec", rec.Interceptor())()
//	defer nw.Chain().Add("drop-auth", intercept.Drop(intercept.And(
//		intercept.Requests(), intercept.PathPrefix("/nausf-auth/v1/"))))()
//	...
//	_ = rec.Replay(ctx, nw, 0) // inject the first recorded N2 message again
//
// References: TR 33.899 KI #12.2 (threats T1-T3 are exercised by these
// capabilities), TS 29.500 §5 (SBI), TS 38.412 §7 (N2 streams), TS 29.281
// (GTP-U).
package intercept
