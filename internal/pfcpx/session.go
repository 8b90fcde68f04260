package pfcpx

import (
	"net/netip"
)

// Rule IDs the PDU session helpers use (one uplink and one downlink path,
// one QER for the session's single QoS flow).
const (
	PDRUplink   uint16 = 1
	PDRDownlink uint16 = 2
	FARUplink   uint32 = 1
	FARDownlink uint32 = 2
	QERSession  uint32 = 1
	BARSession  uint8  = 1
)

// DefaultPrecedence is the precedence of the PDU session helpers' PDRs.
const DefaultPrecedence uint32 = 255

// PDUSession describes one IPv4 PDU session with a single QoS flow, as the
// SMF installs it in the UPF (TS 23.502 §4.3.2.2.1 steps 10a and 16a).
type PDUSession struct {
	NodeID string     // the SMF's Node ID
	CPSEID uint64     // the SMF's SEID for this session
	CPAddr netip.Addr // the SMF's N4 IPv4 address (CP F-SEID)
	UEIP   netip.Addr // the UE's IPv4 address
	QFI    uint8      // the QoS flow; 0 means 1

	// ULTEID and UPFN3Addr are the UPF's N3 F-TEID. A zero ULTEID asks the
	// UPF to allocate it (CHOOSE): read it back with Response.CreatedFTEID(PDRUplink).
	ULTEID    uint32
	UPFN3Addr netip.Addr

	// GNBTEID and GNBAddr are the gNB's downlink F-TEID; zero while unknown
	// (the downlink FAR then buffers until ActivateDownlink).
	GNBTEID uint32
	GNBAddr netip.Addr

	NetworkInstance string // usually the DNN
	MBR             *MBR   // session AMBR-like cap, kbit/s; nil: none

	// BufferPackets, when not 0, adds BAR 1 with this Suggested Buffering
	// Packets Count, named by the downlink FAR (TS 29.244 §5.2.4, §7.5.2.6);
	// 0: no BAR, the UPF's own buffering bounds apply.
	BufferPackets uint8
}

func (s PDUSession) qfi() uint8 {
	if s.QFI == 0 {
		return 1
	}
	return s.QFI
}

// DownlinkFAR returns the downlink FAR: FORW with GTP-U outer header
// creation towards the gNB when its F-TEID is known, BUFF otherwise.
// The UPF keeps the packets a buffering FAR receives and forwards them, in
// order, once ActivateDownlink points the FAR at the gNB (TS 29.244 §5.2.1).
func (s PDUSession) DownlinkFAR() FAR {
	var bar *uint8
	if s.BufferPackets != 0 {
		id := BARSession
		bar = &id
	}
	if s.GNBTEID == 0 {
		return FAR{ID: FARDownlink, Action: ActBuffer, BARID: bar}
	}
	return FAR{ID: FARDownlink, Action: ActForward, Forwarding: &Forwarding{
		Destination: Access, NetworkInstance: s.NetworkInstance,
		OuterHeader: &OuterHeader{TEID: s.GNBTEID, IPv4: s.GNBAddr},
	}, BARID: bar}
}

// BAR returns the session's BAR, nil when BufferPackets is 0.
func (s PDUSession) BAR() *BAR {
	if s.BufferPackets == 0 {
		return nil
	}
	return &BAR{ID: BARSession, SuggestedPackets: s.BufferPackets}
}

// Establishment returns the rules of the session: an uplink PDR from Access
// on the UPF's F-TEID (removing the GTP-U header) to FAR 1 (forward to
// Core), a downlink PDR from Core on the UE address to FAR 2 (towards the
// gNB, or buffering until it is known), both with QER 1 (gates open, the
// session's QFI), and BAR 1 when BufferPackets is set.
func (s PDUSession) Establishment() Establishment {
	ul := FTEID{Choose: true, HasChooseID: true, ChooseID: 1}
	if s.ULTEID != 0 {
		ul = FTEID{TEID: s.ULTEID, IPv4: s.UPFN3Addr}
	}
	q := s.qfi()
	return Establishment{
		NodeID: s.NodeID, CPSEID: s.CPSEID, CPAddr: s.CPAddr, PDNType: 1,
		PDRs: []PDR{
			{
				ID: PDRUplink, Precedence: DefaultPrecedence,
				PDI:                PDI{Source: Access, LocalFTEID: &ul, UEIP: s.UEIP, QFI: q, NetworkInstance: s.NetworkInstance},
				OuterHeaderRemoval: true, FARID: FARUplink, QERIDs: []uint32{QERSession},
			},
			{
				ID: PDRDownlink, Precedence: DefaultPrecedence,
				PDI:   PDI{Source: Core, UEIP: s.UEIP, UEIPIsDest: true, NetworkInstance: s.NetworkInstance},
				FARID: FARDownlink, QERIDs: []uint32{QERSession},
			},
		},
		FARs: []FAR{
			{ID: FARUplink, Action: ActForward, Forwarding: &Forwarding{Destination: Core, NetworkInstance: s.NetworkInstance}},
			s.DownlinkFAR(),
		},
		QERs: []QER{{ID: QERSession, QFI: q, MBR: s.MBR}},
		BAR:  s.BAR(),
	}
}

// ActivateDownlink returns the modification that points the downlink FAR
// at the gNB's F-TEID once the gNB has answered the N2 PDU Session Resource
// Setup (TS 23.502 §4.3.2.2.1 step 16a); the UPF then releases what the FAR
// buffered (TS 29.244 §5.2.1).
func ActivateDownlink(gnbTEID uint32, gnbAddr netip.Addr, networkInstance string) Modification {
	return Modification{UpdateFARs: []FARUpdate{{
		ID: FARDownlink, Action: ActForward,
		Forwarding: &Forwarding{Destination: Access, NetworkInstance: networkInstance,
			OuterHeader: &OuterHeader{TEID: gnbTEID, IPv4: gnbAddr}},
	}}}
}

// DeactivateDownlink returns the modification that stops downlink
// forwarding towards the gNB (AN release, TS 23.502 §4.2.6): the downlink FAR buffers.
func DeactivateDownlink() Modification {
	return Modification{UpdateFARs: []FARUpdate{{ID: FARDownlink, Action: ActBuffer}}}
}

// SetGates returns the modification that opens or closes the session QER's gates.
func SetGates(ul, dl Gate) Modification {
	return Modification{UpdateQERs: []QERUpdate{{ID: QERSession, Gate: &Gates{UL: ul, DL: dl}}}}
}
