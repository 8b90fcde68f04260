// Package subscriber defines credbed's subscriber file (YAML, strict) and the
// subscription a UE and the UDR share: SUPI (TS 23.003 §2.2A), K and OPc
// (TS 35.206), AMF and SQN (TS 33.102 §6.3), DNNs (TS 23.003 §9.1) and
// S-NSSAIs (TS 23.003 §28.4). It validates and defaults entries, converts them
// to the TS 29.505 data the UDR serves, and generates subscribers in bulk
// from a seed, deterministically.
//
// File format:
//
//	defaults:            # optional, applied to every entry that leaves a field empty
//	  plmn: "00101"      # MCC+MNC, 5 or 6 digits
//	  amf: "8000"
//	  sqn: "000000000000"
//	  dnns: [internet]
//	  snssais: [{sst: 1}]
//	subscribers:
//	  - supi: imsi-001010000000001
//	    k: 465b5ce8b199b49faa5f0a2ee238a6bc
//	    opc: cd63cb71954a9f4e48a5994e37a02baf
//
// K and OPc never appear in String output, slog values or error messages.
package subscriber
