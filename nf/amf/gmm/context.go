package gmm

import (
	"fmt"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
)

// Context flags.
const (
	flagConnected       uint16 = 1 << iota // an N2 UE association exists
	flagSecured                            // secure exchange of NAS messages established on this connection (TS 24.501 §4.4.4.3)
	flagASContext                          // INITIAL CONTEXT SETUP sent on this connection
	flagHasGUTI                            // guti is assigned
	flagIdentitySUCI                       // the UE identified itself with a SUCI in this procedure
	flagUECM                               // Nudm_UECM registration done
	flagReRegRequired                      // the pending network de-registration asks for re-registration
	flagAuthOutstanding                    // an AUTHENTICATION REQUEST awaits its answer
	flagUEKSI                              // ueKSI holds the native ngKSI the UE signalled
)

// retransmission modes of the kept downlink message.
const (
	retxNone uint8 = iota
	retxPlain
	retxProtectCurrent
	retxProtectNew
)

// UE is the AMF's 5GMM context of one UE: a plain value the driver embeds in
// its per-UE entry (no maps, no pointers to other contexts; a few hundred
// bytes). The zero value is a fresh context in Deregistered. A UE is not
// safe for concurrent use; the driver serialises per UE.
type UE struct {
	state    State
	flags    uint16
	ngKSI    uint8 // KSI of the current (or pending) native context, 0..6; 7 none
	capLen   uint8
	cap      [8]byte // UE security capability exactly as received
	regType  uint8
	retxMode uint8
	retx     uint8 // retransmissions done for the running timer
	timer    TimerID
	timerGen uint32
	seq      uint32 // SBI request sequence; answers with another Seq are stale
	resyncs  uint8
	authRuns uint8

	supi       string
	authID     string // SUCI or SUPI sent to the AUSF
	guti       nasx.GUTI
	confirmURI string

	sec     nassec.Context // current 5G NAS security context
	newSec  nassec.Context // context being taken into use by SECURITY MODE COMMAND
	kamf    aka.Key256     // KAMF of sec
	kamfNew aka.Key256     // KAMF of newSec
	newKSI  uint8          // ngKSI of the authentication running
	ueKSI   uint8          // native ngKSI of the UE's REGISTRATION REQUEST (with flagUEKSI)

	rand  [16]byte
	hxres [16]byte

	retxPDU []byte // plain downlink message kept for retransmission
	nssai   []nasx.SNSSAI
	allowed []nasx.SNSSAI
}

func (u *UE) has(f uint16) bool { return u.flags&f != 0 }
func (u *UE) set(f uint16)      { u.flags |= f }
func (u *UE) clear(f uint16)    { u.flags &^= f }

// State returns the 5GMM state.
func (u *UE) State() State { return u.state }

// SUPI returns the SUPI once authentication has given it ("" before).
func (u *UE) SUPI() string { return u.supi }

// GUTI returns the 5G-GUTI assigned to the UE.
func (u *UE) GUTI() (nasx.GUTI, bool) { return u.guti, u.has(flagHasGUTI) }

// HasSecurityContext reports whether a current 5G NAS security context exists.
func (u *UE) HasSecurityContext() bool { return u.sec.Valid() }

// AllowedNSSAI returns the allowed NSSAI of the registration (nil before
// REGISTRATION ACCEPT); the caller must not modify it.
func (u *UE) AllowedNSSAI() []nasx.SNSSAI { return u.allowed }

// Connected reports whether the UE has an N2 connection.
func (u *UE) Connected() bool { return u.has(flagConnected) }

// Secured reports whether secure exchange of NAS messages is established on
// the current connection.
func (u *UE) Secured() bool { return u.has(flagSecured) }

// NASCounts returns the current context's next uplink and downlink COUNTs.
func (u *UE) NASCounts() (ul, dl nassec.Count) { return u.sec.Counts() }

// Algorithms returns the current context's algorithms.
func (u *UE) Algorithms() (nassec.CipheringAlg, nassec.IntegrityAlg) { return u.sec.Algorithms() }

// TimerRunning returns the running timer (TimerNone when none).
func (u *UE) TimerRunning() TimerID { return u.timer }

// String describes the context without any key.
func (u *UE) String() string {
	g := "-"
	if u.has(flagHasGUTI) {
		g = u.guti.String()
	}
	return fmt.Sprintf("ue{state=%s supi=%q guti=%s sec=%v connected=%v}", u.state, u.supi, g, u.sec.Valid(), u.Connected())
}

// Format prints String for every verb, keeping keys out of %#v.
func (u UE) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(u.String())) }

func (u *UE) ueCap() nasx.UESecurityCapability {
	if u.capLen == 0 {
		return nil
	}
	c := make(nasx.UESecurityCapability, u.capLen)
	copy(c, u.cap[:u.capLen])
	return c
}

func (u *UE) setCap(c nasx.UESecurityCapability) bool {
	if len(c) < 2 || len(c) > len(u.cap) {
		return false
	}
	u.capLen = uint8(copy(u.cap[:], c))
	return true
}

// wipe forgets everything, keys included.
func (u *UE) wipe() { *u = UE{} }

// Prior is what a new connection may take over from the context that owns
// the 5G-GUTI (or 5G-S-TMSI) the UE presented: the current NAS security
// context (with its COUNTs), KAMF, ngKSI, SUPI and GUTI. Its fields are
// unexported: keys never leave the package except as KgNB/NAS PDUs.
type Prior struct {
	handle  uint64
	supi    string
	guti    nasx.GUTI
	ngKSI   uint8
	capLen  uint8
	cap     [8]byte
	sec     nassec.Context
	kamf    aka.Key256
	allowed []nasx.SNSSAI
	uecm    bool
}

// Handle returns the driver's handle given to Export.
func (p *Prior) Handle() uint64 { return p.handle }

// Export snapshots u for a new connection presenting tmsi, when u is a
// registered context with a current security context owning that 5G-TMSI.
// handle is the driver's id of u, echoed in AdoptPrior.
func (u *UE) Export(handle uint64, tmsi uint32) (Prior, bool) {
	if (u.state != Registered && u.state != WaitRegistrationComplete) || !u.sec.Valid() ||
		!u.has(flagHasGUTI) || u.guti.TMSI != tmsi {
		return Prior{}, false
	}
	return Prior{handle: handle, supi: u.supi, guti: u.guti, ngKSI: u.ngKSI, capLen: u.capLen, cap: u.cap,
		sec: u.sec, kamf: u.kamf, allowed: append([]nasx.SNSSAI(nil), u.allowed...), uecm: u.has(flagUECM)}, true
}

// adopt takes over p: the security context with the COUNTs after the
// verified initial message (sec), keys, identities.
func (u *UE) adopt(p *Prior, sec nassec.Context) {
	u.supi, u.guti, u.ngKSI = p.supi, p.guti, p.ngKSI
	u.set(flagHasGUTI)
	if u.capLen == 0 {
		u.capLen, u.cap = p.capLen, p.cap
	}
	u.sec, u.kamf = sec, p.kamf
	u.allowed = p.allowed
	if p.uecm {
		u.set(flagUECM)
	}
	u.set(flagSecured)
}
