package ngapx

import (
	"github.com/free5gc/ngap/ngapType"
)

// PDUSessionResourceSetupRequest is PDU SESSION RESOURCE SETUP REQUEST
// (TS 38.413 §9.2.1.1).
type PDUSessionResourceSetupRequest struct {
	AMFUENGAPID uint64
	RANUENGAPID uint32
	NASPDU      []byte // nil = absent
	PDUSessions []PDUSessionSetupItem
	UEAMBR      *AMBR // nil = absent
}

func (*PDUSessionResourceSetupRequest) Procedure() Procedure { return ProcPDUSessionResourceSetup }
func (*PDUSessionResourceSetupRequest) Kind() Kind           { return Initiating }

// UEIDs returns both UE NGAP IDs.
func (m *PDUSessionResourceSetupRequest) UEIDs() UEIDs {
	return UEIDs{AMF: m.AMFUENGAPID, RAN: m.RANUENGAPID, HasAMF: true, HasRAN: true}
}

// Build returns the APER encoding.
func (m *PDUSessionResourceSetupRequest) Build() ([]byte, error) {
	a, err := amfID(m.AMFUENGAPID)
	if err != nil {
		return nil, err
	}
	if len(m.PDUSessions) == 0 {
		return nil, invalid("PDUSessionResourceSetupRequest without PDU sessions")
	}
	type ie = ngapType.PDUSessionResourceSetupRequestIEs
	type val = ngapType.PDUSessionResourceSetupRequestIEsValue
	l := []ie{
		{Id: ieID(ngapType.ProtocolIEIDAMFUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.PDUSessionResourceSetupRequestIEsPresentAMFUENGAPID, AMFUENGAPID: a}},
		{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.PDUSessionResourceSetupRequestIEsPresentRANUENGAPID, RANUENGAPID: ranID(m.RANUENGAPID)}},
	}
	if m.NASPDU != nil {
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDNASPDU), Criticality: crit(reject),
			Value: val{Present: ngapType.PDUSessionResourceSetupRequestIEsPresentNASPDU, NASPDU: nasPDU(m.NASPDU)}})
	}
	list := &ngapType.PDUSessionResourceSetupListSUReq{List: make([]ngapType.PDUSessionResourceSetupItemSUReq, len(m.PDUSessions))}
	for i, s := range m.PDUSessions {
		it := &list.List[i]
		it.PDUSessionID, it.SNSSAI, it.PDUSessionResourceSetupRequestTransfer = pduSessionID(s.ID), snssaiToNgap(s.SNSSAI), s.Transfer
		if s.NASPDU != nil {
			it.PDUSessionNASPDU = nasPDU(s.NASPDU)
		}
	}
	l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDPDUSessionResourceSetupListSUReq), Criticality: crit(reject),
		Value: val{Present: ngapType.PDUSessionResourceSetupRequestIEsPresentPDUSessionResourceSetupListSUReq, PDUSessionResourceSetupListSUReq: list}})
	if m.UEAMBR != nil {
		ambr, err := ueAMBRToNgap(*m.UEAMBR)
		if err != nil {
			return nil, err
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDUEAggregateMaximumBitRate), Criticality: crit(ignore),
			Value: val{Present: ngapType.PDUSessionResourceSetupRequestIEsPresentUEAggregateMaximumBitRate, UEAggregateMaximumBitRate: ambr}})
	}
	msg := &ngapType.PDUSessionResourceSetupRequest{ProtocolIEs: ngapType.ProtocolIEContainerPDUSessionResourceSetupRequestIEs{List: l}}
	return initiating(ngapType.ProcedureCodePDUSessionResourceSetup, reject, ngapType.InitiatingMessageValue{
		Present: ngapType.InitiatingMessagePresentPDUSessionResourceSetupRequest, PDUSessionResourceSetupRequest: msg})
}

func parsePDUSessionResourceSetupRequest(v *ngapType.PDUSessionResourceSetupRequest) (*PDUSessionResourceSetupRequest, error) {
	m := &PDUSessionResourceSetupRequest{}
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
		case ngapType.ProtocolIEIDPDUSessionResourceSetupListSUReq:
			if l := val.PDUSessionResourceSetupListSUReq; l != nil {
				m.PDUSessions = make([]PDUSessionSetupItem, len(l.List))
				for i, s := range l.List {
					if m.PDUSessions[i], err = setupItemFrom(s.PDUSessionID, s.PDUSessionNASPDU, s.SNSSAI, s.PDUSessionResourceSetupRequestTransfer); err != nil {
						break
					}
				}
			}
		case ngapType.ProtocolIEIDUEAggregateMaximumBitRate:
			if a := val.UEAggregateMaximumBitRate; a != nil {
				ambr := ambrFrom(a.UEAggregateMaximumBitRateDL, a.UEAggregateMaximumBitRateUL)
				m.UEAMBR = &ambr
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if err := x.need(); err != nil {
		return nil, err
	}
	if len(m.PDUSessions) == 0 {
		return nil, missing("PDUSessionResourceSetupRequest needs the PDU session resource setup list")
	}
	m.AMFUENGAPID, m.RANUENGAPID = x.amf, uint32(x.ran)
	return m, nil
}

// PDUSessionResourceSetupResponse is PDU SESSION RESOURCE SETUP RESPONSE
// (TS 38.413 §9.2.1.2). Transfers are Setup Response Transfers (Setup) and
// Setup Unsuccessful Transfers (Failed).
type PDUSessionResourceSetupResponse struct {
	AMFUENGAPID uint64
	RANUENGAPID uint32
	Setup       []PDUSessionItem // empty = absent
	Failed      []PDUSessionItem // empty = absent
}

func (*PDUSessionResourceSetupResponse) Procedure() Procedure { return ProcPDUSessionResourceSetup }
func (*PDUSessionResourceSetupResponse) Kind() Kind           { return Successful }

// UEIDs returns both UE NGAP IDs.
func (m *PDUSessionResourceSetupResponse) UEIDs() UEIDs {
	return UEIDs{AMF: m.AMFUENGAPID, RAN: m.RANUENGAPID, HasAMF: true, HasRAN: true}
}

// Build returns the APER encoding.
func (m *PDUSessionResourceSetupResponse) Build() ([]byte, error) {
	a, err := amfID(m.AMFUENGAPID)
	if err != nil {
		return nil, err
	}
	type ie = ngapType.PDUSessionResourceSetupResponseIEs
	type val = ngapType.PDUSessionResourceSetupResponseIEsValue
	l := []ie{
		{Id: ieID(ngapType.ProtocolIEIDAMFUENGAPID), Criticality: crit(ignore),
			Value: val{Present: ngapType.PDUSessionResourceSetupResponseIEsPresentAMFUENGAPID, AMFUENGAPID: a}},
		{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(ignore),
			Value: val{Present: ngapType.PDUSessionResourceSetupResponseIEsPresentRANUENGAPID, RANUENGAPID: ranID(m.RANUENGAPID)}},
	}
	if len(m.Setup) > 0 {
		list := &ngapType.PDUSessionResourceSetupListSURes{List: make([]ngapType.PDUSessionResourceSetupItemSURes, len(m.Setup))}
		for i, s := range m.Setup {
			list.List[i] = ngapType.PDUSessionResourceSetupItemSURes{PDUSessionID: pduSessionID(s.ID), PDUSessionResourceSetupResponseTransfer: s.Transfer}
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDPDUSessionResourceSetupListSURes), Criticality: crit(ignore),
			Value: val{Present: ngapType.PDUSessionResourceSetupResponseIEsPresentPDUSessionResourceSetupListSURes, PDUSessionResourceSetupListSURes: list}})
	}
	if len(m.Failed) > 0 {
		list := &ngapType.PDUSessionResourceFailedToSetupListSURes{List: make([]ngapType.PDUSessionResourceFailedToSetupItemSURes, len(m.Failed))}
		for i, s := range m.Failed {
			list.List[i] = ngapType.PDUSessionResourceFailedToSetupItemSURes{PDUSessionID: pduSessionID(s.ID), PDUSessionResourceSetupUnsuccessfulTransfer: s.Transfer}
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDPDUSessionResourceFailedToSetupListSURes), Criticality: crit(ignore),
			Value: val{Present: ngapType.PDUSessionResourceSetupResponseIEsPresentPDUSessionResourceFailedToSetupListSURes, PDUSessionResourceFailedToSetupListSURes: list}})
	}
	msg := &ngapType.PDUSessionResourceSetupResponse{ProtocolIEs: ngapType.ProtocolIEContainerPDUSessionResourceSetupResponseIEs{List: l}}
	return successful(ngapType.ProcedureCodePDUSessionResourceSetup, reject, ngapType.SuccessfulOutcomeValue{
		Present: ngapType.SuccessfulOutcomePresentPDUSessionResourceSetupResponse, PDUSessionResourceSetupResponse: msg})
}

func parsePDUSessionResourceSetupResponse(v *ngapType.PDUSessionResourceSetupResponse) (*PDUSessionResourceSetupResponse, error) {
	m := &PDUSessionResourceSetupResponse{}
	var x ids
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDAMFUENGAPID:
			err = x.setAMF(val.AMFUENGAPID)
		case ngapType.ProtocolIEIDRANUENGAPID:
			err = x.setRAN(val.RANUENGAPID)
		case ngapType.ProtocolIEIDPDUSessionResourceSetupListSURes:
			if l := val.PDUSessionResourceSetupListSURes; l != nil {
				for _, s := range l.List {
					m.Setup = append(m.Setup, PDUSessionItem{ID: pduSessionIDFrom(s.PDUSessionID), Transfer: cloneBytes(s.PDUSessionResourceSetupResponseTransfer)})
				}
			}
		case ngapType.ProtocolIEIDPDUSessionResourceFailedToSetupListSURes:
			if l := val.PDUSessionResourceFailedToSetupListSURes; l != nil {
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

// PDUSessionResourceReleaseCommand is PDU SESSION RESOURCE RELEASE COMMAND
// (TS 38.413 §9.2.1.5). Transfers are Release Command Transfers.
type PDUSessionResourceReleaseCommand struct {
	AMFUENGAPID uint64
	RANUENGAPID uint32
	NASPDU      []byte // nil = absent
	PDUSessions []PDUSessionItem
}

func (*PDUSessionResourceReleaseCommand) Procedure() Procedure { return ProcPDUSessionResourceRelease }
func (*PDUSessionResourceReleaseCommand) Kind() Kind           { return Initiating }

// UEIDs returns both UE NGAP IDs.
func (m *PDUSessionResourceReleaseCommand) UEIDs() UEIDs {
	return UEIDs{AMF: m.AMFUENGAPID, RAN: m.RANUENGAPID, HasAMF: true, HasRAN: true}
}

// Build returns the APER encoding.
func (m *PDUSessionResourceReleaseCommand) Build() ([]byte, error) {
	a, err := amfID(m.AMFUENGAPID)
	if err != nil {
		return nil, err
	}
	if len(m.PDUSessions) == 0 {
		return nil, invalid("PDUSessionResourceReleaseCommand without PDU sessions")
	}
	type ie = ngapType.PDUSessionResourceReleaseCommandIEs
	type val = ngapType.PDUSessionResourceReleaseCommandIEsValue
	l := []ie{
		{Id: ieID(ngapType.ProtocolIEIDAMFUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.PDUSessionResourceReleaseCommandIEsPresentAMFUENGAPID, AMFUENGAPID: a}},
		{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(reject),
			Value: val{Present: ngapType.PDUSessionResourceReleaseCommandIEsPresentRANUENGAPID, RANUENGAPID: ranID(m.RANUENGAPID)}},
	}
	if m.NASPDU != nil {
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDNASPDU), Criticality: crit(ignore),
			Value: val{Present: ngapType.PDUSessionResourceReleaseCommandIEsPresentNASPDU, NASPDU: nasPDU(m.NASPDU)}})
	}
	list := &ngapType.PDUSessionResourceToReleaseListRelCmd{List: make([]ngapType.PDUSessionResourceToReleaseItemRelCmd, len(m.PDUSessions))}
	for i, s := range m.PDUSessions {
		list.List[i] = ngapType.PDUSessionResourceToReleaseItemRelCmd{PDUSessionID: pduSessionID(s.ID), PDUSessionResourceReleaseCommandTransfer: s.Transfer}
	}
	l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDPDUSessionResourceToReleaseListRelCmd), Criticality: crit(reject),
		Value: val{Present: ngapType.PDUSessionResourceReleaseCommandIEsPresentPDUSessionResourceToReleaseListRelCmd, PDUSessionResourceToReleaseListRelCmd: list}})
	msg := &ngapType.PDUSessionResourceReleaseCommand{ProtocolIEs: ngapType.ProtocolIEContainerPDUSessionResourceReleaseCommandIEs{List: l}}
	return initiating(ngapType.ProcedureCodePDUSessionResourceRelease, reject, ngapType.InitiatingMessageValue{
		Present: ngapType.InitiatingMessagePresentPDUSessionResourceReleaseCommand, PDUSessionResourceReleaseCommand: msg})
}

func parsePDUSessionResourceReleaseCommand(v *ngapType.PDUSessionResourceReleaseCommand) (*PDUSessionResourceReleaseCommand, error) {
	m := &PDUSessionResourceReleaseCommand{}
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
		case ngapType.ProtocolIEIDPDUSessionResourceToReleaseListRelCmd:
			if l := val.PDUSessionResourceToReleaseListRelCmd; l != nil {
				for _, s := range l.List {
					m.PDUSessions = append(m.PDUSessions, PDUSessionItem{ID: pduSessionIDFrom(s.PDUSessionID), Transfer: cloneBytes(s.PDUSessionResourceReleaseCommandTransfer)})
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
	if len(m.PDUSessions) == 0 {
		return nil, missing("PDUSessionResourceReleaseCommand needs the list of sessions to release")
	}
	m.AMFUENGAPID, m.RANUENGAPID = x.amf, uint32(x.ran)
	return m, nil
}

// PDUSessionResourceReleaseResponse is PDU SESSION RESOURCE RELEASE
// RESPONSE (TS 38.413 §9.2.1.6). Transfers are Release Response Transfers.
type PDUSessionResourceReleaseResponse struct {
	AMFUENGAPID uint64
	RANUENGAPID uint32
	PDUSessions []PDUSessionItem
}

func (*PDUSessionResourceReleaseResponse) Procedure() Procedure { return ProcPDUSessionResourceRelease }
func (*PDUSessionResourceReleaseResponse) Kind() Kind           { return Successful }

// UEIDs returns both UE NGAP IDs.
func (m *PDUSessionResourceReleaseResponse) UEIDs() UEIDs {
	return UEIDs{AMF: m.AMFUENGAPID, RAN: m.RANUENGAPID, HasAMF: true, HasRAN: true}
}

// Build returns the APER encoding.
func (m *PDUSessionResourceReleaseResponse) Build() ([]byte, error) {
	a, err := amfID(m.AMFUENGAPID)
	if err != nil {
		return nil, err
	}
	if len(m.PDUSessions) == 0 {
		return nil, invalid("PDUSessionResourceReleaseResponse without PDU sessions")
	}
	type ie = ngapType.PDUSessionResourceReleaseResponseIEs
	type val = ngapType.PDUSessionResourceReleaseResponseIEsValue
	list := &ngapType.PDUSessionResourceReleasedListRelRes{List: make([]ngapType.PDUSessionResourceReleasedItemRelRes, len(m.PDUSessions))}
	for i, s := range m.PDUSessions {
		list.List[i] = ngapType.PDUSessionResourceReleasedItemRelRes{PDUSessionID: pduSessionID(s.ID), PDUSessionResourceReleaseResponseTransfer: s.Transfer}
	}
	l := []ie{
		{Id: ieID(ngapType.ProtocolIEIDAMFUENGAPID), Criticality: crit(ignore),
			Value: val{Present: ngapType.PDUSessionResourceReleaseResponseIEsPresentAMFUENGAPID, AMFUENGAPID: a}},
		{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(ignore),
			Value: val{Present: ngapType.PDUSessionResourceReleaseResponseIEsPresentRANUENGAPID, RANUENGAPID: ranID(m.RANUENGAPID)}},
		{Id: ieID(ngapType.ProtocolIEIDPDUSessionResourceReleasedListRelRes), Criticality: crit(ignore),
			Value: val{Present: ngapType.PDUSessionResourceReleaseResponseIEsPresentPDUSessionResourceReleasedListRelRes, PDUSessionResourceReleasedListRelRes: list}},
	}
	msg := &ngapType.PDUSessionResourceReleaseResponse{ProtocolIEs: ngapType.ProtocolIEContainerPDUSessionResourceReleaseResponseIEs{List: l}}
	return successful(ngapType.ProcedureCodePDUSessionResourceRelease, reject, ngapType.SuccessfulOutcomeValue{
		Present: ngapType.SuccessfulOutcomePresentPDUSessionResourceReleaseResponse, PDUSessionResourceReleaseResponse: msg})
}

func parsePDUSessionResourceReleaseResponse(v *ngapType.PDUSessionResourceReleaseResponse) (*PDUSessionResourceReleaseResponse, error) {
	m := &PDUSessionResourceReleaseResponse{}
	var x ids
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDAMFUENGAPID:
			err = x.setAMF(val.AMFUENGAPID)
		case ngapType.ProtocolIEIDRANUENGAPID:
			err = x.setRAN(val.RANUENGAPID)
		case ngapType.ProtocolIEIDPDUSessionResourceReleasedListRelRes:
			if l := val.PDUSessionResourceReleasedListRelRes; l != nil {
				for _, s := range l.List {
					m.PDUSessions = append(m.PDUSessions, PDUSessionItem{ID: pduSessionIDFrom(s.PDUSessionID), Transfer: cloneBytes(s.PDUSessionResourceReleaseResponseTransfer)})
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
	if len(m.PDUSessions) == 0 {
		return nil, missing("PDUSessionResourceReleaseResponse needs the released list")
	}
	m.AMFUENGAPID, m.RANUENGAPID = x.amf, uint32(x.ran)
	return m, nil
}

// ErrorIndication is ERROR INDICATION (TS 38.413 §9.2.7.1). Every IE is
// optional; nil = absent.
type ErrorIndication struct {
	AMFUENGAPID *uint64
	RANUENGAPID *uint32
	Cause       *Cause
}

func (*ErrorIndication) Procedure() Procedure { return ProcErrorIndication }
func (*ErrorIndication) Kind() Kind           { return Initiating }

// UEIDs returns the UE NGAP IDs present.
func (m *ErrorIndication) UEIDs() UEIDs {
	var u UEIDs
	if m.AMFUENGAPID != nil {
		u.AMF, u.HasAMF = *m.AMFUENGAPID, true
	}
	if m.RANUENGAPID != nil {
		u.RAN, u.HasRAN = *m.RANUENGAPID, true
	}
	return u
}

// Build returns the APER encoding.
func (m *ErrorIndication) Build() ([]byte, error) {
	type ie = ngapType.ErrorIndicationIEs
	type val = ngapType.ErrorIndicationIEsValue
	var l []ie
	if m.AMFUENGAPID != nil {
		a, err := amfID(*m.AMFUENGAPID)
		if err != nil {
			return nil, err
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDAMFUENGAPID), Criticality: crit(ignore),
			Value: val{Present: ngapType.ErrorIndicationIEsPresentAMFUENGAPID, AMFUENGAPID: a}})
	}
	if m.RANUENGAPID != nil {
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(ignore),
			Value: val{Present: ngapType.ErrorIndicationIEsPresentRANUENGAPID, RANUENGAPID: ranID(*m.RANUENGAPID)}})
	}
	if m.Cause != nil {
		c, err := causeToNgap(*m.Cause)
		if err != nil {
			return nil, err
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDCause), Criticality: crit(ignore),
			Value: val{Present: ngapType.ErrorIndicationIEsPresentCause, Cause: c}})
	}
	msg := &ngapType.ErrorIndication{ProtocolIEs: ngapType.ProtocolIEContainerErrorIndicationIEs{List: l}}
	return initiating(ngapType.ProcedureCodeErrorIndication, ignore, ngapType.InitiatingMessageValue{
		Present: ngapType.InitiatingMessagePresentErrorIndication, ErrorIndication: msg})
}

func parseErrorIndication(v *ngapType.ErrorIndication) (*ErrorIndication, error) {
	m := &ErrorIndication{}
	var x ids
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDAMFUENGAPID:
			err = x.setAMF(val.AMFUENGAPID)
		case ngapType.ProtocolIEIDRANUENGAPID:
			err = x.setRAN(val.RANUENGAPID)
		case ngapType.ProtocolIEIDCause:
			if val.Cause != nil {
				var c Cause
				if c, err = causeFromNgap(val.Cause); err == nil {
					m.Cause = &c
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if x.hasAMF {
		a := x.amf
		m.AMFUENGAPID = &a
	}
	if x.hasRAN {
		r := uint32(x.ran)
		m.RANUENGAPID = &r
	}
	return m, nil
}
