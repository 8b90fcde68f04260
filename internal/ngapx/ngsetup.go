package ngapx

import (
	"github.com/free5gc/aper"
	"github.com/free5gc/ngap/ngapType"
)

// BroadcastPLMN is a PLMN a tracking area broadcasts, with its slices.
type BroadcastPLMN struct {
	PLMN   PLMN
	Slices []SNSSAI
}

// SupportedTA is one supported tracking area of a gNB.
type SupportedTA struct {
	TAC   uint32
	PLMNs []BroadcastPLMN
}

// PLMNSupport is a PLMN an AMF serves, with its slices.
type PLMNSupport struct {
	PLMN   PLMN
	Slices []SNSSAI
}

// NGSetupRequest is NG SETUP REQUEST (TS 38.413 §9.2.6.1).
type NGSetupRequest struct {
	GlobalGNBID      GlobalGNBID
	RANNodeName      string // "" = absent
	SupportedTAs     []SupportedTA
	DefaultPagingDRX uint8 // PagingDRX32, ...
}

func (*NGSetupRequest) Procedure() Procedure { return ProcNGSetup }
func (*NGSetupRequest) Kind() Kind           { return Initiating }

// Build returns the APER encoding.
func (m *NGSetupRequest) Build() ([]byte, error) {
	gid, err := gnbIDToNgap(m.GlobalGNBID)
	if err != nil {
		return nil, err
	}
	if len(m.SupportedTAs) == 0 {
		return nil, invalid("NGSetupRequest without supported TAs")
	}
	tas := &ngapType.SupportedTAList{List: make([]ngapType.SupportedTAItem, len(m.SupportedTAs))}
	for i, ta := range m.SupportedTAs {
		if len(ta.PLMNs) == 0 {
			return nil, invalid("supported TA %#x without broadcast PLMN", ta.TAC)
		}
		it := &tas.List[i]
		it.TAC = tacToNgap(ta.TAC)
		it.BroadcastPLMNList.List = make([]ngapType.BroadcastPLMNItem, len(ta.PLMNs))
		for j, bp := range ta.PLMNs {
			if len(bp.Slices) == 0 {
				return nil, invalid("broadcast PLMN %s without slices", bp.PLMN)
			}
			it.BroadcastPLMNList.List[j] = ngapType.BroadcastPLMNItem{
				PLMNIdentity: plmnToNgap(bp.PLMN), TAISliceSupportList: sliceListToNgap(bp.Slices)}
		}
	}
	type ie = ngapType.NGSetupRequestIEs
	type val = ngapType.NGSetupRequestIEsValue
	l := []ie{{Id: ieID(ngapType.ProtocolIEIDGlobalRANNodeID), Criticality: crit(reject),
		Value: val{Present: ngapType.NGSetupRequestIEsPresentGlobalRANNodeID, GlobalRANNodeID: gid}}}
	if m.RANNodeName != "" {
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDRANNodeName), Criticality: crit(ignore),
			Value: val{Present: ngapType.NGSetupRequestIEsPresentRANNodeName, RANNodeName: &ngapType.RANNodeName{Value: m.RANNodeName}}})
	}
	l = append(l,
		ie{Id: ieID(ngapType.ProtocolIEIDSupportedTAList), Criticality: crit(reject),
			Value: val{Present: ngapType.NGSetupRequestIEsPresentSupportedTAList, SupportedTAList: tas}},
		ie{Id: ieID(ngapType.ProtocolIEIDDefaultPagingDRX), Criticality: crit(ignore),
			Value: val{Present: ngapType.NGSetupRequestIEsPresentDefaultPagingDRX, DefaultPagingDRX: &ngapType.PagingDRX{Value: aper.Enumerated(m.DefaultPagingDRX)}}},
	)
	msg := &ngapType.NGSetupRequest{ProtocolIEs: ngapType.ProtocolIEContainerNGSetupRequestIEs{List: l}}
	return initiating(ngapType.ProcedureCodeNGSetup, reject, ngapType.InitiatingMessageValue{
		Present: ngapType.InitiatingMessagePresentNGSetupRequest, NGSetupRequest: msg})
}

func parseNGSetupRequest(v *ngapType.NGSetupRequest) (*NGSetupRequest, error) {
	m := &NGSetupRequest{}
	var hasID, hasTAs bool
	for _, it := range v.ProtocolIEs.List {
		var err error
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDGlobalRANNodeID:
			if val.GlobalRANNodeID != nil {
				m.GlobalGNBID, err = gnbIDFromNgap(val.GlobalRANNodeID)
				hasID = err == nil
			}
		case ngapType.ProtocolIEIDRANNodeName:
			if val.RANNodeName != nil {
				m.RANNodeName = val.RANNodeName.Value
			}
		case ngapType.ProtocolIEIDSupportedTAList:
			if val.SupportedTAList != nil {
				m.SupportedTAs, err = supportedTAsFromNgap(val.SupportedTAList)
				hasTAs = err == nil
			}
		case ngapType.ProtocolIEIDDefaultPagingDRX:
			if d := val.DefaultPagingDRX; d != nil && d.Value <= 0xff {
				m.DefaultPagingDRX = uint8(d.Value)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if !hasID || !hasTAs {
		return nil, missing("NGSetupRequest needs global gNB ID and supported TA list")
	}
	return m, nil
}

func supportedTAsFromNgap(l *ngapType.SupportedTAList) ([]SupportedTA, error) {
	out := make([]SupportedTA, len(l.List))
	for i, it := range l.List {
		tac, err := tacFromNgap(it.TAC)
		if err != nil {
			return nil, err
		}
		out[i].TAC = tac
		out[i].PLMNs = make([]BroadcastPLMN, len(it.BroadcastPLMNList.List))
		for j, bp := range it.BroadcastPLMNList.List {
			p, err := plmnFromNgap(bp.PLMNIdentity)
			if err != nil {
				return nil, err
			}
			s, err := sliceListFromNgap(bp.TAISliceSupportList)
			if err != nil {
				return nil, err
			}
			out[i].PLMNs[j] = BroadcastPLMN{PLMN: p, Slices: s}
		}
	}
	return out, nil
}

// NGSetupResponse is NG SETUP RESPONSE (TS 38.413 §9.2.6.2).
type NGSetupResponse struct {
	AMFName             string
	ServedGUAMIs        []GUAMI
	RelativeAMFCapacity uint8
	PLMNSupport         []PLMNSupport
}

func (*NGSetupResponse) Procedure() Procedure { return ProcNGSetup }
func (*NGSetupResponse) Kind() Kind           { return Successful }

// Build returns the APER encoding.
func (m *NGSetupResponse) Build() ([]byte, error) {
	if m.AMFName == "" || len(m.ServedGUAMIs) == 0 || len(m.PLMNSupport) == 0 {
		return nil, invalid("NGSetupResponse needs AMF name, served GUAMIs and PLMN support")
	}
	guamis := &ngapType.ServedGUAMIList{List: make([]ngapType.ServedGUAMIItem, len(m.ServedGUAMIs))}
	for i, g := range m.ServedGUAMIs {
		if err := validGUAMI(g); err != nil {
			return nil, err
		}
		guamis.List[i].GUAMI = guamiToNgap(g)
	}
	plmns := &ngapType.PLMNSupportList{List: make([]ngapType.PLMNSupportItem, len(m.PLMNSupport))}
	for i, p := range m.PLMNSupport {
		if len(p.Slices) == 0 {
			return nil, invalid("PLMN support %s without slices", p.PLMN)
		}
		plmns.List[i] = ngapType.PLMNSupportItem{PLMNIdentity: plmnToNgap(p.PLMN), SliceSupportList: sliceListToNgap(p.Slices)}
	}
	type ie = ngapType.NGSetupResponseIEs
	type val = ngapType.NGSetupResponseIEsValue
	l := []ie{
		{Id: ieID(ngapType.ProtocolIEIDAMFName), Criticality: crit(reject),
			Value: val{Present: ngapType.NGSetupResponseIEsPresentAMFName, AMFName: &ngapType.AMFName{Value: m.AMFName}}},
		{Id: ieID(ngapType.ProtocolIEIDServedGUAMIList), Criticality: crit(reject),
			Value: val{Present: ngapType.NGSetupResponseIEsPresentServedGUAMIList, ServedGUAMIList: guamis}},
		{Id: ieID(ngapType.ProtocolIEIDRelativeAMFCapacity), Criticality: crit(ignore),
			Value: val{Present: ngapType.NGSetupResponseIEsPresentRelativeAMFCapacity, RelativeAMFCapacity: &ngapType.RelativeAMFCapacity{Value: int64(m.RelativeAMFCapacity)}}},
		{Id: ieID(ngapType.ProtocolIEIDPLMNSupportList), Criticality: crit(reject),
			Value: val{Present: ngapType.NGSetupResponseIEsPresentPLMNSupportList, PLMNSupportList: plmns}},
	}
	msg := &ngapType.NGSetupResponse{ProtocolIEs: ngapType.ProtocolIEContainerNGSetupResponseIEs{List: l}}
	return successful(ngapType.ProcedureCodeNGSetup, reject, ngapType.SuccessfulOutcomeValue{
		Present: ngapType.SuccessfulOutcomePresentNGSetupResponse, NGSetupResponse: msg})
}

func parseNGSetupResponse(v *ngapType.NGSetupResponse) (*NGSetupResponse, error) {
	m := &NGSetupResponse{}
	var hasName, hasGUAMI, hasPLMN bool
	for _, it := range v.ProtocolIEs.List {
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDAMFName:
			if val.AMFName != nil {
				m.AMFName, hasName = val.AMFName.Value, true
			}
		case ngapType.ProtocolIEIDServedGUAMIList:
			if l := val.ServedGUAMIList; l != nil {
				m.ServedGUAMIs = make([]GUAMI, len(l.List))
				for i, g := range l.List {
					gg, err := guamiFromNgap(g.GUAMI)
					if err != nil {
						return nil, err
					}
					m.ServedGUAMIs[i] = gg
				}
				hasGUAMI = true
			}
		case ngapType.ProtocolIEIDRelativeAMFCapacity:
			if c := val.RelativeAMFCapacity; c != nil && c.Value >= 0 && c.Value <= 255 {
				m.RelativeAMFCapacity = uint8(c.Value)
			}
		case ngapType.ProtocolIEIDPLMNSupportList:
			if l := val.PLMNSupportList; l != nil {
				m.PLMNSupport = make([]PLMNSupport, len(l.List))
				for i, p := range l.List {
					pp, err := plmnFromNgap(p.PLMNIdentity)
					if err != nil {
						return nil, err
					}
					s, err := sliceListFromNgap(p.SliceSupportList)
					if err != nil {
						return nil, err
					}
					m.PLMNSupport[i] = PLMNSupport{PLMN: pp, Slices: s}
				}
				hasPLMN = true
			}
		}
	}
	if !hasName || !hasGUAMI || !hasPLMN {
		return nil, missing("NGSetupResponse needs AMF name, served GUAMI list and PLMN support list")
	}
	return m, nil
}

// NGSetupFailure is NG SETUP FAILURE (TS 38.413 §9.2.6.3).
type NGSetupFailure struct {
	Cause      Cause
	TimeToWait *uint8 // TimeToWait1s, ...; nil = absent
}

func (*NGSetupFailure) Procedure() Procedure { return ProcNGSetup }
func (*NGSetupFailure) Kind() Kind           { return Unsuccessful }

// Build returns the APER encoding.
func (m *NGSetupFailure) Build() ([]byte, error) {
	c, err := causeToNgap(m.Cause)
	if err != nil {
		return nil, err
	}
	type ie = ngapType.NGSetupFailureIEs
	type val = ngapType.NGSetupFailureIEsValue
	l := []ie{{Id: ieID(ngapType.ProtocolIEIDCause), Criticality: crit(ignore),
		Value: val{Present: ngapType.NGSetupFailureIEsPresentCause, Cause: c}}}
	if m.TimeToWait != nil {
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDTimeToWait), Criticality: crit(ignore),
			Value: val{Present: ngapType.NGSetupFailureIEsPresentTimeToWait, TimeToWait: &ngapType.TimeToWait{Value: aper.Enumerated(*m.TimeToWait)}}})
	}
	msg := &ngapType.NGSetupFailure{ProtocolIEs: ngapType.ProtocolIEContainerNGSetupFailureIEs{List: l}}
	return unsuccessful(ngapType.ProcedureCodeNGSetup, reject, ngapType.UnsuccessfulOutcomeValue{
		Present: ngapType.UnsuccessfulOutcomePresentNGSetupFailure, NGSetupFailure: msg})
}

func parseNGSetupFailure(v *ngapType.NGSetupFailure) (*NGSetupFailure, error) {
	m := &NGSetupFailure{}
	var hasCause bool
	for _, it := range v.ProtocolIEs.List {
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDCause:
			if val.Cause != nil {
				c, err := causeFromNgap(val.Cause)
				if err != nil {
					return nil, err
				}
				m.Cause, hasCause = c, true
			}
		case ngapType.ProtocolIEIDTimeToWait:
			if t := val.TimeToWait; t != nil && t.Value <= 0xff {
				w := uint8(t.Value)
				m.TimeToWait = &w
			}
		}
	}
	if !hasCause {
		return nil, missing("NGSetupFailure needs a cause")
	}
	return m, nil
}
