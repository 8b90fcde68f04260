// Package dlink is the direct-link provisioning protocol between a
// provisioning device (PD, the Initiator) and a target device (TD, the
// Responder), in the style of Wi-Fi Easy Connect (DPP): typed frames with one
// codec, pure state machines (no IO, no goroutines, an injected clock), the
// fragment format and the medium presets (BLE, NFC, PC5, WLAN direct). The
// IO driver lives in the subpackage link.
//
// References: DESIGN reference flow step 6 and solution profiles;
// 3gpp.md §5.3 (DPP structure, k1/k2/ke, status codes), §5.4 (D-link design),
// §6.1 (threats D1-D10); Wi-Fi Easy Connect §6.3 and Appendix B (key schedule
// and test vectors); TR 33.899 KI #12.2 requirement R1.
//
// # Secure variant
//
//	PD (Initiator)                                  TD (Responder)
//	AuthRequest  {H(B_R), [H(B_I)], P_I, I-caps, AEAD_k1{I-nonce}}     ->
//	    <-  AuthResponse {status, H(B_R), [H(B_I)], P_R, R-caps,
//	                      AEAD_k2{R-nonce, I-nonce, AEAD_ke{R-auth}}}
//	AuthConfirm  {status, H(B_R), [H(B_I)], AEAD_ke{I-auth}}           ->
//	    <-  ConfigRequest {AEAD_ke{E-nonce, device id}}
//	CredentialDelivery {AEAD_ke{E-nonce, sealed credential, binding}}  ->
//	    <-  ProofOfPossession {status, AEAD_ke{E-nonce, session proof, credential proof}}
//
// k1, k2, ke, L, R-auth and I-auth follow DPP exactly (see crypto.go; checked
// against DPP Appendix B.1/B.2), with three differences, all deliberate:
//
//   - AES-GCM (standard library) replaces AES-SIV: k1 and k2 wrap with
//     AES-256-GCM, ke with the negotiated AES-128-GCM or AES-256-GCM. Nonces
//     are deterministic per (frame type, nesting depth); every key is fresh
//     per session and wraps each such pair once (retransmissions resend the
//     same bytes). As in DPP, the associated data is the header (without the
//     length) and every attribute before the wrapped one.
//   - Capabilities (role, versions, curves, ciphers) travel in clear in
//     AuthRequest/AuthResponse, are AEAD associated data, and their
//     transcript hash C is appended to the R-auth and I-auth inputs, so a
//     downgrade is detected by the key confirmation too (threat D8).
//   - Configuration carries the network's sealed credential (package
//     credential) rather than a DPP Connector, and the TD answers with a
//     proof of possession: a session MAC the PD checks and a credential MAC
//     (credential.Package.Proof, keyed by K/OPc) the PD relays to the CPF.
//
// Authentication is DPP's responder-only mode by default (the TD's QR code
// must stay private: whoever holds it can provision the TD, as in DPP); when
// ResponderConfig.Initiators lists trusted PD bootstrap keys it is mutual
// (L = b_I·(B_R+P_R) = (b_R+p_R)·B_I). The TD does the cheap checks first
// (bootstrap hash, already provisioned, trusted initiator, rate limit) and
// only then ECDH; it installs the credential in one assignment after every
// check passed (AEAD, seal, binding target and equality, expiry, counter
// strictly above the last installed one, which survives factory resets);
// once provisioned it refuses other handshakes until FactoryReset.
//
// # Baseline variant
//
// The naive protocol: one PlainCredential frame carrying the encoded package
// in clear, acknowledged by a Status frame; no authentication and no checks.
// An eavesdropper reads K (D1), anyone can take the TD over (D3, D9) and bit
// flips go unnoticed (D7).
//
// # Sizes (P-256, 16-byte nonces)
//
//	frame header 8, attribute header 4, fragment header 4, GCM tag 16
//	AuthRequest 168 (+36 with mutual authentication), AuthResponse 249 (+36),
//	AuthConfirm 105 (+36), ConfigRequest 52 + len(device id),
//	CredentialDelivery 56 + sealed + binding (357 for a 154-byte package, a
//	56-byte binding), ProofOfPossession 125, Status 13 (+4 + len(reason))
//	sealed credential = encoded package + 91; PlainCredential = 12 + package
//
// # Usage
//
//	pd, _ := dlink.NewInitiator(dlink.InitiatorConfig{Target: bootstrap, Sealed: blob, Binding: binding}, dlink.Deps{Rand: rand})
//	td, _ := dlink.NewResponder(dlink.ResponderConfig{Identity: id}, dlink.Deps{Rand: rand, Clock: clk})
//	out := pd.Start()              // out.Frames go to the TD
//	out = td.Receive(out.Frames[0]) // ... until an Output carries a Result
package dlink
