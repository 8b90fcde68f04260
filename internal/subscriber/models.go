package subscriber

import (
	"strings"

	"github.com/free5gc/openapi/models"
)

// Data rates given to every generated subscription.
const (
	DefaultUEAMBRUp        = "1 Gbps"
	DefaultUEAMBRDown      = "2 Gbps"
	DefaultSessionAMBRUp   = "1 Gbps"
	DefaultSessionAMBRDown = "1 Gbps"
	Default5QI             = 9
	DefaultARPPriority     = 8
)

// AuthenticationSubscription returns the TS 29.505 authentication
// subscription the UDR stores: K and OPc as encPermanentKey/encOpcKey hex
// (no encryption: the keys are stored as the UDM's contract expects),
// MILENAGE, a non-time-based SQN.
func (s Subscription) AuthenticationSubscription() models.AuthenticationSubscription {
	return models.AuthenticationSubscription{
		AuthenticationMethod:          models.AuthMethod(s.AuthMethod),
		EncPermanentKey:               s.K,
		EncOpcKey:                     s.OPc,
		AuthenticationManagementField: s.AMF,
		AlgorithmId:                   "milenage",
		SequenceNumber: &models.SequenceNumber{
			SqnScheme: models.SqnScheme_NON_TIME_BASED,
			Sqn:       s.SQN,
		},
		Supi:        s.SUPI,
		AkmaAllowed: s.AKMA,
	}
}

// Snssais returns the subscribed S-NSSAIs as models.
func (s Subscription) Snssais() []models.Snssai {
	out := make([]models.Snssai, len(s.SNSSAIs))
	for i, n := range s.SNSSAIs {
		out[i] = models.Snssai{Sst: int32(n.SST), Sd: strings.ToLower(n.SD)}
	}
	return out
}

// AmData returns the access and mobility subscription data (TS 29.503
// AccessAndMobilitySubscriptionData): every S-NSSAI is a default one.
func (s Subscription) AmData() models.AccessAndMobilitySubscriptionData {
	nssai := s.Snssais()
	return models.AccessAndMobilitySubscriptionData{
		Gpsis:            nil,
		SubscribedUeAmbr: &models.AmbrRm{Uplink: DefaultUEAMBRUp, Downlink: DefaultUEAMBRDown},
		Nssai:            &models.Nssai{DefaultSingleNssais: nssai},
	}
}

// SmfSelectionData returns the SMF selection data: every DNN under every
// S-NSSAI, the first DNN the default one.
func (s Subscription) SmfSelectionData() models.SmfSelectionSubscriptionData {
	infos := make(map[string]models.SnssaiInfo, len(s.SNSSAIs))
	for _, n := range s.SNSSAIs {
		dnns := make([]models.DnnInfo, len(s.DNNs))
		for i, d := range s.DNNs {
			dnns[i] = models.DnnInfo{Dnn: d, DefaultDnnIndicator: i == 0}
		}
		infos[n.String()] = models.SnssaiInfo{DnnInfos: dnns}
	}
	return models.SmfSelectionSubscriptionData{SubscribedSnssaiInfos: infos}
}

// SmData returns one session management subscription per S-NSSAI, each
// with an IPv4, SSC mode 1 configuration for every DNN.
func (s Subscription) SmData() []models.SessionManagementSubscriptionData {
	out := make([]models.SessionManagementSubscriptionData, len(s.SNSSAIs))
	for i, n := range s.Snssais() {
		cfgs := make(map[string]models.DnnConfiguration, len(s.DNNs))
		for _, d := range s.DNNs {
			cfgs[d] = models.DnnConfiguration{
				PduSessionTypes: &models.PduSessionTypes{
					DefaultSessionType:  models.PduSessionType_IPV4,
					AllowedSessionTypes: []models.PduSessionType{models.PduSessionType_IPV4},
				},
				SscModes: &models.SscModes{
					DefaultSscMode:  models.SscMode__1,
					AllowedSscModes: []models.SscMode{models.SscMode__1},
				},
				Var5gQosProfile: &models.SubscribedDefaultQos{
					Var5qi: Default5QI,
					Arp: &models.Arp{
						PriorityLevel: DefaultARPPriority,
						PreemptCap:    models.PreemptionCapability_NOT_PREEMPT,
						PreemptVuln:   models.PreemptionVulnerability_NOT_PREEMPTABLE,
					},
					PriorityLevel: DefaultARPPriority,
				},
				SessionAmbr: &models.Ambr{Uplink: DefaultSessionAMBRUp, Downlink: DefaultSessionAMBRDown},
			}
		}
		out[i] = models.SessionManagementSubscriptionData{SingleNssai: &n, DnnConfigurations: cfgs}
	}
	return out
}
