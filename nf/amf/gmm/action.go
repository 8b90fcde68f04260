package gmm

import (
	"time"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
)

// Action is one output of the machine, for the driver to carry out in order.
type Action interface{ action() }

// SendNAS sends a downlink NAS PDU in DOWNLINK NAS TRANSPORT (TS 38.413
// §8.6.2). PDU is already protected when SecHdr is not 0.
type SendNAS struct {
	PDU    []byte
	Name   string // message name, e.g. "AUTHENTICATION REQUEST"
	SecHdr uint8
}

// SendInitialContextSetup sends INITIAL CONTEXT SETUP REQUEST (TS 38.413
// §8.3.1) carrying the NAS PDU (REGISTRATION ACCEPT or SERVICE ACCEPT), KgNB
// and the UE security capabilities.
type SendInitialContextSetup struct {
	NASPDU               []byte
	Name                 string
	SecHdr               uint8
	KgNB                 aka.Key256 // TS 33.501 A.9
	ULNASCount           uint32     // the COUNT KgNB was derived with
	UESecurityCapability nasx.UESecurityCapability
	AllowedNSSAI         []nasx.SNSSAI
}

// ReleaseN2 sends UE CONTEXT RELEASE COMMAND (TS 38.413 §8.3.3).
type ReleaseN2 struct {
	Cause ngapx.Cause
}

// AUSFAuthenticate calls Nausf_UEAuthentication_Authenticate (TS 29.509
// §5.2.2.2.2; POST /ue-authentications) with the SUCI, or the SUPI when the
// SEAF re-authenticates a UE it knows; Resync is set for a
// resynchronisation (TS 33.501 §6.1.3.3.2). Answer: AUSFAuthResult.
type AUSFAuthenticate struct {
	Seq        uint32
	SUPIOrSUCI string
	SNN        string
	Resync     *Resync
}

// AUSFConfirm calls the 5g-aka-confirmation PUT with RES* (TS 29.509
// §5.2.2.2.2 step 2). Answer: AUSFConfirmResult.
type AUSFConfirm struct {
	Seq        uint32
	ConfirmURI string
	RESStar    [16]byte
}

// UECMRegister calls Nudm_UECM_Registration for 3GPP access (TS 29.503
// §5.3.2.2.2). Answer: UECMRegistrationResult.
type UECMRegister struct {
	Seq     uint32
	SUPI    string
	Initial bool
}

// SDMGetAMData calls Nudm_SDM_Get for am-data (TS 29.503 §5.2.2.2). Answer:
// SDMResult.
type SDMGetAMData struct {
	Seq  uint32
	SUPI string
}

// UECMDeregister ends the AMF registration at the UDM (TS 29.503
// §5.3.2.4, Nudm_UECM_Deregistration). Answer: UECMDeregistrationResult
// (the context is usually gone by then; the driver may drop it).
type UECMDeregister struct {
	Seq  uint32
	SUPI string
}

// StartTimer (re)starts a timer. The driver delivers TimerExpired{Timer, Gen}
// after After has passed; a later StartTimer or StopTimer supersedes it.
type StartTimer struct {
	Timer TimerID
	After time.Duration
	Gen   uint32
}

// StopTimer stops a timer.
type StopTimer struct{ Timer TimerID }

// AssignGUTI tells the driver that the context now owns GUTI (index it by
// its 5G-TMSI) and no longer Old (when HadOld).
type AssignGUTI struct {
	GUTI   nasx.GUTI
	Old    nasx.GUTI
	HadOld bool
}

// BindSUPI tells the driver the context's SUPI is now known (after a
// successful authentication); an older context of the same SUPI is
// superseded and must be removed.
type BindSUPI struct{ SUPI string }

// AdoptPrior tells the driver that the context took over the prior context
// identified by Handle (the Prior given to HandleInitialNAS): the prior one
// goes away and its SUPI and GUTI now name this context.
type AdoptPrior struct{ Handle uint64 }

// DeleteContext tells the driver to forget the context: its keys are
// already wiped, its timers must be stopped and its indexes removed.
type DeleteContext struct{}

// ForwardSM hands a 5GSM payload from UL NAS TRANSPORT to session
// management (TS 24.501 §5.4.5.2).
type ForwardSM struct {
	SUPI string
	Msg  *nasx.ULNASTransport
}

// ReleaseSessions asks the driver to release every PDU session of the UE
// at session management (Nsmf_PDUSession_ReleaseSMContext, TS 23.502
// §4.2.2.3.2 step 2 and §4.2.2.3.3 step 2) so that the UPF removes its
// rules: emitted when a de-registration starts and before a context goes.
// Reason says why, for the trace.
type ReleaseSessions struct{ Reason string }

// Trace is a trace event; the driver stamps Actor, SUPI and time.
type Trace struct{ Event trace.Event }

func (SendNAS) action()                 {}
func (SendInitialContextSetup) action() {}
func (ReleaseN2) action()               {}
func (AUSFAuthenticate) action()        {}
func (AUSFConfirm) action()             {}
func (UECMRegister) action()            {}
func (SDMGetAMData) action()            {}
func (UECMDeregister) action()          {}
func (StartTimer) action()              {}
func (StopTimer) action()               {}
func (AssignGUTI) action()              {}
func (BindSUPI) action()                {}
func (AdoptPrior) action()              {}
func (DeleteContext) action()           {}
func (ForwardSM) action()               {}
func (ReleaseSessions) action()         {}
func (Trace) action()                   {}
