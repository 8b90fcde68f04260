// Package profiletest wires the network side of provisioning for tests and
// benchmarks: a real NRF, UDR, AAnF and CPF on an in-memory transport
// network with a fake clock, the built-in profiles mounted, and test
// doubles of the provisioning device (PD: AKMA keys derived as the UE
// would, an HTTP client on the mem network, a persistent counter, a
// direct-link initiator) and of the target device (TD: a bootstrap
// identity and a direct-link responder). It is test support, like
// net/http/httptest: production code does not import it.
//
// References: TS 33.535 §6.1 (AKMA keys at the UE and the AAnF), DESIGN
// steps 2-8.
package profiletest
