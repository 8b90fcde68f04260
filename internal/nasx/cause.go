package nasx

import "fmt"

// 5GMM cause values (TS 24.501 §9.11.3.2, Annex A).
const (
	CauseIllegalUE                                 uint8 = 3
	CausePEINotAccepted                            uint8 = 5
	CauseIllegalME                                 uint8 = 6
	Cause5GSServicesNotAllowed                     uint8 = 7
	CauseUEIdentityCannotBeDerived                 uint8 = 9
	CauseImplicitlyDeregistered                    uint8 = 10
	CausePLMNNotAllowed                            uint8 = 11
	CauseTrackingAreaNotAllowed                    uint8 = 12
	CauseRoamingNotAllowedInTA                     uint8 = 13
	CauseNoSuitableCellsInTA                       uint8 = 15
	CauseMACFailure                                uint8 = 20
	CauseSynchFailure                              uint8 = 21
	CauseCongestion                                uint8 = 22
	CauseUESecurityCapabilitiesMismatch            uint8 = 23
	CauseSecurityModeRejectedUnspecified           uint8 = 24
	CauseNon5GAuthenticationUnacceptable           uint8 = 26
	CauseN1ModeNotAllowed                          uint8 = 27
	CauseRestrictedServiceArea                     uint8 = 28
	CauseRedirectionToEPCRequired                  uint8 = 31
	CauseLADNNotAvailable                          uint8 = 43
	CauseNoNetworkSlicesAvailable                  uint8 = 62
	CauseMaxPDUSessionsReached                     uint8 = 65
	CauseInsufficientResourcesSliceAndDNN          uint8 = 67
	CauseInsufficientResourcesSlice                uint8 = 69
	CauseNgKSIAlreadyInUse                         uint8 = 71
	CauseNon3GPPAccessNotAllowed                   uint8 = 72
	CauseServingNetworkNotAuthorized               uint8 = 73
	CauseTemporarilyNotAuthorizedForSNPN           uint8 = 74
	CausePermanentlyNotAuthorizedForSNPN           uint8 = 75
	CauseNotAuthorizedForCAG                       uint8 = 76
	CauseWirelineAccessAreaNotAllowed              uint8 = 77
	CausePLMNNotAllowedAtLocation                  uint8 = 78
	CauseUASServicesNotAllowed                     uint8 = 79
	CauseDisasterRoamingNotAllowed                 uint8 = 80
	CausePayloadNotForwarded                       uint8 = 90
	CauseDNNNotSupportedInSlice                    uint8 = 91
	CauseInsufficientUserPlaneResources            uint8 = 92
	CauseOnboardingServicesTerminated              uint8 = 93
	CauseSemanticallyIncorrectMessage              uint8 = 95
	CauseInvalidMandatoryInformation               uint8 = 96
	CauseMessageTypeNonExistent                    uint8 = 97
	CauseMessageTypeNotCompatibleWithProtocolState uint8 = 98
	CauseIENonExistent                             uint8 = 99
	CauseConditionalIEError                        uint8 = 100
	CauseMessageNotCompatibleWithProtocolState     uint8 = 101
	CauseProtocolErrorUnspecified                  uint8 = 111
)

// 5GSM cause values (TS 24.501 §9.11.4.2, Annex B).
const (
	GSMCauseOperatorDeterminedBarring                 uint8 = 8
	GSMCauseInsufficientResources                     uint8 = 26
	GSMCauseMissingOrUnknownDNN                       uint8 = 27
	GSMCauseUnknownPDUSessionType                     uint8 = 28
	GSMCauseUserAuthenticationFailed                  uint8 = 29
	GSMCauseRequestRejectedUnspecified                uint8 = 31
	GSMCauseServiceOptionNotSupported                 uint8 = 32
	GSMCauseServiceOptionNotSubscribed                uint8 = 33
	GSMCauseServiceOptionTemporarilyOutOfOrder        uint8 = 34
	GSMCausePTIAlreadyInUse                           uint8 = 35
	GSMCauseRegularDeactivation                       uint8 = 36
	GSMCause5GSQoSNotAccepted                         uint8 = 37
	GSMCauseNetworkFailure                            uint8 = 38
	GSMCauseReactivationRequested                     uint8 = 39
	GSMCauseSemanticErrorInTFT                        uint8 = 41
	GSMCauseSyntacticalErrorInTFT                     uint8 = 42
	GSMCauseInvalidPDUSessionIdentity                 uint8 = 43
	GSMCauseSemanticErrorsInPacketFilter              uint8 = 44
	GSMCauseSyntacticalErrorInPacketFilter            uint8 = 45
	GSMCauseOutOfLADNServiceArea                      uint8 = 46
	GSMCausePTIMismatch                               uint8 = 47
	GSMCauseIPv4OnlyAllowed                           uint8 = 50
	GSMCauseIPv6OnlyAllowed                           uint8 = 51
	GSMCausePDUSessionDoesNotExist                    uint8 = 54
	GSMCauseIPv4v6OnlyAllowed                         uint8 = 57
	GSMCauseUnstructuredOnlyAllowed                   uint8 = 58
	GSMCauseUnsupported5QI                            uint8 = 59
	GSMCauseEthernetOnlyAllowed                       uint8 = 61
	GSMCauseInsufficientResourcesSliceAndDNN          uint8 = 67
	GSMCauseNotSupportedSSCMode                       uint8 = 68
	GSMCauseInsufficientResourcesSlice                uint8 = 69
	GSMCauseMissingOrUnknownDNNInSlice                uint8 = 70
	GSMCauseInvalidPTIValue                           uint8 = 81
	GSMCauseMaxDataRateForIntegrityTooLow             uint8 = 82
	GSMCauseSemanticErrorInQoSOperation               uint8 = 83
	GSMCauseSyntacticalErrorInQoSOperation            uint8 = 84
	GSMCauseInvalidMappedEPSBearerIdentity            uint8 = 85
	GSMCauseSemanticallyIncorrectMessage              uint8 = 95
	GSMCauseInvalidMandatoryInformation               uint8 = 96
	GSMCauseMessageTypeNonExistent                    uint8 = 97
	GSMCauseMessageTypeNotCompatibleWithProtocolState uint8 = 98
	GSMCauseIENonExistent                             uint8 = 99
	GSMCauseConditionalIEError                        uint8 = 100
	GSMCauseMessageNotCompatibleWithProtocolState     uint8 = 101
	GSMCauseProtocolErrorUnspecified                  uint8 = 111
)

// CauseName renders a 5GMM cause for reports: "#3 Illegal UE". Unknown values
// render as "#n" (receivers treat them per TS 24.501 Annex A).
func CauseName(c uint8) string {
	if n := gmmCauseText(c); n != "" {
		return fmt.Sprintf("#%d %s", c, n)
	}
	return fmt.Sprintf("#%d", c)
}

// GSMCauseName renders a 5GSM cause for reports: "#27 Missing or unknown DNN".
func GSMCauseName(c uint8) string {
	if n := gsmCauseText(c); n != "" {
		return fmt.Sprintf("#%d %s", c, n)
	}
	return fmt.Sprintf("#%d", c)
}

func gmmCauseText(c uint8) string {
	switch c {
	case CauseIllegalUE:
		return "Illegal UE"
	case CausePEINotAccepted:
		return "PEI not accepted"
	case CauseIllegalME:
		return "Illegal ME"
	case Cause5GSServicesNotAllowed:
		return "5GS services not allowed"
	case CauseUEIdentityCannotBeDerived:
		return "UE identity cannot be derived by the network"
	case CauseImplicitlyDeregistered:
		return "Implicitly de-registered"
	case CausePLMNNotAllowed:
		return "PLMN not allowed"
	case CauseTrackingAreaNotAllowed:
		return "Tracking area not allowed"
	case CauseRoamingNotAllowedInTA:
		return "Roaming not allowed in this tracking area"
	case CauseNoSuitableCellsInTA:
		return "No suitable cells in tracking area"
	case CauseMACFailure:
		return "MAC failure"
	case CauseSynchFailure:
		return "Synch failure"
	case CauseCongestion:
		return "Congestion"
	case CauseUESecurityCapabilitiesMismatch:
		return "UE security capabilities mismatch"
	case CauseSecurityModeRejectedUnspecified:
		return "Security mode rejected, unspecified"
	case CauseNon5GAuthenticationUnacceptable:
		return "Non-5G authentication unacceptable"
	case CauseN1ModeNotAllowed:
		return "N1 mode not allowed"
	case CauseRestrictedServiceArea:
		return "Restricted service area"
	case CauseRedirectionToEPCRequired:
		return "Redirection to EPC required"
	case CauseLADNNotAvailable:
		return "LADN not available"
	case CauseNoNetworkSlicesAvailable:
		return "No network slices available"
	case CauseMaxPDUSessionsReached:
		return "Maximum number of PDU sessions reached"
	case CauseInsufficientResourcesSliceAndDNN:
		return "Insufficient resources for specific slice and DNN"
	case CauseInsufficientResourcesSlice:
		return "Insufficient resources for specific slice"
	case CauseNgKSIAlreadyInUse:
		return "ngKSI already in use"
	case CauseNon3GPPAccessNotAllowed:
		return "Non-3GPP access to 5GCN not allowed"
	case CauseServingNetworkNotAuthorized:
		return "Serving network not authorized"
	case CauseTemporarilyNotAuthorizedForSNPN:
		return "Temporarily not authorized for this SNPN"
	case CausePermanentlyNotAuthorizedForSNPN:
		return "Permanently not authorized for this SNPN"
	case CauseNotAuthorizedForCAG:
		return "Not authorized for this CAG or authorized for CAG cells only"
	case CauseWirelineAccessAreaNotAllowed:
		return "Wireline access area not allowed"
	case CausePLMNNotAllowedAtLocation:
		return "PLMN not allowed to operate at the present UE location"
	case CauseUASServicesNotAllowed:
		return "UAS services not allowed"
	case CauseDisasterRoamingNotAllowed:
		return "Disaster roaming for the determined PLMN with disaster condition not allowed"
	case CausePayloadNotForwarded:
		return "Payload was not forwarded"
	case CauseDNNNotSupportedInSlice:
		return "DNN not supported or not subscribed in the slice"
	case CauseInsufficientUserPlaneResources:
		return "Insufficient user-plane resources for the PDU session"
	case CauseOnboardingServicesTerminated:
		return "Onboarding services terminated"
	case CauseSemanticallyIncorrectMessage:
		return "Semantically incorrect message"
	case CauseInvalidMandatoryInformation:
		return "Invalid mandatory information"
	case CauseMessageTypeNonExistent:
		return "Message type non-existent or not implemented"
	case CauseMessageTypeNotCompatibleWithProtocolState:
		return "Message type not compatible with the protocol state"
	case CauseIENonExistent:
		return "Information element non-existent or not implemented"
	case CauseConditionalIEError:
		return "Conditional IE error"
	case CauseMessageNotCompatibleWithProtocolState:
		return "Message not compatible with the protocol state"
	case CauseProtocolErrorUnspecified:
		return "Protocol error, unspecified"
	}
	return ""
}

func gsmCauseText(c uint8) string {
	switch c {
	case GSMCauseOperatorDeterminedBarring:
		return "Operator determined barring"
	case GSMCauseInsufficientResources:
		return "Insufficient resources"
	case GSMCauseMissingOrUnknownDNN:
		return "Missing or unknown DNN"
	case GSMCauseUnknownPDUSessionType:
		return "Unknown PDU session type"
	case GSMCauseUserAuthenticationFailed:
		return "User authentication or authorization failed"
	case GSMCauseRequestRejectedUnspecified:
		return "Request rejected, unspecified"
	case GSMCauseServiceOptionNotSupported:
		return "Service option not supported"
	case GSMCauseServiceOptionNotSubscribed:
		return "Requested service option not subscribed"
	case GSMCauseServiceOptionTemporarilyOutOfOrder:
		return "Service option temporarily out of order"
	case GSMCausePTIAlreadyInUse:
		return "PTI already in use"
	case GSMCauseRegularDeactivation:
		return "Regular deactivation"
	case GSMCause5GSQoSNotAccepted:
		return "5GS QoS not accepted"
	case GSMCauseNetworkFailure:
		return "Network failure"
	case GSMCauseReactivationRequested:
		return "Reactivation requested"
	case GSMCauseSemanticErrorInTFT:
		return "Semantic error in the TFT operation"
	case GSMCauseSyntacticalErrorInTFT:
		return "Syntactical error in the TFT operation"
	case GSMCauseInvalidPDUSessionIdentity:
		return "Invalid PDU session identity"
	case GSMCauseSemanticErrorsInPacketFilter:
		return "Semantic errors in packet filter(s)"
	case GSMCauseSyntacticalErrorInPacketFilter:
		return "Syntactical error in packet filter(s)"
	case GSMCauseOutOfLADNServiceArea:
		return "Out of LADN service area"
	case GSMCausePTIMismatch:
		return "PTI mismatch"
	case GSMCauseIPv4OnlyAllowed:
		return "PDU session type IPv4 only allowed"
	case GSMCauseIPv6OnlyAllowed:
		return "PDU session type IPv6 only allowed"
	case GSMCausePDUSessionDoesNotExist:
		return "PDU session does not exist"
	case GSMCauseIPv4v6OnlyAllowed:
		return "PDU session type IPv4v6 only allowed"
	case GSMCauseUnstructuredOnlyAllowed:
		return "PDU session type Unstructured only allowed"
	case GSMCauseUnsupported5QI:
		return "Unsupported 5QI value"
	case GSMCauseEthernetOnlyAllowed:
		return "PDU session type Ethernet only allowed"
	case GSMCauseInsufficientResourcesSliceAndDNN:
		return "Insufficient resources for specific slice and DNN"
	case GSMCauseNotSupportedSSCMode:
		return "Not supported SSC mode"
	case GSMCauseInsufficientResourcesSlice:
		return "Insufficient resources for specific slice"
	case GSMCauseMissingOrUnknownDNNInSlice:
		return "Missing or unknown DNN in a slice"
	case GSMCauseInvalidPTIValue:
		return "Invalid PTI value"
	case GSMCauseMaxDataRateForIntegrityTooLow:
		return "Maximum data rate per UE for user-plane integrity protection is too low"
	case GSMCauseSemanticErrorInQoSOperation:
		return "Semantic error in the QoS operation"
	case GSMCauseSyntacticalErrorInQoSOperation:
		return "Syntactical error in the QoS operation"
	case GSMCauseInvalidMappedEPSBearerIdentity:
		return "Invalid mapped EPS bearer identity"
	case GSMCauseSemanticallyIncorrectMessage:
		return "Semantically incorrect message"
	case GSMCauseInvalidMandatoryInformation:
		return "Invalid mandatory information"
	case GSMCauseMessageTypeNonExistent:
		return "Message type non-existent or not implemented"
	case GSMCauseMessageTypeNotCompatibleWithProtocolState:
		return "Message type not compatible with the protocol state"
	case GSMCauseIENonExistent:
		return "Information element non-existent or not implemented"
	case GSMCauseConditionalIEError:
		return "Conditional IE error"
	case GSMCauseMessageNotCompatibleWithProtocolState:
		return "Message not compatible with the protocol state"
	case GSMCauseProtocolErrorUnspecified:
		return "Protocol error, unspecified"
	}
	return ""
}
