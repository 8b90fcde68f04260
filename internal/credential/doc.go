// Package credential is the 3GPP credential a target device (TD) installs
// during remote provisioning (TR 33.899 KI #12.2, R1/R2): the Package (SUPI,
// K, OPc, AMF, SQN, home network SUCI keys, routing indicator, PLMN and the
// binding), its deterministic TLV encoding, its sealing to the TD's bootstrap
// public key (ECIES: P-256 ECDH, HKDF-SHA-256, AES-256-GCM) so that the
// provisioning device cannot read K, the TD's factory bootstrap identity and
// its DPP-style QR/NFC URI, and the proof of possession the network checks.
//
// References: TS 33.501 §6.1.3.2 and Annex C (SUCI keys and schemes), TS 35.206
// (K, OPc, AMF, SQN), Wi-Fi Easy Connect (DPP) §5.2.1 bootstrapping URI and
// key hash, SEC 1 / RFC 5869 / NIST SP 800-38D for the ECIES construction.
//
// # Sealed blob layout (version 1)
//
//	offset  size  field
//	0       1     version (1)
//	1       1     suite (1 = P-256 ECDH, HKDF-SHA-256, AES-256-GCM)
//	2       8     recipient key id = first 8 bytes of KeyHash(TD bootstrap key)
//	10      65    ephemeral public key, uncompressed SEC 1 point
//	75      n+16  AES-256-GCM(encoded Package) with its 16-byte tag
//
// key||nonce = HKDF-SHA-256(ikm = ECDH(e, B_T).x, salt = ephemeral ||
// B_T uncompressed, info = "credbed credential seal v1", 44 bytes); the GCM
// associated data is bytes 0..74 followed by the caller's AAD (SealAAD binds
// the target device id and the hash of its bootstrap key).
//
// # Usage
//
//	id, _ := credential.NewIdentity(rand, "td-0001")           // factory
//	qr := id.Bootstrap().URI()                                 // "DPP:I:td-0001;K:...;;"
//	b, _ := credential.ParseURI(qr)                            // PD / CPF
//	blob, _ := credential.Seal(rand, b.Key, credential.SealAAD(b.DeviceID, b.Hash()), pkg)
//	pkg, err := credential.Open(id.Key, credential.SealAAD(id.DeviceID, id.Bootstrap().Hash()), blob)
package credential
