package pfcpx

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/wmnsk/go-pfcp/ie"
)

// Cause is a PFCP Cause value (TS 29.244 §8.2.1, Table 8.2.1-1).
type Cause uint8

// Cause values.
const (
	CauseRequestAccepted                 Cause = 1
	CauseRequestRejected                 Cause = 64
	CauseSessionContextNotFound          Cause = 65
	CauseMandatoryIEMissing              Cause = 66
	CauseConditionalIEMissing            Cause = 67
	CauseInvalidLength                   Cause = 68
	CauseMandatoryIEIncorrect            Cause = 69
	CauseInvalidForwardingPolicy         Cause = 70
	CauseInvalidFTEIDAllocationOption    Cause = 71
	CauseNoEstablishedPFCPAssociation    Cause = 72
	CauseRuleCreationModificationFailure Cause = 73
	CausePFCPEntityInCongestion          Cause = 74
	CauseNoResourcesAvailable            Cause = 75
	CauseServiceNotSupported             Cause = 76
	CauseSystemFailure                   Cause = 77
)

var causeNames = map[Cause]string{
	CauseRequestAccepted:                 "Request accepted",
	CauseRequestRejected:                 "Request rejected",
	CauseSessionContextNotFound:          "Session context not found",
	CauseMandatoryIEMissing:              "Mandatory IE missing",
	CauseConditionalIEMissing:            "Conditional IE missing",
	CauseInvalidLength:                   "Invalid length",
	CauseMandatoryIEIncorrect:            "Mandatory IE incorrect",
	CauseInvalidForwardingPolicy:         "Invalid Forwarding Policy",
	CauseInvalidFTEIDAllocationOption:    "Invalid F-TEID allocation option",
	CauseNoEstablishedPFCPAssociation:    "No established PFCP Association",
	CauseRuleCreationModificationFailure: "Rule creation/modification Failure",
	CausePFCPEntityInCongestion:          "PFCP entity in congestion",
	CauseNoResourcesAvailable:            "No resources available",
	CauseServiceNotSupported:             "Service not supported",
	CauseSystemFailure:                   "System failure",
}

// String returns the name TS 29.244 gives the cause.
func (c Cause) String() string {
	if n, ok := causeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("Cause(%d)", uint8(c))
}

// Accepted reports whether c is an acceptance cause (values 1..63).
func (c Cause) Accepted() bool { return c >= 1 && c < 64 }

// TraceCause is the form used in trace events: "PFCP#65".
func (c Cause) TraceCause() string { return fmt.Sprintf("PFCP#%d", uint8(c)) }

// Interface is a Source or Destination Interface value (TS 29.244 §8.2.2, §8.2.24).
type Interface uint8

// Interface values (source and destination share 0..3).
const (
	Access     Interface = 0 // towards the RAN (N3)
	Core       Interface = 1 // towards the data network (N6)
	SGiLAN     Interface = 2
	CPFunction Interface = 3
)

// String names the interface.
func (i Interface) String() string {
	switch i {
	case Access:
		return "Access"
	case Core:
		return "Core"
	case SGiLAN:
		return "SGi-LAN/N6-LAN"
	case CPFunction:
		return "CP-function"
	}
	return fmt.Sprintf("Interface(%d)", uint8(i))
}

// Action is the first octet of the Apply Action IE (TS 29.244 §8.2.26).
type Action uint8

// Apply Action flags.
const (
	ActDrop      Action = 0x01 // DROP
	ActForward   Action = 0x02 // FORW
	ActBuffer    Action = 0x04 // BUFF
	ActNotifyCP  Action = 0x08 // NOCP
	ActDuplicate Action = 0x10 // DUPL
)

// Has reports whether flag f is set.
func (a Action) Has(f Action) bool { return a&f != 0 }

// Valid reports whether exactly one of DROP, FORW and BUFF is set, as §8.2.26 requires.
func (a Action) Valid() bool {
	n := 0
	for _, f := range []Action{ActDrop, ActForward, ActBuffer} {
		if a.Has(f) {
			n++
		}
	}
	return n == 1
}

// String lists the set flags.
func (a Action) String() string {
	s := ""
	for _, x := range []struct {
		f Action
		n string
	}{{ActDrop, "DROP"}, {ActForward, "FORW"}, {ActBuffer, "BUFF"}, {ActNotifyCP, "NOCP"}, {ActDuplicate, "DUPL"}} {
		if a.Has(x.f) {
			if s != "" {
				s += "|"
			}
			s += x.n
		}
	}
	if s == "" {
		return "none"
	}
	return s
}

// Gate is a gate status (TS 29.244 §8.2.7).
type Gate uint8

// Gate values.
const (
	GateOpen   Gate = 0
	GateClosed Gate = 1
)

// FTEID is a fully qualified TEID (TS 29.244 §8.2.3). With Choose set the CP
// function asks the UP function to allocate the TEID (CH flag); PDRs created
// in the same message with the same ChooseID (HasChooseID) share one TEID.
type FTEID struct {
	TEID        uint32
	IPv4        netip.Addr
	Choose      bool
	HasChooseID bool
	ChooseID    uint8
}

// OuterHeader is the Outer Header Creation of a FAR that tunnels towards a
// GTP-U peer over UDP/IPv4 (TS 29.244 §8.2.56, description "GTP-U/UDP/IPv4").
type OuterHeader struct {
	TEID uint32
	IPv4 netip.Addr
	// Port is the UDP destination port; 0 means 2152 (it is not encoded for GTP-U).
	Port uint16
}

// Addr returns the GTP-U peer address.
func (o OuterHeader) Addr() netip.AddrPort {
	p := o.Port
	if p == 0 {
		p = 2152
	}
	return netip.AddrPortFrom(o.IPv4, p)
}

// PDI is the Packet Detection Information of a PDR (TS 29.244 §7.5.2.2-2).
type PDI struct {
	Source     Interface
	LocalFTEID *FTEID     // uplink: the UPF's N3 F-TEID
	UEIP       netip.Addr // invalid when absent
	// UEIPIsDest is the S/D flag: true when UEIP is the destination address (downlink).
	UEIPIsDest      bool
	QFI             uint8 // 0 when absent (match any)
	NetworkInstance string
}

// PDR is a Packet Detection Rule (TS 29.244 §5.2.1, Create PDR §7.5.2.2).
// Only the fields credbed's 5G PDU sessions use are modelled.
type PDR struct {
	ID         uint16
	Precedence uint32
	PDI        PDI
	// OuterHeaderRemoval removes GTP-U/UDP/IPv4 (description 0).
	OuterHeaderRemoval bool
	FARID              uint32
	QERIDs             []uint32
}

// PDRUpdate is an Update PDR (TS 29.244 §7.5.4.2): nil fields are unchanged.
type PDRUpdate struct {
	ID                 uint16
	Precedence         *uint32
	PDI                *PDI
	OuterHeaderRemoval *bool
	FARID              *uint32
	QERIDs             []uint32 // nil: unchanged
}

// Apply returns p with u's present fields replacing its own.
func (u PDRUpdate) Apply(p PDR) PDR {
	if u.Precedence != nil {
		p.Precedence = *u.Precedence
	}
	if u.PDI != nil {
		p.PDI = *u.PDI
	}
	if u.OuterHeaderRemoval != nil {
		p.OuterHeaderRemoval = *u.OuterHeaderRemoval
	}
	if u.FARID != nil {
		p.FARID = *u.FARID
	}
	if u.QERIDs != nil {
		p.QERIDs = append([]uint32(nil), u.QERIDs...)
	}
	return p
}

// Forwarding is the Forwarding Parameters of a FAR (TS 29.244 §7.5.2.3-2).
type Forwarding struct {
	Destination     Interface
	NetworkInstance string
	OuterHeader     *OuterHeader
}

// FAR is a Forwarding Action Rule (TS 29.244 §5.2.3, Create FAR §7.5.2.3).
type FAR struct {
	ID         uint32
	Action     Action
	Forwarding *Forwarding // present when Action has FORW
	// BARID names the BAR whose buffering instructions apply when Action
	// has BUFF (§7.5.2.3); nil: the UP function's own.
	BARID *uint8
}

// FARUpdate is an Update FAR (TS 29.244 §7.5.4.3): a zero Action and nil
// Forwarding and BARID leave the current values.
type FARUpdate struct {
	ID         uint32
	Action     Action
	Forwarding *Forwarding
	BARID      *uint8
}

// Apply returns f with u's present fields replacing its own.
func (u FARUpdate) Apply(f FAR) FAR {
	if u.Action != 0 {
		f.Action = u.Action
	}
	if u.Forwarding != nil {
		fw := *u.Forwarding
		f.Forwarding = &fw
	}
	if u.BARID != nil {
		id := *u.BARID
		f.BARID = &id
	}
	return f
}

// BAR is a Buffering Action Rule (TS 29.244 §5.2.4; Create BAR §7.5.2.6,
// Update BAR §7.5.4.11, Remove BAR §7.5.4.12): how the UP function buffers
// the packets of the FARs that say BUFF and name it.
type BAR struct {
	ID uint8
	// SuggestedPackets is the Suggested Buffering Packets Count: the most
	// downlink packets the CP function suggests buffering for the session.
	// 0: absent (the UP function's own bound applies; in an Update BAR:
	// unchanged).
	SuggestedPackets uint8
}

// Gates is the Gate Status IE: uplink and downlink gates.
type Gates struct{ UL, DL Gate }

// MBR is a Maximum Bit Rate in kbit/s (TS 29.244 §8.2.8).
type MBR struct{ UL, DL uint64 }

// QER is a QoS Enforcement Rule (TS 29.244 §5.2.5, Create QER §7.5.2.5).
type QER struct {
	ID   uint32
	Gate Gates
	QFI  uint8 // 0 when absent
	MBR  *MBR
}

// QERUpdate is an Update QER (TS 29.244 §7.5.4.5): nil fields are unchanged.
type QERUpdate struct {
	ID   uint32
	Gate *Gates
	QFI  *uint8
	MBR  *MBR
}

// Apply returns q with u's present fields replacing its own.
func (u QERUpdate) Apply(q QER) QER {
	if u.Gate != nil {
		q.Gate = *u.Gate
	}
	if u.QFI != nil {
		q.QFI = *u.QFI
	}
	if u.MBR != nil {
		m := *u.MBR
		q.MBR = &m
	}
	return q
}

// CreatedPDR reports the F-TEID a UP function allocated for a PDR (TS 29.244 §7.5.3.2).
type CreatedPDR struct {
	PDRID uint16
	FTEID FTEID
}

// IEError is a decoding problem attributable to one IE, carrying the Cause
// and Offending IE type a response should report (TS 29.244 §7.6).
type IEError struct {
	Cause  Cause
	IEType uint16
	Err    error
}

func (e *IEError) Error() string {
	return fmt.Sprintf("pfcp: %s: %s: %v", ieTypeName(e.IEType), e.Cause, e.Err)
}

func (e *IEError) Unwrap() error { return e.Err }

// Errors.
var (
	ErrMalformed   = errors.New("pfcp: malformed message")
	ErrVersion     = errors.New("pfcp: unsupported version")
	ErrUnknownType = errors.New("pfcp: unknown message type")
	ErrMissingIE   = errors.New("mandatory IE missing")
	ErrBadIE       = errors.New("IE incorrect")
	ErrBuild       = errors.New("pfcp: cannot build message")
	ErrTimeout     = errors.New("pfcp: no response")
	ErrClosed      = errors.New("pfcp: client closed")
)

func missing(t uint16) *IEError {
	return &IEError{Cause: CauseMandatoryIEMissing, IEType: t, Err: ErrMissingIE}
}

func incorrect(t uint16, err error) *IEError {
	if err == nil {
		err = ErrBadIE
	} else {
		err = fmt.Errorf("%w: %w", ErrBadIE, err)
	}
	return &IEError{Cause: CauseMandatoryIEIncorrect, IEType: t, Err: err}
}

// ieTypeName is a short label for the IE types this package handles (trace details, errors).
func ieTypeName(t uint16) string {
	switch t {
	case ie.NodeID:
		return "Node ID"
	case ie.FSEID:
		return "F-SEID"
	case ie.CreatePDR:
		return "Create PDR"
	case ie.CreateFAR:
		return "Create FAR"
	case ie.CreateQER:
		return "Create QER"
	case ie.PDI:
		return "PDI"
	case ie.FTEID:
		return "F-TEID"
	case ie.UEIPAddress:
		return "UE IP Address"
	case ie.RecoveryTimeStamp:
		return "Recovery Time Stamp"
	case ie.Cause:
		return "Cause"
	case ie.PDRID:
		return "PDR ID"
	case ie.FARID:
		return "FAR ID"
	case ie.QERID:
		return "QER ID"
	case ie.ApplyAction:
		return "Apply Action"
	case ie.OuterHeaderCreation:
		return "Outer Header Creation"
	case ie.GateStatus:
		return "Gate Status"
	case ie.CreateBAR:
		return "Create BAR"
	case ie.UpdateBARWithinSessionModificationRequest:
		return "Update BAR"
	case ie.RemoveBAR:
		return "Remove BAR"
	case ie.BARID:
		return "BAR ID"
	case ie.SuggestedBufferingPacketsCount:
		return "Suggested Buffering Packets Count"
	}
	return fmt.Sprintf("IE(%d)", t)
}
