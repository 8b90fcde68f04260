// Package usim is the emulated USIM: one subscription credential (SUPI, K,
// OPc, AMF, the SQN array, the home network SUCI public key with its key id and
// protection scheme, routing indicator and PLMN) with the USIM side of 5G AKA
// (MAC-A and SQN checks, AUTS) and SUCI concealment. A USIM is a compact value
// (fixed arrays, no per-UE maps) whose slot can be empty, filled atomically and
// wiped; it never prints K or OPc. It does no IO and is not safe for
// concurrent use: its owner (the UE) serialises calls.
//
// References: TS 33.102 §6.3.3 and Annex C (AUTN check, SQN array, AUTS),
// TS 33.501 §6.1.3.2 and §6.12.2 (5G AKA at the USIM, SUCI), TS 31.102
// §7.1.2 (AUTHENTICATE), TS 23.003 §2.2B (routing indicator).
package usim
