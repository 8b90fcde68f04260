package pfcpx

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/wmnsk/go-pfcp/ie"
	"github.com/wmnsk/go-pfcp/message"
)

// MaxSeq is the largest PFCP sequence number (24 bits, TS 29.244 §7.2.2.2).
const MaxSeq = 1<<24 - 1

// Establishment is the content of a PFCP Session Establishment Request
// (TS 29.244 §7.5.2). The UP F-SEID is not part of it: the UPF allocates it.
type Establishment struct {
	NodeID string     // the CP function's Node ID
	CPSEID uint64     // CP F-SEID: the SEID the CP function wants in the responses
	CPAddr netip.Addr // CP F-SEID IPv4 address
	PDRs   []PDR
	FARs   []FAR
	QERs   []QER
	// BAR is the session's Buffering Action Rule (at most one, §7.5.2.6); nil: none.
	BAR *BAR
	// PDNType is 1 for IPv4 (TS 29.244 §8.2.79); 0 leaves it out.
	PDNType uint8
}

// Modification is the content of a PFCP Session Modification Request
// (TS 29.244 §7.5.4). Removals are applied first, then creations, then updates.
type Modification struct {
	RemovePDRs []uint16
	RemoveFARs []uint32
	RemoveQERs []uint32
	CreatePDRs []PDR
	CreateFARs []FAR
	CreateQERs []QER
	UpdatePDRs []PDRUpdate
	UpdateFARs []FARUpdate
	UpdateQERs []QERUpdate
	// CreateBAR, UpdateBAR and RemoveBAR act on the session's BAR
	// (§7.5.4.11, §7.5.4.12); nil: no change.
	CreateBAR *BAR
	UpdateBAR *BAR
	RemoveBAR *uint8
}

func marshal(m interface{ Marshal() ([]byte, error) }) ([]byte, error) {
	b, err := m.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBuild, err)
	}
	return b, nil
}

func checkSeq(seq uint32) error {
	if seq > MaxSeq {
		return fmt.Errorf("%w: sequence number %d exceeds 24 bits", ErrBuild, seq)
	}
	return nil
}

// BuildHeartbeatRequest encodes a Heartbeat Request (TS 29.244 §7.4.2.1).
func BuildHeartbeatRequest(seq uint32, recovery time.Time) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	return marshal(message.NewHeartbeatRequest(seq, ie.NewRecoveryTimeStamp(recovery), nil))
}

// BuildHeartbeatResponse encodes a Heartbeat Response (TS 29.244 §7.4.2.2).
func BuildHeartbeatResponse(seq uint32, recovery time.Time) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	return marshal(message.NewHeartbeatResponse(seq, ie.NewRecoveryTimeStamp(recovery)))
}

// BuildAssociationSetupRequest encodes an Association Setup Request from a
// CP function (TS 29.244 §7.4.4.1).
func BuildAssociationSetupRequest(seq uint32, nodeID string, recovery time.Time) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	nid, err := NodeIDIE(nodeID)
	if err != nil {
		return nil, err
	}
	return marshal(message.NewAssociationSetupRequest(seq, nid, ie.NewRecoveryTimeStamp(recovery)))
}

// UPFeatureFTUP is the UP Function Features bit saying the UP function
// allocates F-TEIDs (TS 29.244 §8.2.25, octet 5 bit 5).
const UPFeatureFTUP uint8 = 0x10

// BuildAssociationSetupResponse encodes an Association Setup Response
// (TS 29.244 §7.4.4.2). upFeatures is the first octet of UP Function
// Features (0 leaves the IE out).
func BuildAssociationSetupResponse(seq uint32, nodeID string, cause Cause, recovery time.Time, upFeatures uint8) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	nid, err := NodeIDIE(nodeID)
	if err != nil {
		return nil, err
	}
	ies := []*ie.IE{nid, ie.NewCause(uint8(cause)), ie.NewRecoveryTimeStamp(recovery)}
	if upFeatures != 0 {
		ies = append(ies, ie.NewUPFunctionFeatures(upFeatures, 0))
	}
	return marshal(message.NewAssociationSetupResponse(seq, ies...))
}

// BuildVersionNotSupportedResponse encodes a Version Not Supported Response
// (TS 29.244 §7.4.4.7 / §7.2.2.1).
func BuildVersionNotSupportedResponse(seq uint32) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	return marshal(message.NewVersionNotSupportedResponse(seq))
}

// EstablishmentIEs encodes e's IEs in the order of TS 29.244 Table 7.5.2.1-1.
func EstablishmentIEs(e Establishment) ([]*ie.IE, error) {
	nid, err := NodeIDIE(e.NodeID)
	if err != nil {
		return nil, err
	}
	fseid, err := FSEIDIE(e.CPSEID, e.CPAddr)
	if err != nil {
		return nil, err
	}
	ies := []*ie.IE{nid, fseid}
	for _, p := range e.PDRs {
		x, err := CreatePDRIE(p)
		if err != nil {
			return nil, err
		}
		ies = append(ies, x)
	}
	for _, f := range e.FARs {
		x, err := CreateFARIE(f)
		if err != nil {
			return nil, err
		}
		ies = append(ies, x)
	}
	for _, q := range e.QERs {
		x, err := CreateQERIE(q)
		if err != nil {
			return nil, err
		}
		ies = append(ies, x)
	}
	if e.BAR != nil {
		ies = append(ies, CreateBARIE(*e.BAR))
	}
	if e.PDNType != 0 {
		ies = append(ies, ie.NewPDNType(e.PDNType))
	}
	return ies, nil
}

// BuildSessionEstablishmentRequest encodes a Session Establishment Request
// (TS 29.244 §7.5.2). The header SEID is 0 (§7.2.2.4.2).
func BuildSessionEstablishmentRequest(seq uint32, e Establishment) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	ies, err := EstablishmentIEs(e)
	if err != nil {
		return nil, err
	}
	return marshal(message.NewSessionEstablishmentRequest(0, 0, 0, seq, 0, ies...))
}

// ModificationIEs encodes m's IEs.
func ModificationIEs(m Modification) ([]*ie.IE, error) {
	var ies []*ie.IE
	for _, id := range m.RemovePDRs {
		ies = append(ies, ie.NewRemovePDR(ie.NewPDRID(id)))
	}
	for _, id := range m.RemoveFARs {
		ies = append(ies, ie.NewRemoveFAR(ie.NewFARID(id)))
	}
	for _, id := range m.RemoveQERs {
		ies = append(ies, ie.NewRemoveQER(ie.NewQERID(id)))
	}
	if m.RemoveBAR != nil {
		ies = append(ies, ie.NewRemoveBAR(ie.NewBARID(*m.RemoveBAR)))
	}
	add := func(x *ie.IE, err error) error {
		if err != nil {
			return err
		}
		ies = append(ies, x)
		return nil
	}
	for _, p := range m.CreatePDRs {
		if err := add(CreatePDRIE(p)); err != nil {
			return nil, err
		}
	}
	for _, f := range m.CreateFARs {
		if err := add(CreateFARIE(f)); err != nil {
			return nil, err
		}
	}
	for _, q := range m.CreateQERs {
		if err := add(CreateQERIE(q)); err != nil {
			return nil, err
		}
	}
	if m.CreateBAR != nil {
		ies = append(ies, CreateBARIE(*m.CreateBAR))
	}
	for _, p := range m.UpdatePDRs {
		if err := add(UpdatePDRIE(p)); err != nil {
			return nil, err
		}
	}
	for _, f := range m.UpdateFARs {
		if err := add(UpdateFARIE(f)); err != nil {
			return nil, err
		}
	}
	for _, q := range m.UpdateQERs {
		if err := add(UpdateQERIE(q)); err != nil {
			return nil, err
		}
	}
	if m.UpdateBAR != nil {
		ies = append(ies, UpdateBARIE(*m.UpdateBAR))
	}
	for _, x := range ies {
		if x == nil {
			return nil, fmt.Errorf("%w: modification IE", ErrBuild)
		}
	}
	return ies, nil
}

// BuildSessionModificationRequest encodes a Session Modification Request
// addressed to the UP SEID upSEID (TS 29.244 §7.5.4).
func BuildSessionModificationRequest(seq uint32, upSEID uint64, m Modification) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	ies, err := ModificationIEs(m)
	if err != nil {
		return nil, err
	}
	return marshal(message.NewSessionModificationRequest(0, 0, upSEID, seq, 0, ies...))
}

// BuildSessionDeletionRequest encodes a Session Deletion Request addressed
// to the UP SEID upSEID (TS 29.244 §7.5.6).
func BuildSessionDeletionRequest(seq uint32, upSEID uint64) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	return marshal(message.NewSessionDeletionRequest(0, 0, upSEID, seq, 0))
}

// Reply is what a UP function puts in a session-related response.
type Reply struct {
	// SEID is the header SEID: the CP F-SEID's SEID, or 0 when the session is
	// unknown (TS 29.244 §7.2.2.4.2).
	SEID        uint64
	Cause       Cause
	OffendingIE uint16 // 0: absent
	NodeID      string // establishment response only
	UPSEID      uint64 // establishment response, when accepted
	UPAddr      netip.Addr
	CreatedPDRs []CreatedPDR
}

func replyIEs(r Reply, withNode, withFSEID bool) ([]*ie.IE, error) {
	var ies []*ie.IE
	if withNode {
		nid, err := NodeIDIE(r.NodeID)
		if err != nil {
			return nil, err
		}
		ies = append(ies, nid)
	}
	ies = append(ies, ie.NewCause(uint8(r.Cause)))
	if r.OffendingIE != 0 {
		ies = append(ies, ie.NewOffendingIE(r.OffendingIE))
	}
	if withFSEID && r.Cause.Accepted() {
		f, err := FSEIDIE(r.UPSEID, r.UPAddr)
		if err != nil {
			return nil, err
		}
		ies = append(ies, f)
	}
	for _, c := range r.CreatedPDRs {
		x, err := CreatedPDRIE(c)
		if err != nil {
			return nil, err
		}
		ies = append(ies, x)
	}
	return ies, nil
}

// BuildSessionEstablishmentResponse encodes a Session Establishment
// Response (TS 29.244 §7.5.3).
func BuildSessionEstablishmentResponse(seq uint32, r Reply) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	ies, err := replyIEs(r, true, true)
	if err != nil {
		return nil, err
	}
	return marshal(message.NewSessionEstablishmentResponse(0, 0, r.SEID, seq, 0, ies...))
}

// BuildSessionModificationResponse encodes a Session Modification Response
// (TS 29.244 §7.5.5).
func BuildSessionModificationResponse(seq uint32, r Reply) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	ies, err := replyIEs(r, false, false)
	if err != nil {
		return nil, err
	}
	return marshal(message.NewSessionModificationResponse(0, 0, r.SEID, seq, 0, ies...))
}

// BuildSessionDeletionResponse encodes a Session Deletion Response
// (TS 29.244 §7.5.7).
func BuildSessionDeletionResponse(seq uint32, r Reply) ([]byte, error) {
	if err := checkSeq(seq); err != nil {
		return nil, err
	}
	r.CreatedPDRs = nil
	ies, err := replyIEs(r, false, false)
	if err != nil {
		return nil, err
	}
	return marshal(message.NewSessionDeletionResponse(0, 0, r.SEID, seq, 0, ies...))
}
