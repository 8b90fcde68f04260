package ngapx

import (
	"fmt"

	"github.com/free5gc/aper"
	"github.com/free5gc/ngap/ngapType"
)

// InitialUEMessage is INITIAL UE MESSAGE (TS 38.413 §9.2.5.1).
type InitialUEMessage struct {
	RANUENGAPID           uint32
	NASPDU                []byte
	Location              UserLocationNR
	RRCEstablishmentCause uint8  // RRCMoSignalling, ...
	STMSI                 *STMSI // 5G-S-TMSI; nil = absent
	UEContextRequest      bool
}

func (*InitialUEMessage) Procedure() Procedure { return ProcInitialUEMessage }
func (*InitialUEMessage) Kind() Kind           { return Initiating }

// UEIDs returns the RAN UE NGAP ID.
func (m *InitialUEMessage) UEIDs() UEIDs { return UEIDs{RAN: m.RANUENGAPID, HasRAN: true} }

// Build returns the APER encoding.
func (m *InitialUEMessage) Build() ([]byte, error) {
	if m.check() == nil {
		if b, ok := m.fastBuild(); ok {
			return b, nil
		}
	}
	return m.buildAPER()
}

// check is the validation of buildAPER.
func (m *InitialUEMessage) check() error {
	if len(m.NASPDU) == 0 {
		return ErrInvalid
	}
	if err := checkLocation(m.Location); err != nil {
		return err
	}
	if s := m.STMSI; s != nil && (s.AMFSetID > 0x3ff || s.AMFPointer > 0x3f) {
		return ErrInvalid
	}
	return nil
}

// buildAPER encodes m through free5gc's APER encoder.
func (m *InitialUEMessage) buildAPER() ([]byte, error) {
	if len(m.NASPDU) == 0 {
		return nil, invalid("InitialUEMessage without NAS-PDU")
	}
	loc, err := locationToNgap(m.Location)
	if err != nil {
		return nil, err
	}
	type ie = ngapType.InitialUEMessageIEs
	type val = ngapType.InitialUEMessageIEsValue
	l := make([]ie, 0, 6)
	l = append(l,
		ie{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialUEMessageIEsPresentRANUENGAPID, RANUENGAPID: ranID(m.RANUENGAPID)}},
		ie{Id: ieID(ngapType.ProtocolIEIDNASPDU), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialUEMessageIEsPresentNASPDU, NASPDU: nasPDU(m.NASPDU)}},
		ie{Id: ieID(ngapType.ProtocolIEIDUserLocationInformation), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialUEMessageIEsPresentUserLocationInformation, UserLocationInformation: loc}},
		ie{Id: ieID(ngapType.ProtocolIEIDRRCEstablishmentCause), Criticality: crit(ignore),
			Value: val{Present: ngapType.InitialUEMessageIEsPresentRRCEstablishmentCause,
				RRCEstablishmentCause: &ngapType.RRCEstablishmentCause{Value: aper.Enumerated(m.RRCEstablishmentCause)}}},
	)
	if s := m.STMSI; s != nil {
		if s.AMFSetID > 0x3ff || s.AMFPointer > 0x3f {
			return nil, invalid("5G-S-TMSI set ID %#x / pointer %#x out of range", s.AMFSetID, s.AMFPointer)
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDFiveGSTMSI), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialUEMessageIEsPresentFiveGSTMSI, FiveGSTMSI: &ngapType.FiveGSTMSI{
				AMFSetID:   ngapType.AMFSetID{Value: bits(uint64(s.AMFSetID), 10)},
				AMFPointer: ngapType.AMFPointer{Value: bits(uint64(s.AMFPointer), 6)},
				FiveGTMSI:  ngapType.FiveGTMSI{Value: aper.OctetString{byte(s.TMSI >> 24), byte(s.TMSI >> 16), byte(s.TMSI >> 8), byte(s.TMSI)}},
			}}})
	}
	if m.UEContextRequest {
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDUEContextRequest), Criticality: crit(ignore),
			Value: val{Present: ngapType.InitialUEMessageIEsPresentUEContextRequest,
				UEContextRequest: &ngapType.UEContextRequest{Value: ngapType.UEContextRequestPresentRequested}}})
	}
	msg := &ngapType.InitialUEMessage{ProtocolIEs: ngapType.ProtocolIEContainerInitialUEMessageIEs{List: l}}
	return initiating(ngapType.ProcedureCodeInitialUEMessage, ignore, ngapType.InitiatingMessageValue{
		Present: ngapType.InitiatingMessagePresentInitialUEMessage, InitialUEMessage: msg})
}

func parseInitialUEMessage(v *ngapType.InitialUEMessage) (*InitialUEMessage, error) {
	m := &InitialUEMessage{}
	var x ids
	var hasNAS, hasLoc bool
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDRANUENGAPID:
			err = x.setRAN(val.RANUENGAPID)
		case ngapType.ProtocolIEIDNASPDU:
			if val.NASPDU != nil {
				m.NASPDU, hasNAS = cloneBytes(val.NASPDU.Value), true
			}
		case ngapType.ProtocolIEIDUserLocationInformation:
			if val.UserLocationInformation != nil {
				m.Location, err = locationFromNgap(val.UserLocationInformation)
				hasLoc = err == nil
			}
		case ngapType.ProtocolIEIDRRCEstablishmentCause:
			if c := val.RRCEstablishmentCause; c != nil && c.Value <= 0xff {
				m.RRCEstablishmentCause = uint8(c.Value)
			}
		case ngapType.ProtocolIEIDFiveGSTMSI:
			if s := val.FiveGSTMSI; s != nil {
				m.STMSI, err = stmsiFromNgap(s)
			}
		case ngapType.ProtocolIEIDUEContextRequest:
			m.UEContextRequest = val.UEContextRequest != nil
		}
		if err != nil {
			return nil, err
		}
	}
	if !x.hasRAN || !hasNAS || !hasLoc {
		return nil, missing("InitialUEMessage needs RAN UE NGAP ID, NAS-PDU and NR user location")
	}
	m.RANUENGAPID = uint32(x.ran)
	return m, nil
}

func stmsiFromNgap(s *ngapType.FiveGSTMSI) (*STMSI, error) {
	set, _, err := fromBits(s.AMFSetID.Value, 10, 10, "AMF set ID")
	if err != nil {
		return nil, err
	}
	ptr, _, err := fromBits(s.AMFPointer.Value, 6, 6, "AMF pointer")
	if err != nil {
		return nil, err
	}
	t := s.FiveGTMSI.Value
	if len(t) != 4 {
		return nil, fmt.Errorf("5G-TMSI: %d octets", len(t))
	}
	return &STMSI{AMFSetID: uint16(set), AMFPointer: uint8(ptr),
		TMSI: uint32(t[0])<<24 | uint32(t[1])<<16 | uint32(t[2])<<8 | uint32(t[3])}, nil
}

// UplinkNASTransport is UPLINK NAS TRANSPORT (TS 38.413 §9.2.5.3).
type UplinkNASTransport struct {
	AMFUENGAPID uint64
	RANUENGAPID uint32
	NASPDU      []byte
	Location    UserLocationNR
}

func (*UplinkNASTransport) Procedure() Procedure { return ProcUplinkNASTransport }
func (*UplinkNASTransport) Kind() Kind           { return Initiating }

// UEIDs returns both UE NGAP IDs.
func (m *UplinkNASTransport) UEIDs() UEIDs {
	return UEIDs{AMF: m.AMFUENGAPID, RAN: m.RANUENGAPID, HasAMF: true, HasRAN: true}
}

// Build returns the APER encoding.
func (m *UplinkNASTransport) Build() ([]byte, error) {
	if len(m.NASPDU) != 0 && m.AMFUENGAPID <= MaxAMFUENGAPID && checkLocation(m.Location) == nil {
		if b, ok := m.fastBuild(); ok {
			return b, nil
		}
	}
	return m.buildAPER()
}

// buildAPER encodes m through free5gc's APER encoder.
func (m *UplinkNASTransport) buildAPER() ([]byte, error) {
	if len(m.NASPDU) == 0 {
		return nil, invalid("UplinkNASTransport without NAS-PDU")
	}
	a, err := amfID(m.AMFUENGAPID)
	if err != nil {
		return nil, err
	}
	loc, err := locationToNgap(m.Location)
	if err != nil {
		return nil, err
	}
	type ie = ngapType.UplinkNASTransportIEs
	type val = ngapType.UplinkNASTransportIEsValue
	l := []ie{
		{Id: ieID(ngapType.ProtocolIEIDAMFUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.UplinkNASTransportIEsPresentAMFUENGAPID, AMFUENGAPID: a}},
		{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.UplinkNASTransportIEsPresentRANUENGAPID, RANUENGAPID: ranID(m.RANUENGAPID)}},
		{Id: ieID(ngapType.ProtocolIEIDNASPDU), Criticality: crit(reject),
			Value: val{Present: ngapType.UplinkNASTransportIEsPresentNASPDU, NASPDU: nasPDU(m.NASPDU)}},
		{Id: ieID(ngapType.ProtocolIEIDUserLocationInformation), Criticality: crit(ignore),
			Value: val{Present: ngapType.UplinkNASTransportIEsPresentUserLocationInformation, UserLocationInformation: loc}},
	}
	msg := &ngapType.UplinkNASTransport{ProtocolIEs: ngapType.ProtocolIEContainerUplinkNASTransportIEs{List: l}}
	return initiating(ngapType.ProcedureCodeUplinkNASTransport, ignore, ngapType.InitiatingMessageValue{
		Present: ngapType.InitiatingMessagePresentUplinkNASTransport, UplinkNASTransport: msg})
}

func parseUplinkNASTransport(v *ngapType.UplinkNASTransport) (*UplinkNASTransport, error) {
	m := &UplinkNASTransport{}
	var x ids
	var hasNAS, hasLoc bool
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDAMFUENGAPID:
			err = x.setAMF(val.AMFUENGAPID)
		case ngapType.ProtocolIEIDRANUENGAPID:
			err = x.setRAN(val.RANUENGAPID)
		case ngapType.ProtocolIEIDNASPDU:
			if val.NASPDU != nil {
				m.NASPDU, hasNAS = cloneBytes(val.NASPDU.Value), true
			}
		case ngapType.ProtocolIEIDUserLocationInformation:
			if val.UserLocationInformation != nil {
				m.Location, err = locationFromNgap(val.UserLocationInformation)
				hasLoc = err == nil
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if err := x.need(); err != nil {
		return nil, err
	}
	if !hasNAS || !hasLoc {
		return nil, missing("UplinkNASTransport needs NAS-PDU and NR user location")
	}
	m.AMFUENGAPID, m.RANUENGAPID = x.amf, uint32(x.ran)
	return m, nil
}

// DownlinkNASTransport is DOWNLINK NAS TRANSPORT (TS 38.413 §9.2.5.2).
type DownlinkNASTransport struct {
	AMFUENGAPID uint64
	RANUENGAPID uint32
	NASPDU      []byte
}

func (*DownlinkNASTransport) Procedure() Procedure { return ProcDownlinkNASTransport }
func (*DownlinkNASTransport) Kind() Kind           { return Initiating }

// UEIDs returns both UE NGAP IDs.
func (m *DownlinkNASTransport) UEIDs() UEIDs {
	return UEIDs{AMF: m.AMFUENGAPID, RAN: m.RANUENGAPID, HasAMF: true, HasRAN: true}
}

// Build returns the APER encoding.
func (m *DownlinkNASTransport) Build() ([]byte, error) {
	if len(m.NASPDU) != 0 && m.AMFUENGAPID <= MaxAMFUENGAPID {
		if b, ok := m.fastBuild(); ok {
			return b, nil
		}
	}
	return m.buildAPER()
}

// buildAPER encodes m through free5gc's APER encoder.
func (m *DownlinkNASTransport) buildAPER() ([]byte, error) {
	if len(m.NASPDU) == 0 {
		return nil, invalid("DownlinkNASTransport without NAS-PDU")
	}
	a, err := amfID(m.AMFUENGAPID)
	if err != nil {
		return nil, err
	}
	type ie = ngapType.DownlinkNASTransportIEs
	type val = ngapType.DownlinkNASTransportIEsValue
	l := []ie{
		{Id: ieID(ngapType.ProtocolIEIDAMFUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.DownlinkNASTransportIEsPresentAMFUENGAPID, AMFUENGAPID: a}},
		{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.DownlinkNASTransportIEsPresentRANUENGAPID, RANUENGAPID: ranID(m.RANUENGAPID)}},
		{Id: ieID(ngapType.ProtocolIEIDNASPDU), Criticality: crit(reject),
			Value: val{Present: ngapType.DownlinkNASTransportIEsPresentNASPDU, NASPDU: nasPDU(m.NASPDU)}},
	}
	msg := &ngapType.DownlinkNASTransport{ProtocolIEs: ngapType.ProtocolIEContainerDownlinkNASTransportIEs{List: l}}
	return initiating(ngapType.ProcedureCodeDownlinkNASTransport, ignore, ngapType.InitiatingMessageValue{
		Present: ngapType.InitiatingMessagePresentDownlinkNASTransport, DownlinkNASTransport: msg})
}

func parseDownlinkNASTransport(v *ngapType.DownlinkNASTransport) (*DownlinkNASTransport, error) {
	m := &DownlinkNASTransport{}
	var x ids
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDAMFUENGAPID:
			err = x.setAMF(val.AMFUENGAPID)
		case ngapType.ProtocolIEIDRANUENGAPID:
			err = x.setRAN(val.RANUENGAPID)
		case ngapType.ProtocolIEIDNASPDU:
			if val.NASPDU != nil {
				m.NASPDU = cloneBytes(val.NASPDU.Value)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if err := x.need(); err != nil {
		return nil, err
	}
	if m.NASPDU == nil {
		return nil, missing("DownlinkNASTransport needs NAS-PDU")
	}
	m.AMFUENGAPID, m.RANUENGAPID = x.amf, uint32(x.ran)
	return m, nil
}
