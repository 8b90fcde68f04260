package ngapx

import (
	"fmt"

	"github.com/free5gc/aper"
	"github.com/free5gc/ngap/ngapType"
)

// CauseGroup is the choice of an NGAP Cause (TS 38.413 §9.3.1.2).
type CauseGroup uint8

// Cause groups, numbered as the ngapType choice.
const (
	CauseGroupRadioNetwork CauseGroup = 1
	CauseGroupTransport    CauseGroup = 2
	CauseGroupNAS          CauseGroup = 3
	CauseGroupProtocol     CauseGroup = 4
	CauseGroupMisc         CauseGroup = 5
)

// Cause is an NGAP cause: group in the high octet, enumerated value in the
// low octet, so that causes can be constants.
type Cause uint16

// NewCause combines a group and a value.
func NewCause(g CauseGroup, v uint8) Cause { return Cause(g)<<8 | Cause(v) }

// Group returns the cause group.
func (c Cause) Group() CauseGroup { return CauseGroup(c >> 8) }

// Value returns the enumerated value within the group.
func (c Cause) Value() uint8 { return uint8(c) }

// Causes used by credbed (TS 38.413 §9.3.1.2); NewCause builds any other.
const (
	CauseRadioNetworkUnspecified               = Cause(CauseGroupRadioNetwork)<<8 | 0
	CauseRadioNetworkReleaseDueToNGRANReason   = Cause(CauseGroupRadioNetwork)<<8 | 3
	CauseRadioNetworkReleaseDueTo5GCReason     = Cause(CauseGroupRadioNetwork)<<8 | 4
	CauseRadioNetworkUnknownLocalUENGAPID      = Cause(CauseGroupRadioNetwork)<<8 | 14
	CauseRadioNetworkInconsistentRemoteID      = Cause(CauseGroupRadioNetwork)<<8 | 15
	CauseRadioNetworkUserInactivity            = Cause(CauseGroupRadioNetwork)<<8 | 20
	CauseRadioNetworkRadioConnectionLost       = Cause(CauseGroupRadioNetwork)<<8 | 21
	CauseRadioNetworkUnknownPDUSessionID       = Cause(CauseGroupRadioNetwork)<<8 | 26
	CauseRadioNetworkAlgorithmsNotSupported    = Cause(CauseGroupRadioNetwork)<<8 | 30
	CauseRadioNetworkSliceNotSupported         = Cause(CauseGroupRadioNetwork)<<8 | 39
	CauseTransportResourceUnavailable          = Cause(CauseGroupTransport)<<8 | 0
	CauseTransportUnspecified                  = Cause(CauseGroupTransport)<<8 | 1
	CauseNASNormalRelease                      = Cause(CauseGroupNAS)<<8 | 0
	CauseNASAuthenticationFailure              = Cause(CauseGroupNAS)<<8 | 1
	CauseNASDeregister                         = Cause(CauseGroupNAS)<<8 | 2
	CauseNASUnspecified                        = Cause(CauseGroupNAS)<<8 | 3
	CauseProtocolTransferSyntaxError           = Cause(CauseGroupProtocol)<<8 | 0
	CauseProtocolAbstractSyntaxErrorReject     = Cause(CauseGroupProtocol)<<8 | 1
	CauseProtocolAbstractSyntaxErrorIgnore     = Cause(CauseGroupProtocol)<<8 | 2
	CauseProtocolMessageNotCompatibleWithState = Cause(CauseGroupProtocol)<<8 | 3
	CauseProtocolSemanticError                 = Cause(CauseGroupProtocol)<<8 | 4
	CauseProtocolFalselyConstructedMessage     = Cause(CauseGroupProtocol)<<8 | 5
	CauseProtocolUnspecified                   = Cause(CauseGroupProtocol)<<8 | 6
	CauseMiscControlProcessingOverload         = Cause(CauseGroupMisc)<<8 | 0
	CauseMiscNotEnoughUserPlaneResources       = Cause(CauseGroupMisc)<<8 | 1
	CauseMiscHardwareFailure                   = Cause(CauseGroupMisc)<<8 | 2
	CauseMiscOMIntervention                    = Cause(CauseGroupMisc)<<8 | 3
	CauseMiscUnknownPLMN                       = Cause(CauseGroupMisc)<<8 | 4
	CauseMiscUnspecified                       = Cause(CauseGroupMisc)<<8 | 5
)

// String renders the ASN.1 names, e.g. "protocol/transfer-syntax-error".
func (c Cause) String() string {
	var group string
	var names []string
	switch c.Group() {
	case CauseGroupRadioNetwork:
		group = "radio-network"
		names = []string{"unspecified", "txnrelocoverall-expiry", "successful-handover",
			"release-due-to-ngran-generated-reason", "release-due-to-5gc-generated-reason", "handover-cancelled",
			"partial-handover", "ho-failure-in-target-5GC-ngran-node-or-target-system", "ho-target-not-allowed",
			"tngrelocoverall-expiry", "tngrelocprep-expiry", "cell-not-available", "unknown-targetID",
			"no-radio-resources-available-in-target-cell", "unknown-local-UE-NGAP-ID", "inconsistent-remote-UE-NGAP-ID",
			"handover-desirable-for-radio-reason", "time-critical-handover", "resource-optimisation-handover",
			"reduce-load-in-serving-cell", "user-inactivity", "radio-connection-with-ue-lost",
			"radio-resources-not-available", "invalid-qos-combination", "failure-in-radio-interface-procedure",
			"interaction-with-other-procedure", "unknown-PDU-session-ID", "unkown-qos-flow-ID",
			"multiple-PDU-session-ID-instances", "multiple-qos-flow-ID-instances",
			"encryption-and-or-integrity-protection-algorithms-not-supported", "ng-intra-system-handover-triggered",
			"ng-inter-system-handover-triggered", "xn-handover-triggered", "not-supported-5QI-value",
			"ue-context-transfer", "ims-voice-eps-fallback-or-rat-fallback-triggered",
			"up-integrity-protection-not-possible", "up-confidentiality-protection-not-possible", "slice-not-supported",
			"ue-in-rrc-inactive-state-not-reachable", "redirection", "resources-not-available-for-the-slice",
			"ue-max-integrity-protected-data-rate-reason", "release-due-to-cn-detected-mobility",
			"n26-interface-not-available", "release-due-to-pre-emption"}
	case CauseGroupTransport:
		group, names = "transport", []string{"transport-resource-unavailable", "unspecified"}
	case CauseGroupNAS:
		group, names = "nas", []string{"normal-release", "authentication-failure", "deregister", "unspecified"}
	case CauseGroupProtocol:
		group, names = "protocol", []string{"transfer-syntax-error", "abstract-syntax-error-reject",
			"abstract-syntax-error-ignore-and-notify", "message-not-compatible-with-receiver-state", "semantic-error",
			"abstract-syntax-error-falsely-constructed-message", "unspecified"}
	case CauseGroupMisc:
		group, names = "misc", []string{"control-processing-overload", "not-enough-user-plane-processing-resources",
			"hardware-failure", "om-intervention", "unknown-PLMN", "unspecified"}
	default:
		return fmt.Sprintf("cause-group-%d/%d", c.Group(), c.Value())
	}
	if int(c.Value()) < len(names) {
		return group + "/" + names[c.Value()]
	}
	return fmt.Sprintf("%s/%d", group, c.Value())
}

// causeToNgap converts a cause; values beyond an enumeration's root are
// left to aper, which encodes or refuses them.
func causeToNgap(c Cause) (*ngapType.Cause, error) {
	v := aper.Enumerated(c.Value())
	out := &ngapType.Cause{Present: int(c.Group())}
	switch c.Group() {
	case CauseGroupRadioNetwork:
		out.RadioNetwork = &ngapType.CauseRadioNetwork{Value: v}
	case CauseGroupTransport:
		out.Transport = &ngapType.CauseTransport{Value: v}
	case CauseGroupNAS:
		out.Nas = &ngapType.CauseNas{Value: v}
	case CauseGroupProtocol:
		out.Protocol = &ngapType.CauseProtocol{Value: v}
	case CauseGroupMisc:
		out.Misc = &ngapType.CauseMisc{Value: v}
	default:
		return nil, invalid("cause group %d", c.Group())
	}
	return out, nil
}

func causeFromNgap(c *ngapType.Cause) (Cause, error) {
	var v aper.Enumerated
	switch {
	case c.Present == ngapType.CausePresentRadioNetwork && c.RadioNetwork != nil:
		v = c.RadioNetwork.Value
	case c.Present == ngapType.CausePresentTransport && c.Transport != nil:
		v = c.Transport.Value
	case c.Present == ngapType.CausePresentNas && c.Nas != nil:
		v = c.Nas.Value
	case c.Present == ngapType.CausePresentProtocol && c.Protocol != nil:
		v = c.Protocol.Value
	case c.Present == ngapType.CausePresentMisc && c.Misc != nil:
		v = c.Misc.Value
	default:
		return 0, fmt.Errorf("cause choice %d not supported", c.Present)
	}
	if v > 0xff {
		return 0, fmt.Errorf("cause value %d", v)
	}
	return NewCause(CauseGroup(c.Present), uint8(v)), nil
}
