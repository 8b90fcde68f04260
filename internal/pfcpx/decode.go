package pfcpx

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/wmnsk/go-pfcp/ie"
	"github.com/wmnsk/go-pfcp/message"
)

// Header is the part of a PFCP header a receiver needs before decoding the
// body (TS 29.244 §7.2.2).
type Header struct {
	Version uint8
	Type    uint8
	HasSEID bool
	SEID    uint64
	Seq     uint32
}

// IsRequest reports whether the message type is a request (TS 29.244
// Table 7.3-1: odd node-related types below 50 except 11, even session-related
// types from 50).
func (h Header) IsRequest() bool {
	if h.Type >= 50 {
		return h.Type%2 == 0
	}
	return h.Type%2 == 1 && h.Type != message.MsgTypeVersionNotSupportedResponse
}

// ParseHeader decodes the fixed header of b and checks its length field.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < 8 {
		return Header{}, fmt.Errorf("%w: %d bytes is shorter than a header", ErrMalformed, len(b))
	}
	h := Header{Version: b[0] >> 5, Type: b[1], HasSEID: b[0]&0x01 != 0}
	n := 8
	if h.HasSEID {
		n = 16
		if len(b) < n {
			return h, fmt.Errorf("%w: %d bytes is shorter than a session header", ErrMalformed, len(b))
		}
		h.SEID = binary.BigEndian.Uint64(b[4:12])
	}
	h.Seq = uint32(b[n-4])<<16 | uint32(b[n-3])<<8 | uint32(b[n-2])
	if h.Version != 1 {
		return h, fmt.Errorf("%w: version %d", ErrVersion, h.Version)
	}
	if l := int(binary.BigEndian.Uint16(b[2:4])); l+4 != len(b) {
		return h, fmt.Errorf("%w: length field %d does not match %d bytes", ErrMalformed, l, len(b))
	}
	return h, nil
}

// Decode parses one PFCP message into its go-pfcp type. It never panics:
// bad bytes give ErrMalformed, ErrVersion or ErrUnknownType (wrapped), and
// the header (when it could be read) so the caller can answer.
func Decode(b []byte) (h Header, m message.Message, err error) {
	h, err = ParseHeader(b)
	if err != nil {
		return h, nil, err
	}
	switch h.Type {
	case message.MsgTypeHeartbeatRequest:
		m = &message.HeartbeatRequest{}
	case message.MsgTypeHeartbeatResponse:
		m = &message.HeartbeatResponse{}
	case message.MsgTypeAssociationSetupRequest:
		m = &message.AssociationSetupRequest{}
	case message.MsgTypeAssociationSetupResponse:
		m = &message.AssociationSetupResponse{}
	case message.MsgTypeAssociationReleaseRequest:
		m = &message.AssociationReleaseRequest{}
	case message.MsgTypeAssociationReleaseResponse:
		m = &message.AssociationReleaseResponse{}
	case message.MsgTypeVersionNotSupportedResponse:
		m = &message.VersionNotSupportedResponse{}
	case message.MsgTypeSessionEstablishmentRequest:
		m = &message.SessionEstablishmentRequest{}
	case message.MsgTypeSessionEstablishmentResponse:
		m = &message.SessionEstablishmentResponse{}
	case message.MsgTypeSessionModificationRequest:
		m = &message.SessionModificationRequest{}
	case message.MsgTypeSessionModificationResponse:
		m = &message.SessionModificationResponse{}
	case message.MsgTypeSessionDeletionRequest:
		m = &message.SessionDeletionRequest{}
	case message.MsgTypeSessionDeletionResponse:
		m = &message.SessionDeletionResponse{}
	default:
		return h, nil, fmt.Errorf("%w: %d", ErrUnknownType, h.Type)
	}
	if sessionType(h.Type) != h.HasSEID {
		return h, nil, fmt.Errorf("%w: S flag %t on message type %d", ErrMalformed, h.HasSEID, h.Type)
	}
	if err := safeUnmarshal(m, b); err != nil {
		return h, nil, err
	}
	return h, m, nil
}

func sessionType(t uint8) bool { return t >= 50 && t < 100 }

func safeUnmarshal(m message.Message, b []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: decoder panic: %v", ErrMalformed, r)
		}
	}()
	if err := m.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// safe runs f, turning a panic inside the IE accessors into an error.
func safe(t uint16, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = incorrect(t, fmt.Errorf("decoder panic: %v", r))
		}
	}()
	return f()
}

func children(i *ie.IE) ([]*ie.IE, error) {
	if len(i.ChildIEs) > 0 {
		return i.ChildIEs, nil
	}
	return ie.ParseMultiIEs(i.Payload)
}

// DecodeNodeID returns the Node ID as text (an address literal or an FQDN).
func DecodeNodeID(i *ie.IE) (string, error) {
	if i == nil {
		return "", missing(ie.NodeID)
	}
	if len(i.Payload) < 2 {
		return "", incorrect(ie.NodeID, fmt.Errorf("%d bytes", len(i.Payload)))
	}
	switch i.Payload[0] {
	case ie.NodeIDIPv4Address:
		if len(i.Payload) != 5 {
			return "", incorrect(ie.NodeID, fmt.Errorf("IPv4 node id of %d bytes", len(i.Payload)-1))
		}
		return netip.AddrFrom4([4]byte(i.Payload[1:5])).String(), nil
	case ie.NodeIDIPv6Address:
		if len(i.Payload) != 17 {
			return "", incorrect(ie.NodeID, fmt.Errorf("IPv6 node id of %d bytes", len(i.Payload)-1))
		}
		return netip.AddrFrom16([16]byte(i.Payload[1:17])).String(), nil
	case ie.NodeIDFQDN:
		s, err := i.NodeID()
		if err != nil || s == "" {
			return "", incorrect(ie.NodeID, err)
		}
		return s, nil
	}
	return "", incorrect(ie.NodeID, fmt.Errorf("node id type %d", i.Payload[0]))
}

// DecodeFSEID returns an F-SEID's SEID and IPv4 address.
func DecodeFSEID(i *ie.IE) (uint64, netip.Addr, error) {
	if i == nil {
		return 0, netip.Addr{}, missing(ie.FSEID)
	}
	f, err := i.FSEID()
	if err != nil {
		return 0, netip.Addr{}, incorrect(ie.FSEID, err)
	}
	if !f.HasIPv4() || f.IPv4Address.To4() == nil {
		return 0, netip.Addr{}, incorrect(ie.FSEID, fmt.Errorf("no IPv4 address"))
	}
	return f.SEID, addrFromIP(f.IPv4Address), nil
}

// DecodeRecoveryTimeStamp returns the recovery time stamp.
func DecodeRecoveryTimeStamp(i *ie.IE) (time.Time, error) {
	if i == nil {
		return time.Time{}, missing(ie.RecoveryTimeStamp)
	}
	t, err := i.RecoveryTimeStamp()
	if err != nil {
		return time.Time{}, incorrect(ie.RecoveryTimeStamp, err)
	}
	return t, nil
}

func decodeFTEID(i *ie.IE) (FTEID, error) {
	f, err := i.FTEID()
	if err != nil {
		return FTEID{}, incorrect(ie.FTEID, err)
	}
	if f.HasCh() {
		if !f.HasIPv4() {
			return FTEID{}, &IEError{Cause: CauseInvalidFTEIDAllocationOption, IEType: ie.FTEID, Err: fmt.Errorf("%w: CHOOSE without IPv4", ErrBadIE)}
		}
		return FTEID{Choose: true, HasChooseID: f.HasChID(), ChooseID: f.ChooseID}, nil
	}
	if !f.HasIPv4() || f.IPv4Address.To4() == nil {
		return FTEID{}, incorrect(ie.FTEID, fmt.Errorf("no IPv4 address"))
	}
	if f.TEID == 0 {
		return FTEID{}, incorrect(ie.FTEID, fmt.Errorf("TEID 0"))
	}
	return FTEID{TEID: f.TEID, IPv4: addrFromIP(f.IPv4Address)}, nil
}

func decodePDI(i *ie.IE) (PDI, error) {
	kids, err := children(i)
	if err != nil {
		return PDI{}, incorrect(ie.PDI, err)
	}
	var p PDI
	haveSrc := false
	for _, x := range kids {
		switch x.Type {
		case ie.SourceInterface:
			v, err := x.SourceInterface()
			if err != nil || v > uint8(CPFunction) {
				return PDI{}, incorrect(ie.SourceInterface, err)
			}
			p.Source, haveSrc = Interface(v), true
		case ie.FTEID:
			f, err := decodeFTEID(x)
			if err != nil {
				return PDI{}, err
			}
			p.LocalFTEID = &f
		case ie.NetworkInstance:
			p.NetworkInstance, _ = x.NetworkInstance()
		case ie.UEIPAddress:
			u, err := x.UEIPAddress()
			if err != nil {
				return PDI{}, incorrect(ie.UEIPAddress, err)
			}
			if u.Flags&0x02 == 0 || u.IPv4Address.To4() == nil {
				return PDI{}, incorrect(ie.UEIPAddress, fmt.Errorf("no IPv4 address"))
			}
			p.UEIP = addrFromIP(u.IPv4Address)
			p.UEIPIsDest = u.Flags&0x04 != 0
		case ie.QFI:
			v, err := x.ValueAsUint8()
			if err != nil || v&0x3f == 0 {
				return PDI{}, incorrect(ie.QFI, err)
			}
			p.QFI = v & 0x3f
		}
	}
	if !haveSrc {
		return PDI{}, missing(ie.SourceInterface)
	}
	return p, nil
}

// DecodeCreatePDR decodes a Create PDR IE (TS 29.244 §7.5.2.2).
func DecodeCreatePDR(i *ie.IE) (p PDR, err error) {
	err = safe(ie.CreatePDR, func() error {
		u, err := decodePDRBody(i, ie.CreatePDR)
		if err != nil {
			return err
		}
		if u.Precedence == nil {
			return missing(ie.Precedence)
		}
		if u.PDI == nil {
			return missing(ie.PDI)
		}
		if u.FARID == nil {
			return &IEError{Cause: CauseConditionalIEMissing, IEType: ie.FARID, Err: ErrMissingIE}
		}
		p = u.Apply(PDR{ID: u.ID})
		return nil
	})
	return p, err
}

// DecodeUpdatePDR decodes an Update PDR IE (TS 29.244 §7.5.4.2).
func DecodeUpdatePDR(i *ie.IE) (u PDRUpdate, err error) {
	err = safe(ie.UpdatePDR, func() error {
		u, err = decodePDRBody(i, ie.UpdatePDR)
		return err
	})
	return u, err
}

func decodePDRBody(i *ie.IE, t uint16) (PDRUpdate, error) {
	kids, err := children(i)
	if err != nil {
		return PDRUpdate{}, incorrect(t, err)
	}
	var u PDRUpdate
	haveID := false
	for _, x := range kids {
		switch x.Type {
		case ie.PDRID:
			v, err := x.ValueAsUint16()
			if err != nil {
				return PDRUpdate{}, incorrect(ie.PDRID, err)
			}
			u.ID, haveID = v, true
		case ie.Precedence:
			v, err := x.ValueAsUint32()
			if err != nil {
				return PDRUpdate{}, incorrect(ie.Precedence, err)
			}
			u.Precedence = &v
		case ie.PDI:
			p, err := decodePDI(x)
			if err != nil {
				return PDRUpdate{}, err
			}
			u.PDI = &p
		case ie.OuterHeaderRemoval:
			d, err := x.ValueAsUint8()
			if err != nil {
				return PDRUpdate{}, incorrect(ie.OuterHeaderRemoval, err)
			}
			if d != 0 {
				return PDRUpdate{}, &IEError{Cause: CauseServiceNotSupported, IEType: ie.OuterHeaderRemoval, Err: fmt.Errorf("%w: outer header removal %d", ErrBadIE, d)}
			}
			v := true
			u.OuterHeaderRemoval = &v
		case ie.FARID:
			v, err := x.ValueAsUint32()
			if err != nil {
				return PDRUpdate{}, incorrect(ie.FARID, err)
			}
			u.FARID = &v
		case ie.QERID:
			v, err := x.ValueAsUint32()
			if err != nil {
				return PDRUpdate{}, incorrect(ie.QERID, err)
			}
			u.QERIDs = append(u.QERIDs, v)
		}
	}
	if !haveID {
		return PDRUpdate{}, missing(ie.PDRID)
	}
	return u, nil
}

func decodeForwarding(i *ie.IE) (Forwarding, error) {
	kids, err := children(i)
	if err != nil {
		return Forwarding{}, incorrect(i.Type, err)
	}
	var f Forwarding
	haveDst := false
	for _, x := range kids {
		switch x.Type {
		case ie.DestinationInterface:
			v, err := x.ValueAsUint8()
			v &= 0x0f
			if err != nil || v > uint8(CPFunction) {
				return Forwarding{}, incorrect(ie.DestinationInterface, err)
			}
			f.Destination, haveDst = Interface(v), true
		case ie.NetworkInstance:
			f.NetworkInstance, _ = x.NetworkInstance()
		case ie.OuterHeaderCreation:
			o, err := x.OuterHeaderCreation()
			if err != nil {
				return Forwarding{}, incorrect(ie.OuterHeaderCreation, err)
			}
			if o.OuterHeaderCreationDescription&0x0100 == 0 || o.IPv4Address.To4() == nil {
				return Forwarding{}, &IEError{Cause: CauseServiceNotSupported, IEType: ie.OuterHeaderCreation,
					Err: fmt.Errorf("%w: only GTP-U/UDP/IPv4 outer headers are supported (description %#04x)", ErrBadIE, o.OuterHeaderCreationDescription)}
			}
			f.OuterHeader = &OuterHeader{TEID: o.TEID, IPv4: addrFromIP(o.IPv4Address)}
		}
	}
	if !haveDst {
		return Forwarding{}, missing(ie.DestinationInterface)
	}
	return f, nil
}

// DecodeCreateFAR decodes a Create FAR IE (TS 29.244 §7.5.2.3).
func DecodeCreateFAR(i *ie.IE) (f FAR, err error) {
	err = safe(ie.CreateFAR, func() error {
		u, err := decodeFARBody(i, ie.CreateFAR, ie.ForwardingParameters)
		if err != nil {
			return err
		}
		if u.Action == 0 {
			return missing(ie.ApplyAction)
		}
		if u.Action.Has(ActForward) && u.Forwarding == nil {
			return &IEError{Cause: CauseConditionalIEMissing, IEType: ie.ForwardingParameters, Err: ErrMissingIE}
		}
		f = u.Apply(FAR{ID: u.ID})
		return nil
	})
	return f, err
}

// DecodeUpdateFAR decodes an Update FAR IE (TS 29.244 §7.5.4.3).
func DecodeUpdateFAR(i *ie.IE) (u FARUpdate, err error) {
	err = safe(ie.UpdateFAR, func() error {
		u, err = decodeFARBody(i, ie.UpdateFAR, ie.UpdateForwardingParameters)
		return err
	})
	return u, err
}

func decodeFARBody(i *ie.IE, t, fwType uint16) (FARUpdate, error) {
	kids, err := children(i)
	if err != nil {
		return FARUpdate{}, incorrect(t, err)
	}
	var u FARUpdate
	haveID := false
	for _, x := range kids {
		switch x.Type {
		case ie.FARID:
			v, err := x.ValueAsUint32()
			if err != nil {
				return FARUpdate{}, incorrect(ie.FARID, err)
			}
			u.ID, haveID = v, true
		case ie.ApplyAction:
			v, err := x.ValueAsUint8()
			a := Action(v) & (ActDrop | ActForward | ActBuffer | ActNotifyCP | ActDuplicate)
			if err != nil || !a.Valid() {
				return FARUpdate{}, incorrect(ie.ApplyAction, err)
			}
			u.Action = a
		case fwType:
			fw, err := decodeForwarding(x)
			if err != nil {
				return FARUpdate{}, err
			}
			u.Forwarding = &fw
		case ie.BARID:
			v, err := x.ValueAsUint8()
			if err != nil {
				return FARUpdate{}, incorrect(ie.BARID, err)
			}
			u.BARID = &v
		}
	}
	if !haveID {
		return FARUpdate{}, missing(ie.FARID)
	}
	return u, nil
}

// DecodeCreateQER decodes a Create QER IE (TS 29.244 §7.5.2.5).
func DecodeCreateQER(i *ie.IE) (q QER, err error) {
	err = safe(ie.CreateQER, func() error {
		u, err := decodeQERBody(i, ie.CreateQER)
		if err != nil {
			return err
		}
		if u.Gate == nil {
			return missing(ie.GateStatus)
		}
		q = u.Apply(QER{ID: u.ID})
		return nil
	})
	return q, err
}

// DecodeUpdateQER decodes an Update QER IE (TS 29.244 §7.5.4.5).
func DecodeUpdateQER(i *ie.IE) (u QERUpdate, err error) {
	err = safe(ie.UpdateQER, func() error {
		u, err = decodeQERBody(i, ie.UpdateQER)
		return err
	})
	return u, err
}

func decodeQERBody(i *ie.IE, t uint16) (QERUpdate, error) {
	kids, err := children(i)
	if err != nil {
		return QERUpdate{}, incorrect(t, err)
	}
	var u QERUpdate
	haveID := false
	for _, x := range kids {
		switch x.Type {
		case ie.QERID:
			v, err := x.ValueAsUint32()
			if err != nil {
				return QERUpdate{}, incorrect(ie.QERID, err)
			}
			u.ID, haveID = v, true
		case ie.GateStatus:
			v, err := x.ValueAsUint8()
			if err != nil {
				return QERUpdate{}, incorrect(ie.GateStatus, err)
			}
			g := Gates{UL: Gate(v >> 2 & 0x03), DL: Gate(v & 0x03)}
			if g.UL > GateClosed || g.DL > GateClosed {
				return QERUpdate{}, incorrect(ie.GateStatus, fmt.Errorf("gate status %#02x", v))
			}
			u.Gate = &g
		case ie.QFI:
			v, err := x.ValueAsUint8()
			if err != nil || v&0x3f == 0 {
				return QERUpdate{}, incorrect(ie.QFI, err)
			}
			v &= 0x3f
			u.QFI = &v
		case ie.MBR:
			ul, err1 := x.MBRUL()
			dl, err2 := x.MBRDL()
			if err1 != nil || err2 != nil {
				return QERUpdate{}, incorrect(ie.MBR, err1)
			}
			u.MBR = &MBR{UL: ul, DL: dl}
		}
	}
	if !haveID {
		return QERUpdate{}, missing(ie.QERID)
	}
	return u, nil
}

// DecodeCreateBAR decodes a Create BAR IE (TS 29.244 §7.5.2.6).
func DecodeCreateBAR(i *ie.IE) (b BAR, err error) {
	err = safe(ie.CreateBAR, func() error {
		b, err = decodeBARBody(i, ie.CreateBAR)
		return err
	})
	return b, err
}

// DecodeUpdateBAR decodes an Update BAR IE within a Session Modification
// Request (TS 29.244 §7.5.4.11); a zero SuggestedPackets means unchanged.
func DecodeUpdateBAR(i *ie.IE) (b BAR, err error) {
	err = safe(ie.UpdateBARWithinSessionModificationRequest, func() error {
		b, err = decodeBARBody(i, ie.UpdateBARWithinSessionModificationRequest)
		return err
	})
	return b, err
}

func decodeBARBody(i *ie.IE, t uint16) (BAR, error) {
	kids, err := children(i)
	if err != nil {
		return BAR{}, incorrect(t, err)
	}
	var b BAR
	haveID := false
	for _, x := range kids {
		switch x.Type {
		case ie.BARID:
			v, err := x.ValueAsUint8()
			if err != nil {
				return BAR{}, incorrect(ie.BARID, err)
			}
			b.ID, haveID = v, true
		case ie.SuggestedBufferingPacketsCount:
			v, err := x.ValueAsUint8()
			if err != nil {
				return BAR{}, incorrect(ie.SuggestedBufferingPacketsCount, err)
			}
			b.SuggestedPackets = v
		}
	}
	if !haveID {
		return BAR{}, missing(ie.BARID)
	}
	return b, nil
}

func ruleID16(i *ie.IE, outer, inner uint16) (uint16, error) {
	kids, err := children(i)
	if err != nil {
		return 0, incorrect(outer, err)
	}
	for _, x := range kids {
		if x.Type == inner {
			v, err := x.ValueAsUint16()
			if err != nil {
				return 0, incorrect(inner, err)
			}
			return v, nil
		}
	}
	return 0, missing(inner)
}

func ruleID32(i *ie.IE, outer, inner uint16) (uint32, error) {
	kids, err := children(i)
	if err != nil {
		return 0, incorrect(outer, err)
	}
	for _, x := range kids {
		if x.Type == inner {
			v, err := x.ValueAsUint32()
			if err != nil {
				return 0, incorrect(inner, err)
			}
			return v, nil
		}
	}
	return 0, missing(inner)
}

// DecodeEstablishment checks and decodes a Session Establishment Request
// (TS 29.244 §7.5.2). A returned error is an *IEError naming the Cause and
// Offending IE to answer with.
func DecodeEstablishment(m *message.SessionEstablishmentRequest) (e Establishment, err error) {
	if e.NodeID, err = DecodeNodeID(m.NodeID); err != nil {
		return e, err
	}
	if e.CPSEID, e.CPAddr, err = DecodeFSEID(m.CPFSEID); err != nil {
		return e, err
	}
	if len(m.CreatePDR) == 0 {
		return e, missing(ie.CreatePDR)
	}
	if len(m.CreateFAR) == 0 {
		return e, missing(ie.CreateFAR)
	}
	for _, x := range m.CreatePDR {
		p, err := DecodeCreatePDR(x)
		if err != nil {
			return e, err
		}
		e.PDRs = append(e.PDRs, p)
	}
	for _, x := range m.CreateFAR {
		f, err := DecodeCreateFAR(x)
		if err != nil {
			return e, err
		}
		e.FARs = append(e.FARs, f)
	}
	for _, x := range m.CreateQER {
		q, err := DecodeCreateQER(x)
		if err != nil {
			return e, err
		}
		e.QERs = append(e.QERs, q)
	}
	if m.CreateBAR != nil {
		b, err := DecodeCreateBAR(m.CreateBAR)
		if err != nil {
			return e, err
		}
		e.BAR = &b
	}
	if m.PDNType != nil {
		if v, err := m.PDNType.ValueAsUint8(); err == nil {
			e.PDNType = v & 0x07
		}
	}
	return e, nil
}

// DecodeModification checks and decodes a Session Modification Request
// (TS 29.244 §7.5.4). A returned error is an *IEError.
func DecodeModification(m *message.SessionModificationRequest) (d Modification, err error) {
	err = safe(ie.UpdatePDR, func() error {
		for _, x := range m.RemovePDR {
			id, err := ruleID16(x, ie.RemovePDR, ie.PDRID)
			if err != nil {
				return err
			}
			d.RemovePDRs = append(d.RemovePDRs, id)
		}
		for _, x := range m.RemoveFAR {
			id, err := ruleID32(x, ie.RemoveFAR, ie.FARID)
			if err != nil {
				return err
			}
			d.RemoveFARs = append(d.RemoveFARs, id)
		}
		for _, x := range m.RemoveQER {
			id, err := ruleID32(x, ie.RemoveQER, ie.QERID)
			if err != nil {
				return err
			}
			d.RemoveQERs = append(d.RemoveQERs, id)
		}
		if x := m.RemoveBAR; x != nil {
			kids, err := children(x)
			if err != nil {
				return incorrect(ie.RemoveBAR, err)
			}
			for _, k := range kids {
				if k.Type == ie.BARID {
					v, err := k.ValueAsUint8()
					if err != nil {
						return incorrect(ie.BARID, err)
					}
					d.RemoveBAR = &v
				}
			}
			if d.RemoveBAR == nil {
				return missing(ie.BARID)
			}
		}
		return nil
	})
	if err != nil {
		return d, err
	}
	for _, x := range m.CreatePDR {
		p, err := DecodeCreatePDR(x)
		if err != nil {
			return d, err
		}
		d.CreatePDRs = append(d.CreatePDRs, p)
	}
	for _, x := range m.CreateFAR {
		f, err := DecodeCreateFAR(x)
		if err != nil {
			return d, err
		}
		d.CreateFARs = append(d.CreateFARs, f)
	}
	for _, x := range m.CreateQER {
		q, err := DecodeCreateQER(x)
		if err != nil {
			return d, err
		}
		d.CreateQERs = append(d.CreateQERs, q)
	}
	if m.CreateBAR != nil {
		b, err := DecodeCreateBAR(m.CreateBAR)
		if err != nil {
			return d, err
		}
		d.CreateBAR = &b
	}
	for _, x := range m.UpdatePDR {
		u, err := DecodeUpdatePDR(x)
		if err != nil {
			return d, err
		}
		d.UpdatePDRs = append(d.UpdatePDRs, u)
	}
	for _, x := range m.UpdateFAR {
		u, err := DecodeUpdateFAR(x)
		if err != nil {
			return d, err
		}
		d.UpdateFARs = append(d.UpdateFARs, u)
	}
	for _, x := range m.UpdateQER {
		u, err := DecodeUpdateQER(x)
		if err != nil {
			return d, err
		}
		d.UpdateQERs = append(d.UpdateQERs, u)
	}
	if m.UpdateBAR != nil {
		b, err := DecodeUpdateBAR(m.UpdateBAR)
		if err != nil {
			return d, err
		}
		d.UpdateBAR = &b
	}
	return d, nil
}
