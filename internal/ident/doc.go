// Package ident holds the 5G identity value types: PLMN, SUPI, SUCI, serving
// network name, 5G-GUTI and 5G-S-TMSI, each with Parse, String and Validate,
// plus their NAS 5GS mobile identity byte forms. It does no cryptography (see
// internal/suci for SUCI concealment) and no IO.
//
// References: TS 23.003 §2.2A (SUPI), §2.2B and §28.7.3 (SUCI), §2.10 (5G-GUTI,
// 5G-S-TMSI), §28.7.2 (NAI); TS 24.008 §10.5.1.13 (PLMN BCD coding);
// TS 24.501 §9.11.3.4 (5GS mobile identity) and §9.12.1 (serving network name);
// TS 29.571 §5.3.2 (Supi and Suci string patterns).
package ident
