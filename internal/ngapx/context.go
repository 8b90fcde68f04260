package ngapx

import (
	"github.com/free5gc/aper"
	"github.com/free5gc/ngap/ngapType"
)

// PDUSessionSetupItem is one PDU session to set up (the SU and CxtReq list
// items): the NAS message for the UE, the slice, and the PDU Session
// Resource Setup Request Transfer the SMF built (PDUSessionSetupRequestTransfer.Build).
type PDUSessionSetupItem struct {
	ID       uint8
	NASPDU   []byte // nil = absent
	SNSSAI   SNSSAI
	Transfer []byte
}

// PDUSessionItem is a PDU session ID with an opaque transfer: setup
// response, unsuccessful setup, release command and release response
// transfers.
type PDUSessionItem struct {
	ID       uint8
	Transfer []byte
}

func bitRate(v uint64) (ngapType.BitRate, error) {
	if v > 4000000000000 {
		return ngapType.BitRate{}, invalid("bit rate %d above 4e12", v)
	}
	return ngapType.BitRate{Value: int64(v)}, nil
}

func ueAMBRToNgap(a AMBR) (*ngapType.UEAggregateMaximumBitRate, error) {
	dl, err := bitRate(a.DL)
	if err != nil {
		return nil, err
	}
	ul, err := bitRate(a.UL)
	if err != nil {
		return nil, err
	}
	return &ngapType.UEAggregateMaximumBitRate{UEAggregateMaximumBitRateDL: dl, UEAggregateMaximumBitRateUL: ul}, nil
}

func ambrFrom(dl, ul ngapType.BitRate) AMBR {
	return AMBR{DL: uint64(max(dl.Value, 0)), UL: uint64(max(ul.Value, 0))}
}

// InitialContextSetupRequest is INITIAL CONTEXT SETUP REQUEST (TS 38.413
// §9.2.2.1). SecurityKey is KgNB: it never appears in fmt output or errors.
type InitialContextSetupRequest struct {
	AMFUENGAPID            uint64
	RANUENGAPID            uint32
	UEAMBR                 *AMBR // nil = absent (required with PDU sessions)
	GUAMI                  GUAMI
	PDUSessions            []PDUSessionSetupItem // empty = absent
	AllowedNSSAI           []SNSSAI
	UESecurityCapabilities UESecurityCapabilities
	SecurityKey            KgNB
	NASPDU                 []byte // nil = absent
}

func (*InitialContextSetupRequest) Procedure() Procedure { return ProcInitialContextSetup }
func (*InitialContextSetupRequest) Kind() Kind           { return Initiating }

// UEIDs returns both UE NGAP IDs.
func (m *InitialContextSetupRequest) UEIDs() UEIDs {
	return UEIDs{AMF: m.AMFUENGAPID, RAN: m.RANUENGAPID, HasAMF: true, HasRAN: true}
}

// Build returns the APER encoding.
func (m *InitialContextSetupRequest) Build() ([]byte, error) {
	if m.AMFUENGAPID <= MaxAMFUENGAPID && validGUAMI(m.GUAMI) == nil && len(m.AllowedNSSAI) > 0 {
		if b, ok := m.fastBuild(); ok {
			return b, nil
		}
	}
	return m.buildAPER()
}

// buildAPER encodes m through free5gc's APER encoder.
func (m *InitialContextSetupRequest) buildAPER() ([]byte, error) {
	a, err := amfID(m.AMFUENGAPID)
	if err != nil {
		return nil, err
	}
	if err := validGUAMI(m.GUAMI); err != nil {
		return nil, err
	}
	if len(m.AllowedNSSAI) == 0 {
		return nil, invalid("InitialContextSetupRequest without allowed NSSAI")
	}
	type ie = ngapType.InitialContextSetupRequestIEs
	type val = ngapType.InitialContextSetupRequestIEsValue
	l := make([]ie, 0, 9)
	l = append(l,
		ie{Id: ieID(ngapType.ProtocolIEIDAMFUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialContextSetupRequestIEsPresentAMFUENGAPID, AMFUENGAPID: a}},
		ie{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialContextSetupRequestIEsPresentRANUENGAPID, RANUENGAPID: ranID(m.RANUENGAPID)}})
	if m.UEAMBR != nil {
		ambr, err := ueAMBRToNgap(*m.UEAMBR)
		if err != nil {
			return nil, err
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDUEAggregateMaximumBitRate), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialContextSetupRequestIEsPresentUEAggregateMaximumBitRate, UEAggregateMaximumBitRate: ambr}})
	}
	g := guamiToNgap(m.GUAMI)
	l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDGUAMI), Criticality: crit(reject),
		Value: val{Present: ngapType.InitialContextSetupRequestIEsPresentGUAMI, GUAMI: &g}})
	if len(m.PDUSessions) > 0 {
		list := &ngapType.PDUSessionResourceSetupListCxtReq{List: make([]ngapType.PDUSessionResourceSetupItemCxtReq, len(m.PDUSessions))}
		for i, s := range m.PDUSessions {
			it := &list.List[i]
			it.PDUSessionID, it.SNSSAI, it.PDUSessionResourceSetupRequestTransfer = pduSessionID(s.ID), snssaiToNgap(s.SNSSAI), s.Transfer
			if s.NASPDU != nil {
				it.NASPDU = nasPDU(s.NASPDU)
			}
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDPDUSessionResourceSetupListCxtReq), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialContextSetupRequestIEsPresentPDUSessionResourceSetupListCxtReq, PDUSessionResourceSetupListCxtReq: list}})
	}
	key := aper.BitString{Bytes: append([]byte(nil), m.SecurityKey[:]...), BitLength: 256}
	l = append(l,
		ie{Id: ieID(ngapType.ProtocolIEIDAllowedNSSAI), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialContextSetupRequestIEsPresentAllowedNSSAI, AllowedNSSAI: allowedNSSAIToNgap(m.AllowedNSSAI)}},
		ie{Id: ieID(ngapType.ProtocolIEIDUESecurityCapabilities), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialContextSetupRequestIEsPresentUESecurityCapabilities, UESecurityCapabilities: secCapsToNgap(m.UESecurityCapabilities)}},
		ie{Id: ieID(ngapType.ProtocolIEIDSecurityKey), Criticality: crit(reject),
			Value: val{Present: ngapType.InitialContextSetupRequestIEsPresentSecurityKey, SecurityKey: &ngapType.SecurityKey{Value: key}}},
	)
	if m.NASPDU != nil {
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDNASPDU), Criticality: crit(ignore),
			Value: val{Present: ngapType.InitialContextSetupRequestIEsPresentNASPDU, NASPDU: nasPDU(m.NASPDU)}})
	}
	msg := &ngapType.InitialContextSetupRequest{ProtocolIEs: ngapType.ProtocolIEContainerInitialContextSetupRequestIEs{List: l}}
	return initiating(ngapType.ProcedureCodeInitialContextSetup, reject, ngapType.InitiatingMessageValue{
		Present: ngapType.InitiatingMessagePresentInitialContextSetupRequest, InitialContextSetupRequest: msg})
}

func parseInitialContextSetupRequest(v *ngapType.InitialContextSetupRequest) (*InitialContextSetupRequest, error) {
	m := &InitialContextSetupRequest{}
	var x ids
	var hasGUAMI, hasNSSAI, hasCaps, hasKey bool
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDAMFUENGAPID:
			err = x.setAMF(val.AMFUENGAPID)
		case ngapType.ProtocolIEIDRANUENGAPID:
			err = x.setRAN(val.RANUENGAPID)
		case ngapType.ProtocolIEIDUEAggregateMaximumBitRate:
			if a := val.UEAggregateMaximumBitRate; a != nil {
				ambr := ambrFrom(a.UEAggregateMaximumBitRateDL, a.UEAggregateMaximumBitRateUL)
				m.UEAMBR = &ambr
			}
		case ngapType.ProtocolIEIDGUAMI:
			if val.GUAMI != nil {
				m.GUAMI, err = guamiFromNgap(*val.GUAMI)
				hasGUAMI = err == nil
			}
		case ngapType.ProtocolIEIDPDUSessionResourceSetupListCxtReq:
			if l := val.PDUSessionResourceSetupListCxtReq; l != nil {
				m.PDUSessions = make([]PDUSessionSetupItem, len(l.List))
				for i, s := range l.List {
					if m.PDUSessions[i], err = setupItemFrom(s.PDUSessionID, s.NASPDU, s.SNSSAI, s.PDUSessionResourceSetupRequestTransfer); err != nil {
						break
					}
				}
			}
		case ngapType.ProtocolIEIDAllowedNSSAI:
			if val.AllowedNSSAI != nil {
				m.AllowedNSSAI, err = allowedNSSAIFromNgap(val.AllowedNSSAI)
				hasNSSAI = err == nil
			}
		case ngapType.ProtocolIEIDUESecurityCapabilities:
			if val.UESecurityCapabilities != nil {
				m.UESecurityCapabilities, err = secCapsFromNgap(val.UESecurityCapabilities)
				hasCaps = err == nil
			}
		case ngapType.ProtocolIEIDSecurityKey:
			if k := val.SecurityKey; k != nil {
				if k.Value.BitLength != 256 {
					return nil, missing("security key of %d bits", k.Value.BitLength)
				}
				err = m.SecurityKey.setFromBits(k.Value.Bytes)
				hasKey = err == nil
			}
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
	if !hasGUAMI || !hasNSSAI || !hasCaps || !hasKey {
		return nil, missing("InitialContextSetupRequest needs GUAMI, allowed NSSAI, UE security capabilities and security key")
	}
	m.AMFUENGAPID, m.RANUENGAPID = x.amf, uint32(x.ran)
	return m, nil
}

func setupItemFrom(id ngapType.PDUSessionID, nas *ngapType.NASPDU, s ngapType.SNSSAI, transfer aper.OctetString) (PDUSessionSetupItem, error) {
	sn, err := snssaiFromNgap(s)
	if err != nil {
		return PDUSessionSetupItem{}, err
	}
	it := PDUSessionSetupItem{ID: pduSessionIDFrom(id), SNSSAI: sn, Transfer: cloneBytes(transfer)}
	if nas != nil {
		it.NASPDU = cloneBytes(nas.Value)
	}
	return it, nil
}

// InitialContextSetupResponse is INITIAL CONTEXT SETUP RESPONSE (TS 38.413
// §9.2.2.2). Transfers are PDU Session Resource Setup Response Transfers
// (PDUSessions) and Setup Unsuccessful Transfers (Failed).
type InitialContextSetupResponse struct {
	AMFUENGAPID uint64
	RANUENGAPID uint32
	PDUSessions []PDUSessionItem // empty = absent
	Failed      []PDUSessionItem // empty = absent
}

func (*InitialContextSetupResponse) Procedure() Procedure { return ProcInitialContextSetup }
func (*InitialContextSetupResponse) Kind() Kind           { return Successful }

// UEIDs returns both UE NGAP IDs.
func (m *InitialContextSetupResponse) UEIDs() UEIDs {
	return UEIDs{AMF: m.AMFUENGAPID, RAN: m.RANUENGAPID, HasAMF: true, HasRAN: true}
}

// Build returns the APER encoding.
func (m *InitialContextSetupResponse) Build() ([]byte, error) {
	if m.AMFUENGAPID <= MaxAMFUENGAPID {
		if b, ok := m.fastBuild(); ok {
			return b, nil
		}
	}
	return m.buildAPER()
}

// buildAPER encodes m through free5gc's APER encoder.
func (m *InitialContextSetupResponse) buildAPER() ([]byte, error) {
	a, err := amfID(m.AMFUENGAPID)
	if err != nil {
		return nil, err
	}
	type ie = ngapType.InitialContextSetupResponseIEs
	type val = ngapType.InitialContextSetupResponseIEsValue
	l := []ie{
		{Id: ieID(ngapType.ProtocolIEIDAMFUENGAPID), Criticality: crit(ignore),
			Value: val{Present: ngapType.InitialContextSetupResponseIEsPresentAMFUENGAPID, AMFUENGAPID: a}},
		{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(ignore),
			Value: val{Present: ngapType.InitialContextSetupResponseIEsPresentRANUENGAPID, RANUENGAPID: ranID(m.RANUENGAPID)}},
	}
	if len(m.PDUSessions) > 0 {
		list := &ngapType.PDUSessionResourceSetupListCxtRes{List: make([]ngapType.PDUSessionResourceSetupItemCxtRes, len(m.PDUSessions))}
		for i, s := range m.PDUSessions {
			list.List[i] = ngapType.PDUSessionResourceSetupItemCxtRes{PDUSessionID: pduSessionID(s.ID), PDUSessionResourceSetupResponseTransfer: s.Transfer}
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDPDUSessionResourceSetupListCxtRes), Criticality: crit(ignore),
			Value: val{Present: ngapType.InitialContextSetupResponseIEsPresentPDUSessionResourceSetupListCxtRes, PDUSessionResourceSetupListCxtRes: list}})
	}
	if len(m.Failed) > 0 {
		list := &ngapType.PDUSessionResourceFailedToSetupListCxtRes{List: make([]ngapType.PDUSessionResourceFailedToSetupItemCxtRes, len(m.Failed))}
		for i, s := range m.Failed {
			list.List[i] = ngapType.PDUSessionResourceFailedToSetupItemCxtRes{PDUSessionID: pduSessionID(s.ID), PDUSessionResourceSetupUnsuccessfulTransfer: s.Transfer}
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDPDUSessionResourceFailedToSetupListCxtRes), Criticality: crit(ignore),
			Value: val{Present: ngapType.InitialContextSetupResponseIEsPresentPDUSessionResourceFailedToSetupListCxtRes, PDUSessionResourceFailedToSetupListCxtRes: list}})
	}
	msg := &ngapType.InitialContextSetupResponse{ProtocolIEs: ngapType.ProtocolIEContainerInitialContextSetupResponseIEs{List: l}}
	return successful(ngapType.ProcedureCodeInitialContextSetup, reject, ngapType.SuccessfulOutcomeValue{
		Present: ngapType.SuccessfulOutcomePresentInitialContextSetupResponse, InitialContextSetupResponse: msg})
}

func parseInitialContextSetupResponse(v *ngapType.InitialContextSetupResponse) (*InitialContextSetupResponse, error) {
	m := &InitialContextSetupResponse{}
	var x ids
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDAMFUENGAPID:
			err = x.setAMF(val.AMFUENGAPID)
		case ngapType.ProtocolIEIDRANUENGAPID:
			err = x.setRAN(val.RANUENGAPID)
		case ngapType.ProtocolIEIDPDUSessionResourceSetupListCxtRes:
			if l := val.PDUSessionResourceSetupListCxtRes; l != nil {
				for _, s := range l.List {
					m.PDUSessions = append(m.PDUSessions, PDUSessionItem{ID: pduSessionIDFrom(s.PDUSessionID), Transfer: cloneBytes(s.PDUSessionResourceSetupResponseTransfer)})
				}
			}
		case ngapType.ProtocolIEIDPDUSessionResourceFailedToSetupListCxtRes:
			if l := val.PDUSessionResourceFailedToSetupListCxtRes; l != nil {
				for _, s := range l.List {
					m.Failed = append(m.Failed, PDUSessionItem{ID: pduSessionIDFrom(s.PDUSessionID), Transfer: cloneBytes(s.PDUSessionResourceSetupUnsuccessfulTransfer)})
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if err := x.need(); err != nil {
		return nil, err
	}
	m.AMFUENGAPID, m.RANUENGAPID = x.amf, uint32(x.ran)
	return m, nil
}

// UEContextReleaseCommand is UE CONTEXT RELEASE COMMAND (TS 38.413 §9.2.2.5).
// With RANUENGAPID nil the UE NGAP IDs choice is the AMF UE NGAP ID alone.
type UEContextReleaseCommand struct {
	AMFUENGAPID uint64
	RANUENGAPID *uint32
	Cause       Cause
}

func (*UEContextReleaseCommand) Procedure() Procedure { return ProcUEContextRelease }
func (*UEContextReleaseCommand) Kind() Kind           { return Initiating }

// UEIDs returns the UE NGAP IDs present.
func (m *UEContextReleaseCommand) UEIDs() UEIDs {
	u := UEIDs{AMF: m.AMFUENGAPID, HasAMF: true}
	if m.RANUENGAPID != nil {
		u.RAN, u.HasRAN = *m.RANUENGAPID, true
	}
	return u
}

// Build returns the APER encoding.
func (m *UEContextReleaseCommand) Build() ([]byte, error) {
	a, err := amfID(m.AMFUENGAPID)
	if err != nil {
		return nil, err
	}
	c, err := causeToNgap(m.Cause)
	if err != nil {
		return nil, err
	}
	id := &ngapType.UENGAPIDs{Present: ngapType.UENGAPIDsPresentAMFUENGAPID, AMFUENGAPID: a}
	if m.RANUENGAPID != nil {
		id = &ngapType.UENGAPIDs{Present: ngapType.UENGAPIDsPresentUENGAPIDPair,
			UENGAPIDPair: &ngapType.UENGAPIDPair{AMFUENGAPID: *a, RANUENGAPID: *ranID(*m.RANUENGAPID)}}
	}
	type ie = ngapType.UEContextReleaseCommandIEs
	type val = ngapType.UEContextReleaseCommandIEsValue
	l := []ie{
		{Id: ieID(ngapType.ProtocolIEIDUENGAPIDs), Criticality: crit(reject),
			Value: val{Present: ngapType.UEContextReleaseCommandIEsPresentUENGAPIDs, UENGAPIDs: id}},
		{Id: ieID(ngapType.ProtocolIEIDCause), Criticality: crit(ignore),
			Value: val{Present: ngapType.UEContextReleaseCommandIEsPresentCause, Cause: c}},
	}
	msg := &ngapType.UEContextReleaseCommand{ProtocolIEs: ngapType.ProtocolIEContainerUEContextReleaseCommandIEs{List: l}}
	return initiating(ngapType.ProcedureCodeUEContextRelease, reject, ngapType.InitiatingMessageValue{
		Present: ngapType.InitiatingMessagePresentUEContextReleaseCommand, UEContextReleaseCommand: msg})
}

func parseUEContextReleaseCommand(v *ngapType.UEContextReleaseCommand) (*UEContextReleaseCommand, error) {
	m := &UEContextReleaseCommand{}
	var hasIDs, hasCause bool
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDUENGAPIDs:
			if id := val.UENGAPIDs; id != nil {
				var x ids
				switch {
				case id.Present == ngapType.UENGAPIDsPresentUENGAPIDPair && id.UENGAPIDPair != nil:
					if err = x.setAMF(&id.UENGAPIDPair.AMFUENGAPID); err == nil {
						err = x.setRAN(&id.UENGAPIDPair.RANUENGAPID)
					}
				case id.Present == ngapType.UENGAPIDsPresentAMFUENGAPID && id.AMFUENGAPID != nil:
					err = x.setAMF(id.AMFUENGAPID)
				default:
					return nil, missing("UE NGAP IDs choice %d", id.Present)
				}
				m.AMFUENGAPID, hasIDs = x.amf, err == nil
				if x.hasRAN {
					r := uint32(x.ran)
					m.RANUENGAPID = &r
				}
			}
		case ngapType.ProtocolIEIDCause:
			if val.Cause != nil {
				m.Cause, err = causeFromNgap(val.Cause)
				hasCause = err == nil
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if !hasIDs || !hasCause {
		return nil, missing("UEContextReleaseCommand needs UE NGAP IDs and cause")
	}
	return m, nil
}

// UEContextReleaseComplete is UE CONTEXT RELEASE COMPLETE (TS 38.413 §9.2.2.6).
type UEContextReleaseComplete struct {
	AMFUENGAPID uint64
	RANUENGAPID uint32
}

func (*UEContextReleaseComplete) Procedure() Procedure { return ProcUEContextRelease }
func (*UEContextReleaseComplete) Kind() Kind           { return Successful }

// UEIDs returns both UE NGAP IDs.
func (m *UEContextReleaseComplete) UEIDs() UEIDs {
	return UEIDs{AMF: m.AMFUENGAPID, RAN: m.RANUENGAPID, HasAMF: true, HasRAN: true}
}

// Build returns the APER encoding.
func (m *UEContextReleaseComplete) Build() ([]byte, error) {
	a, err := amfID(m.AMFUENGAPID)
	if err != nil {
		return nil, err
	}
	type ie = ngapType.UEContextReleaseCompleteIEs
	type val = ngapType.UEContextReleaseCompleteIEsValue
	l := []ie{
		{Id: ieID(ngapType.ProtocolIEIDAMFUENGAPID), Criticality: crit(ignore),
			Value: val{Present: ngapType.UEContextReleaseCompleteIEsPresentAMFUENGAPID, AMFUENGAPID: a}},
		{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(ignore),
			Value: val{Present: ngapType.UEContextReleaseCompleteIEsPresentRANUENGAPID, RANUENGAPID: ranID(m.RANUENGAPID)}},
	}
	msg := &ngapType.UEContextReleaseComplete{ProtocolIEs: ngapType.ProtocolIEContainerUEContextReleaseCompleteIEs{List: l}}
	return successful(ngapType.ProcedureCodeUEContextRelease, reject, ngapType.SuccessfulOutcomeValue{
		Present: ngapType.SuccessfulOutcomePresentUEContextReleaseComplete, UEContextReleaseComplete: msg})
}

func parseUEContextReleaseComplete(v *ngapType.UEContextReleaseComplete) (*UEContextReleaseComplete, error) {
	var x ids
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDAMFUENGAPID:
			err = x.setAMF(val.AMFUENGAPID)
		case ngapType.ProtocolIEIDRANUENGAPID:
			err = x.setRAN(val.RANUENGAPID)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := x.need(); err != nil {
		return nil, err
	}
	return &UEContextReleaseComplete{AMFUENGAPID: x.amf, RANUENGAPID: uint32(x.ran)}, nil
}
