// Package nasx holds typed NAS-5GS messages (5GMM and 5GSM) for the AMF, the
// SMF and the emulated UEs: each message is a struct with Build (plain NAS
// bytes through the free5gc/nas encoders) and Parse turns plain NAS bytes
// into one of those structs. It does no IO and no security processing
// (internal/nassec protects and unprotects; PeekHeader only inspects).
//
// References: TS 24.501 §8 (message layouts), §9.1–§9.3 (header, EPD,
// security header type, message types), §9.11 (IEs), Annex A (causes);
// TS 24.008 §10.5.7.4/§10.5.7.4a (GPRS timers 2 and 3).
//
// Usage:
//
//	b, err := (&nasx.RegistrationRequest{
//		RegistrationType: nasx.RegistrationInitial,
//		NgKSI:            nasx.NgKSI{KSI: nasx.KSINoKey},
//		MobileIdentity:   suciBytes,
//		UESecurityCapability: nasx.NewUESecurityCapability(0xf0, 0xf0),
//	}).Build()
//	m, err := nasx.Parse(b) // m.(*nasx.RegistrationRequest)
package nasx
