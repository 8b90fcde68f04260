package ngapx

import (
	"errors"
	"fmt"

	"github.com/free5gc/aper"
	"github.com/free5gc/ngap/ngapType"
)

// The PDU session resource transfers are OCTET STRINGs inside NGAP messages
// holding their own APER encoding (TS 38.413 §9.3.4). The SMF builds them,
// the AMF forwards them unread, the gNB parses them (and the reverse for
// responses).

// ARP is an allocation and retention priority (TS 38.413 §9.3.1.19).
type ARP struct {
	Priority    uint8 // 1 (highest) .. 15
	MayPreempt  bool  // pre-emption capability
	Preemptable bool  // pre-emption vulnerability
}

// QoSFlowSetup is one QoS flow of a setup request transfer, with a
// standardized (non-dynamic) 5QI.
type QoSFlowSetup struct {
	QFI    uint8 // 0..63
	FiveQI uint8 // e.g. 9
	ARP    ARP
}

// PDUSessionSetupRequestTransfer is PDU Session Resource Setup Request
// Transfer (TS 38.413 §9.3.4.1).
type PDUSessionSetupRequestTransfer struct {
	SessionAMBR    *AMBR     // PDU session aggregate maximum bit rate; nil = absent
	ULTunnel       GTPTunnel // UL NG-U UP TNL information: UPF address and TEID
	PDUSessionType uint8     // NGAP enumeration: PDUSessionTypeIPv4, ...
	QoSFlows       []QoSFlowSetup
}

// Build returns the APER encoding of the transfer.
func (t *PDUSessionSetupRequestTransfer) Build() ([]byte, error) {
	ul, err := tunnelToNgap(t.ULTunnel)
	if err != nil {
		return nil, err
	}
	if len(t.QoSFlows) == 0 {
		return nil, invalid("setup request transfer without QoS flows")
	}
	type ie = ngapType.PDUSessionResourceSetupRequestTransferIEs
	type val = ngapType.PDUSessionResourceSetupRequestTransferIEsValue
	var l []ie
	if t.SessionAMBR != nil {
		dl, err := bitRate(t.SessionAMBR.DL)
		if err != nil {
			return nil, err
		}
		up, err := bitRate(t.SessionAMBR.UL)
		if err != nil {
			return nil, err
		}
		l = append(l, ie{Id: ieID(ngapType.ProtocolIEIDPDUSessionAggregateMaximumBitRate), Criticality: crit(reject),
			Value: val{Present: ngapType.PDUSessionResourceSetupRequestTransferIEsPresentPDUSessionAggregateMaximumBitRate,
				PDUSessionAggregateMaximumBitRate: &ngapType.PDUSessionAggregateMaximumBitRate{
					PDUSessionAggregateMaximumBitRateDL: dl, PDUSessionAggregateMaximumBitRateUL: up}}})
	}
	flows := &ngapType.QosFlowSetupRequestList{List: make([]ngapType.QosFlowSetupRequestItem, len(t.QoSFlows))}
	for i, f := range t.QoSFlows {
		if f.QFI > 63 || f.ARP.Priority < 1 || f.ARP.Priority > 15 {
			return nil, invalid("QoS flow QFI %d / ARP priority %d out of range", f.QFI, f.ARP.Priority)
		}
		capab, vuln := ngapType.PreEmptionCapabilityPresentShallNotTriggerPreEmption, ngapType.PreEmptionVulnerabilityPresentNotPreEmptable
		if f.ARP.MayPreempt {
			capab = ngapType.PreEmptionCapabilityPresentMayTriggerPreEmption
		}
		if f.ARP.Preemptable {
			vuln = ngapType.PreEmptionVulnerabilityPresentPreEmptable
		}
		flows.List[i] = ngapType.QosFlowSetupRequestItem{
			QosFlowIdentifier: ngapType.QosFlowIdentifier{Value: int64(f.QFI)},
			QosFlowLevelQosParameters: ngapType.QosFlowLevelQosParameters{
				QosCharacteristics: ngapType.QosCharacteristics{
					Present:       ngapType.QosCharacteristicsPresentNonDynamic5QI,
					NonDynamic5QI: &ngapType.NonDynamic5QIDescriptor{FiveQI: ngapType.FiveQI{Value: int64(f.FiveQI)}},
				},
				AllocationAndRetentionPriority: ngapType.AllocationAndRetentionPriority{
					PriorityLevelARP:        ngapType.PriorityLevelARP{Value: int64(f.ARP.Priority)},
					PreEmptionCapability:    ngapType.PreEmptionCapability{Value: capab},
					PreEmptionVulnerability: ngapType.PreEmptionVulnerability{Value: vuln},
				},
			},
		}
	}
	l = append(l,
		ie{Id: ieID(ngapType.ProtocolIEIDULNGUUPTNLInformation), Criticality: crit(reject),
			Value: val{Present: ngapType.PDUSessionResourceSetupRequestTransferIEsPresentULNGUUPTNLInformation, ULNGUUPTNLInformation: &ul}},
		ie{Id: ieID(ngapType.ProtocolIEIDPDUSessionType), Criticality: crit(reject),
			Value: val{Present: ngapType.PDUSessionResourceSetupRequestTransferIEsPresentPDUSessionType,
				PDUSessionType: &ngapType.PDUSessionType{Value: aper.Enumerated(t.PDUSessionType)}}},
		ie{Id: ieID(ngapType.ProtocolIEIDQosFlowSetupRequestList), Criticality: crit(reject),
			Value: val{Present: ngapType.PDUSessionResourceSetupRequestTransferIEsPresentQosFlowSetupRequestList, QosFlowSetupRequestList: flows}},
	)
	return marshalTransfer(&ngapType.PDUSessionResourceSetupRequestTransfer{
		ProtocolIEs: ngapType.ProtocolIEContainerPDUSessionResourceSetupRequestTransferIEs{List: l}})
}

// ParsePDUSessionSetupRequestTransfer decodes a setup request transfer.
func ParsePDUSessionSetupRequestTransfer(b []byte) (t *PDUSessionSetupRequestTransfer, err error) {
	defer recoverTransfer(&err, "setup request transfer")
	var v ngapType.PDUSessionResourceSetupRequestTransfer
	if err := unmarshalTransfer(b, &v); err != nil {
		return nil, err
	}
	out := &PDUSessionSetupRequestTransfer{}
	var hasUL, hasType, hasFlows bool
	for _, it := range v.ProtocolIEs.List {
		switch val := it.Value; it.Id.Value {
		case ngapType.ProtocolIEIDPDUSessionAggregateMaximumBitRate:
			if a := val.PDUSessionAggregateMaximumBitRate; a != nil {
				ambr := ambrFrom(a.PDUSessionAggregateMaximumBitRateDL, a.PDUSessionAggregateMaximumBitRateUL)
				out.SessionAMBR = &ambr
			}
		case ngapType.ProtocolIEIDULNGUUPTNLInformation:
			if val.ULNGUUPTNLInformation != nil {
				tun, err := tunnelFromNgap(val.ULNGUUPTNLInformation)
				if err != nil {
					return nil, transferErr(err)
				}
				out.ULTunnel, hasUL = tun, true
			}
		case ngapType.ProtocolIEIDPDUSessionType:
			if p := val.PDUSessionType; p != nil && p.Value <= 0xff {
				out.PDUSessionType, hasType = uint8(p.Value), true
			}
		case ngapType.ProtocolIEIDQosFlowSetupRequestList:
			if fl := val.QosFlowSetupRequestList; fl != nil {
				for _, f := range fl.List {
					q := f.QosFlowLevelQosParameters
					if q.QosCharacteristics.Present != ngapType.QosCharacteristicsPresentNonDynamic5QI || q.QosCharacteristics.NonDynamic5QI == nil {
						return nil, transferErr(fmt.Errorf("QoS flow %d: only non-dynamic 5QI is supported", f.QosFlowIdentifier.Value))
					}
					arp := q.AllocationAndRetentionPriority
					out.QoSFlows = append(out.QoSFlows, QoSFlowSetup{
						QFI:    uint8(f.QosFlowIdentifier.Value),
						FiveQI: uint8(q.QosCharacteristics.NonDynamic5QI.FiveQI.Value),
						ARP: ARP{Priority: uint8(arp.PriorityLevelARP.Value),
							MayPreempt:  arp.PreEmptionCapability.Value == ngapType.PreEmptionCapabilityPresentMayTriggerPreEmption,
							Preemptable: arp.PreEmptionVulnerability.Value == ngapType.PreEmptionVulnerabilityPresentPreEmptable},
					})
				}
				hasFlows = len(out.QoSFlows) > 0
			}
		}
	}
	if !hasUL || !hasType || !hasFlows {
		return nil, missing("setup request transfer needs UL NG-U tunnel, PDU session type and QoS flows")
	}
	return out, nil
}

// PDUSessionSetupResponseTransfer is PDU Session Resource Setup Response
// Transfer (TS 38.413 §9.3.4.2): the gNB's DL tunnel and the QoS flows it
// carries.
type PDUSessionSetupResponseTransfer struct {
	DLTunnel GTPTunnel
	QFIs     []uint8
}

// Build returns the APER encoding of the transfer.
func (t *PDUSessionSetupResponseTransfer) Build() ([]byte, error) {
	dl, err := tunnelToNgap(t.DLTunnel)
	if err != nil {
		return nil, err
	}
	if len(t.QFIs) == 0 {
		return nil, invalid("setup response transfer without QoS flows")
	}
	assoc := ngapType.AssociatedQosFlowList{List: make([]ngapType.AssociatedQosFlowItem, len(t.QFIs))}
	for i, q := range t.QFIs {
		if q > 63 {
			return nil, invalid("QFI %d", q)
		}
		assoc.List[i].QosFlowIdentifier = ngapType.QosFlowIdentifier{Value: int64(q)}
	}
	return marshalTransfer(&ngapType.PDUSessionResourceSetupResponseTransfer{
		DLQosFlowPerTNLInformation: ngapType.QosFlowPerTNLInformation{UPTransportLayerInformation: dl, AssociatedQosFlowList: assoc},
	})
}

// ParsePDUSessionSetupResponseTransfer decodes a setup response transfer.
func ParsePDUSessionSetupResponseTransfer(b []byte) (t *PDUSessionSetupResponseTransfer, err error) {
	defer recoverTransfer(&err, "setup response transfer")
	var v ngapType.PDUSessionResourceSetupResponseTransfer
	if err := unmarshalTransfer(b, &v); err != nil {
		return nil, err
	}
	dl, err := tunnelFromNgap(&v.DLQosFlowPerTNLInformation.UPTransportLayerInformation)
	if err != nil {
		return nil, transferErr(err)
	}
	out := &PDUSessionSetupResponseTransfer{DLTunnel: dl}
	for _, q := range v.DLQosFlowPerTNLInformation.AssociatedQosFlowList.List {
		out.QFIs = append(out.QFIs, uint8(q.QosFlowIdentifier.Value))
	}
	if len(out.QFIs) == 0 {
		return nil, missing("setup response transfer without QoS flows")
	}
	return out, nil
}

// PDUSessionCauseTransfer carries only a cause: PDU Session Resource Setup
// Unsuccessful Transfer (§9.3.4.16) and Release Command Transfer (§9.3.4.12)
// have this shape.
type PDUSessionCauseTransfer struct {
	Cause Cause
}

// BuildReleaseCommand returns the APER encoding of a Release Command Transfer.
func (t *PDUSessionCauseTransfer) BuildReleaseCommand() ([]byte, error) {
	c, err := causeToNgap(t.Cause)
	if err != nil {
		return nil, err
	}
	return marshalTransfer(&ngapType.PDUSessionResourceReleaseCommandTransfer{Cause: *c})
}

// BuildSetupUnsuccessful returns the APER encoding of a Setup Unsuccessful Transfer.
func (t *PDUSessionCauseTransfer) BuildSetupUnsuccessful() ([]byte, error) {
	c, err := causeToNgap(t.Cause)
	if err != nil {
		return nil, err
	}
	return marshalTransfer(&ngapType.PDUSessionResourceSetupUnsuccessfulTransfer{Cause: *c})
}

// ParsePDUSessionReleaseCommandTransfer decodes a Release Command Transfer.
func ParsePDUSessionReleaseCommandTransfer(b []byte) (t *PDUSessionCauseTransfer, err error) {
	defer recoverTransfer(&err, "release command transfer")
	var v ngapType.PDUSessionResourceReleaseCommandTransfer
	if err := unmarshalTransfer(b, &v); err != nil {
		return nil, err
	}
	c, err := causeFromNgap(&v.Cause)
	if err != nil {
		return nil, transferErr(err)
	}
	return &PDUSessionCauseTransfer{Cause: c}, nil
}

// ParsePDUSessionSetupUnsuccessfulTransfer decodes a Setup Unsuccessful Transfer.
func ParsePDUSessionSetupUnsuccessfulTransfer(b []byte) (t *PDUSessionCauseTransfer, err error) {
	defer recoverTransfer(&err, "setup unsuccessful transfer")
	var v ngapType.PDUSessionResourceSetupUnsuccessfulTransfer
	if err := unmarshalTransfer(b, &v); err != nil {
		return nil, err
	}
	c, err := causeFromNgap(&v.Cause)
	if err != nil {
		return nil, transferErr(err)
	}
	return &PDUSessionCauseTransfer{Cause: c}, nil
}

// BuildPDUSessionReleaseResponseTransfer returns the (empty) Release
// Response Transfer (§9.3.4.21).
func BuildPDUSessionReleaseResponseTransfer() ([]byte, error) {
	return marshalTransfer(&ngapType.PDUSessionResourceReleaseResponseTransfer{})
}

// ParsePDUSessionReleaseResponseTransfer checks a Release Response Transfer decodes.
func ParsePDUSessionReleaseResponseTransfer(b []byte) (err error) {
	defer recoverTransfer(&err, "release response transfer")
	var v ngapType.PDUSessionResourceReleaseResponseTransfer
	return unmarshalTransfer(b, &v)
}

func marshalTransfer(v any) ([]byte, error) {
	b, err := aper.MarshalWithParams(v, "valueExt")
	if err != nil {
		return nil, fmt.Errorf("%w: aper: %v", ErrInvalid, err)
	}
	return b, nil
}

func unmarshalTransfer(b []byte, v any) error {
	if len(b) == 0 {
		return transferErr(errors.New("empty transfer"))
	}
	if err := aper.UnmarshalWithParams(b, v, "valueExt"); err != nil {
		return transferErr(err)
	}
	return nil
}

func transferErr(err error) error { return fmt.Errorf("%w: transfer: %v", ErrMalformed, err) }

// recoverTransfer is the panic boundary of the exported transfer parsers
// (aper reflection over untrusted bytes); it turns a panic into ErrMalformed.
func recoverTransfer(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %s: decoder panic: %v", ErrMalformed, what, r)
	}
}
