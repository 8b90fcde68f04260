package gmm

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
)

// ErrConfig reports an unusable machine configuration.
var ErrConfig = errors.New("gmm: invalid config")

// Outcome keys of RejectCauses besides ProblemDetails causes and HTTP
// status codes ("404").
const (
	// OutcomeNFFailure: no answer, or a 5xx answer (the AUSF/UDM failed).
	OutcomeNFFailure = "NF_FAILURE"
	// OutcomeDefault: anything not listed.
	OutcomeDefault = "DEFAULT"
)

// DefaultRejectCauses is the default mapping from the AUSF/UDM outcome to the
// 5GMM cause of REGISTRATION REJECT (3gpp.md §2.8 emulator guidance):
// unknown or refused subscriber -> #3 Illegal UE, serving network not
// authorised -> #73, SUCI protection scheme unsupported -> #3 (3gpp.md §6.4
// C4), NF failure -> #22 Congestion (with T3346).
func DefaultRejectCauses() map[string]uint8 {
	return map[string]uint8{
		"USER_NOT_FOUND":                 nasx.CauseIllegalUE,
		"AUTHENTICATION_REJECTED":        nasx.CauseIllegalUE,
		"SERVING_NETWORK_NOT_AUTHORIZED": nasx.CauseServingNetworkNotAuthorized,
		"UNSUPPORTED_PROTECTION_SCHEME":  nasx.CauseIllegalUE,
		"404":                            nasx.CauseIllegalUE,
		"403":                            nasx.CauseIllegalUE,
		OutcomeNFFailure:                 nasx.CauseCongestion,
		OutcomeDefault:                   nasx.CauseIllegalUE,
	}
}

// Config configures the machine (shared by every UE context).
type Config struct {
	// PLMN is the serving PLMN; the serving network name derives from it.
	PLMN ident.PLMN
	// AMFRegionID, AMFSetID and AMFPointer form the GUAMI and every 5G-GUTI.
	AMFRegionID uint8
	AMFSetID    uint16
	AMFPointer  uint8
	// TACs are the tracking areas of the TAI list in REGISTRATION ACCEPT.
	TACs []uint32
	// Slices are the S-NSSAIs the AMF serves (default SST 1).
	Slices []nasx.SNSSAI
	// IntegrityOrder is the NIA preference (default NIA2, NIA1, NIA3). NIA0
	// is refused: it is for unauthenticated emergency services only (TS
	// 33.501 §5.5.2), which credbed does not offer.
	IntegrityOrder []nassec.IntegrityAlg
	// CipheringOrder is the NEA preference (default NEA2, NEA1, NEA3, NEA0).
	CipheringOrder []nassec.CipheringAlg
	// RejectCauses maps an AUSF/UDM outcome (ProblemDetails cause, HTTP
	// status as decimal text, OutcomeNFFailure, OutcomeDefault) to the 5GMM
	// cause of REGISTRATION REJECT; missing keys take DefaultRejectCauses.
	RejectCauses map[string]uint8
	// DeregistrationCause is the 5GMM cause of a network-initiated
	// DEREGISTRATION REQUEST (default #3 Illegal UE; e.g. #7 5GS services
	// not allowed).
	DeregistrationCause uint8
	// T3512 is the periodic registration timer sent in REGISTRATION ACCEPT
	// (default 54 min).
	T3512 time.Duration
	// T3346 is the back-off sent with #22 (default 60 s).
	T3346 time.Duration
	// T3550, T3560, T3570, T3522 are the network timers (default 6 s each,
	// TS 24.501 Table 10.2.2).
	T3550, T3560, T3570, T3522 time.Duration
	// MaxRetransmissions is how often a message guarded by a timer is
	// resent; the next expiry aborts the procedure (default 4: abort on the
	// fifth expiry, TS 24.501 §5.4.1.3.7, §5.4.2.7, §5.4.3.7, §5.5.1.2.8,
	// §5.5.2.3.5).
	MaxRetransmissions int
	// MaxResync is how many consecutive resynchronisations the SEAF runs;
	// one more synch failure gives AUTHENTICATION REJECT (default 1).
	MaxResync int
	// IMEISVRequest asks for the IMEISV in SECURITY MODE COMMAND.
	IMEISVRequest bool
	// ReauthOnGUTI runs primary authentication (with the SUPI) again on a
	// 5G-GUTI registration whose integrity check passed (TS 33.501 §6.1.2
	// lets the SEAF decide); default false: accept at once.
	ReauthOnGUTI bool
}

// Defaults.
const (
	DefaultT3512         = 54 * time.Minute
	DefaultT3346         = 60 * time.Second
	DefaultNetworkTimer  = 6 * time.Second
	DefaultRetransmits   = 4
	DefaultMaxResync     = 1
	DefaultAMFRegionID   = 0xCA
	DefaultAMFSetID      = 0x3F8
	DefaultAMFPointer    = 0
	DefaultTAC           = 1
	DefaultSST           = 1
	maxTACs              = 16
	maxSlices            = 8
	maxAlgorithmListSize = 8
)

// Validate fills defaults and checks c.
func (c *Config) Validate() error {
	if c.PLMN.IsZero() {
		c.PLMN = ident.PLMN{MCC: "001", MNC: "01"}
	}
	if err := c.PLMN.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.AMFRegionID == 0 && c.AMFSetID == 0 && c.AMFPointer == 0 {
		c.AMFRegionID, c.AMFSetID, c.AMFPointer = DefaultAMFRegionID, DefaultAMFSetID, DefaultAMFPointer
	}
	if c.AMFSetID > ident.MaxAMFSetID || c.AMFPointer > ident.MaxAMFPointer {
		return fmt.Errorf("%w: AMF set id %d / pointer %d out of range", ErrConfig, c.AMFSetID, c.AMFPointer)
	}
	if len(c.TACs) == 0 {
		c.TACs = []uint32{DefaultTAC}
	}
	if len(c.TACs) > maxTACs {
		return fmt.Errorf("%w: %d TACs (at most %d)", ErrConfig, len(c.TACs), maxTACs)
	}
	for _, t := range c.TACs {
		if t > 0xFFFFFF {
			return fmt.Errorf("%w: TAC %#x exceeds 24 bits", ErrConfig, t)
		}
	}
	if len(c.Slices) == 0 {
		c.Slices = []nasx.SNSSAI{{SST: DefaultSST}}
	}
	if len(c.Slices) > maxSlices {
		return fmt.Errorf("%w: %d slices (at most %d)", ErrConfig, len(c.Slices), maxSlices)
	}
	if len(c.IntegrityOrder) == 0 {
		c.IntegrityOrder = []nassec.IntegrityAlg{nassec.NIA2, nassec.NIA1, nassec.NIA3}
	}
	if len(c.CipheringOrder) == 0 {
		c.CipheringOrder = []nassec.CipheringAlg{nassec.NEA2, nassec.NEA1, nassec.NEA3, nassec.NEA0}
	}
	if len(c.IntegrityOrder) > maxAlgorithmListSize || len(c.CipheringOrder) > maxAlgorithmListSize {
		return fmt.Errorf("%w: algorithm lists too long", ErrConfig)
	}
	for _, a := range c.IntegrityOrder {
		if a.IsNull() {
			return fmt.Errorf("%w: NIA0 is for unauthenticated emergency services only (TS 33.501 §5.5.2)", ErrConfig)
		}
		if a > nassec.NIA3 {
			return fmt.Errorf("%w: unknown integrity algorithm %d", ErrConfig, a)
		}
	}
	for _, a := range c.CipheringOrder {
		if a > nassec.NEA3 {
			return fmt.Errorf("%w: unknown ciphering algorithm %d", ErrConfig, a)
		}
	}
	causes := DefaultRejectCauses()
	for k, v := range c.RejectCauses {
		if v == 0 {
			return fmt.Errorf("%w: reject cause for %q is 0", ErrConfig, k)
		}
		causes[k] = v
	}
	c.RejectCauses = causes
	if c.DeregistrationCause == 0 {
		c.DeregistrationCause = nasx.CauseIllegalUE
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.T3512, DefaultT3512)
	def(&c.T3346, DefaultT3346)
	def(&c.T3550, DefaultNetworkTimer)
	def(&c.T3560, DefaultNetworkTimer)
	def(&c.T3570, DefaultNetworkTimer)
	def(&c.T3522, DefaultNetworkTimer)
	for _, d := range []time.Duration{c.T3512, c.T3346, c.T3550, c.T3560, c.T3570, c.T3522} {
		if d < 0 {
			return fmt.Errorf("%w: negative timer", ErrConfig)
		}
	}
	if c.MaxRetransmissions == 0 {
		c.MaxRetransmissions = DefaultRetransmits
	}
	if c.MaxResync == 0 {
		c.MaxResync = DefaultMaxResync
	}
	if c.MaxRetransmissions < 0 || c.MaxRetransmissions > 255 || c.MaxResync < 0 || c.MaxResync > 255 {
		return fmt.Errorf("%w: retransmission or resync count out of range", ErrConfig)
	}
	return nil
}

// RejectCause maps an SBI outcome to the 5GMM cause of REGISTRATION
// REJECT, and whether T3346 goes with it (#22).
func (c *Config) RejectCause(o Outcome) (cause uint8, backoff bool) {
	v, ok := c.lookup(o)
	if !ok {
		v = c.RejectCauses[OutcomeDefault]
	}
	return v, v == nasx.CauseCongestion
}

func (c *Config) lookup(o Outcome) (uint8, bool) {
	if o.Status == 0 || o.Status >= 500 { // no answer, or a 5xx server error
		if v, ok := c.RejectCauses[o.Cause]; ok && o.Cause != "" {
			return v, true
		}
		v, ok := c.RejectCauses[OutcomeNFFailure]
		return v, ok
	}
	if o.Cause != "" {
		if v, ok := c.RejectCauses[o.Cause]; ok {
			return v, true
		}
	}
	v, ok := c.RejectCauses[strconv.Itoa(o.Status)]
	return v, ok
}
