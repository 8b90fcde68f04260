// Package provproto is the wire protocol between a provisioning device (PD)
// and the Credential Provisioning Function (CPF), shared by the CPF's profile
// APIs and the PD role: JSON messages (provision, confirm, deprovision,
// status, problem) and their protection. It is a codec: no IO, no clock, no
// net/http.
//
// References: TR 33.899 KI #12.2 (R2, R3), TS 33.535 §6.1 and Annex A.4
// (K_AF from K_AKMA, the A-KID), TS 29.500 §5.2.7 (ProblemDetails),
// RFC 2104 (HMAC), RFC 9110 §11 (Authorization), RFC 7615
// (Authentication-Info), 3gpp.md §5.4 items 4-6 and §6.2/§6.3 (threats
// N1-N6, X1-X9).
//
// # Resources (relative to a profile's root, e.g. "http://10.100.0.1/cpf/secure")
//
//	POST   /v1/targets                 ProvisionRequest  -> 201 ProvisionResponse
//	GET    /v1/targets/{supi}                            -> 200 TargetStatus
//	POST   /v1/targets/{supi}/confirm  ConfirmRequest    -> 200 TargetStatus
//	DELETE /v1/targets/{supi}                            -> 200 TargetStatus (state "removed")
//
// Bodies are application/json, decoded strictly (unknown members, trailing
// data, wrong types and oversize bodies are errors). Binary members are
// standard base64 (Go's []byte JSON form); times are RFC 3339. Refusals are
// application/problem+json ProblemDetails {title, status, cause, detail}.
//
// # Secure protection (profile "secure")
//
// Every request carries
//
//	Authorization: AKMA akid="<A-KID>", ctr="<counter>", mac="<base64url(MAC)>"
//
// where the counter is the PD's, strictly greater than the last one the CPF
// accepted from that PD (any request kind), and
//
//	MAC = HMAC-SHA-256(K_AF, "credbed-cpf-req-v1" || 0x00 ||
//	      len16(method) || method || len16(path) || path ||
//	      len16(A-KID) || A-KID || counter (8, big endian) || SHA-256(body))
//
// with path the request target as sent (path and "?query" when present).
// K_AF is the AKMA application key for the CPF's AF_ID (TS 33.535 A.4); the
// CPF obtains it, and the PD's SUPI, from the AAnF with the A-KID. Every
// response to an authenticated request carries
//
//	Authentication-Info: mac="<base64url(RMAC)>"
//	RMAC = HMAC-SHA-256(K_AF, "credbed-cpf-rsp-v1" || 0x00 || status (2) ||
//	       request MAC (32) || len16(A-KID) || A-KID || counter (8) || SHA-256(body))
//
// so the PD knows the answer (success or refusal) comes from the CPF and
// answers this very request. Refusals issued before the PD is authenticated
// (401, 429) carry no MAC.
//
// # Baseline form (profile "baseline")
//
// No MAC, no counter: the PD claims its identity with
//
//	Pd-Identity: <PD SUPI>
//
// and generates K and OPc itself (BaselineProvisionRequest).
//
// # Lying on purpose
//
// SignRequest takes EncodeOptions: the attack library sends a wrong MAC, a
// counter or an A-KID other than the signed one through the same encoder.
package provproto
