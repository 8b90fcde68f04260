package capture_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/free5gc/aper"
	"github.com/free5gc/nas"
	"github.com/free5gc/nas/nasMessage"
	"github.com/free5gc/nas/nasType"
	"github.com/free5gc/ngap"
	"github.com/free5gc/ngap/ngapType"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"
	pfcpie "github.com/wmnsk/go-pfcp/ie"
	pfcpmsg "github.com/wmnsk/go-pfcp/message"

	"github.com/credbed/credbed/internal/transport"
)

// Addresses of the synthetic testbed (mem-mode style: stable 127.x addresses).
var (
	gnbN2  = netip.MustParseAddrPort("127.0.1.1:0")
	amfN2  = netip.MustParseAddrPort("127.0.0.5:38412")
	amfSBI = netip.MustParseAddrPort("127.0.0.5:80")
	ausf   = netip.MustParseAddrPort("127.0.0.6:80")
	gnbN3  = netip.MustParseAddrPort("127.0.1.1:2152")
	upfN3  = netip.MustParseAddrPort("127.0.0.8:2152")
	smfN4  = netip.MustParseAddrPort("127.0.0.7:8805")
	upfN4  = netip.MustParseAddrPort("127.0.0.8:8805")
	upfN6  = netip.MustParseAddrPort("127.0.0.8:0")
	dnN6   = netip.MustParseAddrPort("127.0.2.1:0")
	pdDL   = netip.MustParseAddrPort("127.0.3.1:47800")
	tdDL   = netip.MustParseAddrPort("127.0.3.2:47800")
)

var plmn = aper.OctetString{0x02, 0xf8, 0x39} // MCC 208, MNC 93

// ngSetupRequest encodes an NGSetupRequest (TS 38.413 §9.2.6.1) with nTA
// supported TAs of slices slices each.
func ngSetupRequest(nTA, slices int) ([]byte, error) {
	var tas ngapType.SupportedTAList
	for i := range nTA {
		var ss ngapType.SliceSupportList
		for j := range slices {
			ss.List = append(ss.List, ngapType.SliceSupportItem{SNSSAI: ngapType.SNSSAI{
				SST: ngapType.SST{Value: aper.OctetString{1}},
				SD:  &ngapType.SD{Value: aper.OctetString{byte(j >> 16), byte(j >> 8), byte(j)}},
			}})
		}
		tas.List = append(tas.List, ngapType.SupportedTAItem{
			TAC: ngapType.TAC{Value: aper.OctetString{0, byte(i >> 8), byte(i)}},
			BroadcastPLMNList: ngapType.BroadcastPLMNList{List: []ngapType.BroadcastPLMNItem{{
				PLMNIdentity: ngapType.PLMNIdentity{Value: plmn}, TAISliceSupportList: ss,
			}}},
		})
	}
	req := &ngapType.NGSetupRequest{}
	ies := &req.ProtocolIEs.List
	*ies = append(*ies,
		ngapType.NGSetupRequestIEs{
			Id:          ngapType.ProtocolIEID{Value: ngapType.ProtocolIEIDGlobalRANNodeID},
			Criticality: ngapType.Criticality{Value: ngapType.CriticalityPresentReject},
			Value: ngapType.NGSetupRequestIEsValue{
				Present: ngapType.NGSetupRequestIEsPresentGlobalRANNodeID,
				GlobalRANNodeID: &ngapType.GlobalRANNodeID{
					Present: ngapType.GlobalRANNodeIDPresentGlobalGNBID,
					GlobalGNBID: &ngapType.GlobalGNBID{
						PLMNIdentity: ngapType.PLMNIdentity{Value: plmn},
						GNBID: ngapType.GNBID{
							Present: ngapType.GNBIDPresentGNBID,
							GNBID:   &aper.BitString{Bytes: []byte{0x00, 0x00, 0x01}, BitLength: 24},
						},
					},
				},
			},
		},
		ngapType.NGSetupRequestIEs{
			Id:          ngapType.ProtocolIEID{Value: ngapType.ProtocolIEIDRANNodeName},
			Criticality: ngapType.Criticality{Value: ngapType.CriticalityPresentIgnore},
			Value: ngapType.NGSetupRequestIEsValue{
				Present:     ngapType.NGSetupRequestIEsPresentRANNodeName,
				RANNodeName: &ngapType.RANNodeName{Value: "credbed-gnb"},
			},
		},
		ngapType.NGSetupRequestIEs{
			Id:          ngapType.ProtocolIEID{Value: ngapType.ProtocolIEIDSupportedTAList},
			Criticality: ngapType.Criticality{Value: ngapType.CriticalityPresentReject},
			Value: ngapType.NGSetupRequestIEsValue{
				Present: ngapType.NGSetupRequestIEsPresentSupportedTAList, SupportedTAList: &tas,
			},
		},
		ngapType.NGSetupRequestIEs{
			Id:          ngapType.ProtocolIEID{Value: ngapType.ProtocolIEIDDefaultPagingDRX},
			Criticality: ngapType.Criticality{Value: ngapType.CriticalityPresentIgnore},
			Value: ngapType.NGSetupRequestIEsValue{
				Present:          ngapType.NGSetupRequestIEsPresentDefaultPagingDRX,
				DefaultPagingDRX: &ngapType.PagingDRX{Value: ngapType.PagingDRXPresentV128},
			},
		},
	)
	return ngap.Encoder(ngapType.NGAPPDU{
		Present: ngapType.NGAPPDUPresentInitiatingMessage,
		InitiatingMessage: &ngapType.InitiatingMessage{
			ProcedureCode: ngapType.ProcedureCode{Value: ngapType.ProcedureCodeNGSetup},
			Criticality:   ngapType.Criticality{Value: ngapType.CriticalityPresentReject},
			Value: ngapType.InitiatingMessageValue{
				Present: ngapType.InitiatingMessagePresentNGSetupRequest, NGSetupRequest: req,
			},
		},
	})
}

// registrationRequest encodes a plain initial REGISTRATION REQUEST
// (TS 24.501 §8.2.6) with a null-scheme SUCI (TS 24.501 §9.11.3.4).
func registrationRequest() ([]byte, error) {
	suci := []uint8{
		0x01,             // SUPI format IMSI, type of identity SUCI
		0x02, 0xf8, 0x39, // MCC 208, MNC 93
		0xf0, 0xff, // routing indicator 0
		0x00, 0x00, // null scheme, HN public key id 0
		0x00, 0x00, 0x00, 0x00, 0x10, // MSIN 0000000001
	}
	rr := nasMessage.NewRegistrationRequest(0)
	rr.SetExtendedProtocolDiscriminator(nasMessage.Epd5GSMobilityManagementMessage)
	rr.SetSecurityHeaderType(nas.SecurityHeaderTypePlainNas)
	rr.RegistrationRequestMessageIdentity.SetMessageType(nas.MsgTypeRegistrationRequest)
	rr.NgksiAndRegistrationType5GS.SetTSC(nasMessage.TypeOfSecurityContextFlagNative)
	rr.NgksiAndRegistrationType5GS.SetNasKeySetIdentifiler(7)
	rr.NgksiAndRegistrationType5GS.SetFOR(1)
	rr.NgksiAndRegistrationType5GS.SetRegistrationType5GS(nasMessage.RegistrationType5GSInitialRegistration)
	rr.MobileIdentity5GS = nasType.MobileIdentity5GS{Len: uint16(len(suci)), Buffer: suci}
	rr.UESecurityCapability = nasType.NewUESecurityCapability(nasMessage.RegistrationRequestUESecurityCapabilityType)
	rr.UESecurityCapability.SetLen(2)
	rr.UESecurityCapability.Buffer = []uint8{0xf0, 0xf0} // 5G-EA0..3, 5G-IA0..3

	m := nas.NewMessage()
	m.GmmMessage = nas.NewGmmMessage()
	m.GmmHeader.SetMessageType(nas.MsgTypeRegistrationRequest)
	m.GmmMessage.RegistrationRequest = rr
	return m.PlainNasEncode()
}

// initialUEMessage encodes an InitialUEMessage (TS 38.413 §9.2.5.1) carrying nasPDU.
func initialUEMessage(ranUeID int64, nasPDU []byte) ([]byte, error) {
	ies := []ngapType.InitialUEMessageIEs{
		{
			Id:          ngapType.ProtocolIEID{Value: ngapType.ProtocolIEIDRANUENGAPID},
			Criticality: ngapType.Criticality{Value: ngapType.CriticalityPresentReject},
			Value: ngapType.InitialUEMessageIEsValue{
				Present:     ngapType.InitialUEMessageIEsPresentRANUENGAPID,
				RANUENGAPID: &ngapType.RANUENGAPID{Value: ranUeID},
			},
		},
		{
			Id:          ngapType.ProtocolIEID{Value: ngapType.ProtocolIEIDNASPDU},
			Criticality: ngapType.Criticality{Value: ngapType.CriticalityPresentReject},
			Value: ngapType.InitialUEMessageIEsValue{
				Present: ngapType.InitialUEMessageIEsPresentNASPDU,
				NASPDU:  &ngapType.NASPDU{Value: nasPDU},
			},
		},
		{
			Id:          ngapType.ProtocolIEID{Value: ngapType.ProtocolIEIDUserLocationInformation},
			Criticality: ngapType.Criticality{Value: ngapType.CriticalityPresentReject},
			Value: ngapType.InitialUEMessageIEsValue{
				Present: ngapType.InitialUEMessageIEsPresentUserLocationInformation,
				UserLocationInformation: &ngapType.UserLocationInformation{
					Present: ngapType.UserLocationInformationPresentUserLocationInformationNR,
					UserLocationInformationNR: &ngapType.UserLocationInformationNR{
						NRCGI: ngapType.NRCGI{
							PLMNIdentity:   ngapType.PLMNIdentity{Value: plmn},
							NRCellIdentity: ngapType.NRCellIdentity{Value: aper.BitString{Bytes: []byte{0, 0, 0, 0x10, 0}, BitLength: 36}},
						},
						TAI: ngapType.TAI{PLMNIdentity: ngapType.PLMNIdentity{Value: plmn}, TAC: ngapType.TAC{Value: aper.OctetString{0, 0, 1}}},
					},
				},
			},
		},
		{
			Id:          ngapType.ProtocolIEID{Value: ngapType.ProtocolIEIDRRCEstablishmentCause},
			Criticality: ngapType.Criticality{Value: ngapType.CriticalityPresentIgnore},
			Value: ngapType.InitialUEMessageIEsValue{
				Present:               ngapType.InitialUEMessageIEsPresentRRCEstablishmentCause,
				RRCEstablishmentCause: &ngapType.RRCEstablishmentCause{Value: ngapType.RRCEstablishmentCausePresentMoSignalling},
			},
		},
		{
			Id:          ngapType.ProtocolIEID{Value: ngapType.ProtocolIEIDUEContextRequest},
			Criticality: ngapType.Criticality{Value: ngapType.CriticalityPresentIgnore},
			Value: ngapType.InitialUEMessageIEsValue{
				Present:          ngapType.InitialUEMessageIEsPresentUEContextRequest,
				UEContextRequest: &ngapType.UEContextRequest{Value: ngapType.UEContextRequestPresentRequested},
			},
		},
	}
	msg := &ngapType.InitialUEMessage{}
	msg.ProtocolIEs.List = ies
	return ngap.Encoder(ngapType.NGAPPDU{
		Present: ngapType.NGAPPDUPresentInitiatingMessage,
		InitiatingMessage: &ngapType.InitiatingMessage{
			ProcedureCode: ngapType.ProcedureCode{Value: ngapType.ProcedureCodeInitialUEMessage},
			Criticality:   ngapType.Criticality{Value: ngapType.CriticalityPresentIgnore},
			Value: ngapType.InitiatingMessageValue{
				Present: ngapType.InitiatingMessagePresentInitialUEMessage, InitialUEMessage: msg,
			},
		},
	})
}

// innerIPv4 builds an IPv4/UDP packet (a UE's user-plane packet).
func innerIPv4(src, dst string, payload []byte) ([]byte, error) {
	ip := &layers.IPv4{
		Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP,
		SrcIP: net.ParseIP(src).To4(), DstIP: net.ParseIP(dst).To4(),
	}
	udp := &layers.UDP{SrcPort: 40000, DstPort: 9999}
	if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		ip, udp, gopacket.Payload(payload))
	return buf.Bytes(), err
}

func gtpuTPDU(teid uint32, inner []byte) ([]byte, error) {
	return gtpmsg.NewTPDU(teid, inner).Marshal()
}

func pfcpHeartbeat(seq uint32, at time.Time) ([]byte, error) {
	return pfcpmsg.NewHeartbeatRequest(seq, pfcpie.NewRecoveryTimeStamp(at), nil).Marshal()
}

// sbiPair returns an Nausf_UEAuthentication POST (TS 29.509 §5.2.2.2.2) and its 201 response.
func sbiPair(body any) (req, rsp transport.Packet, err error) {
	reqBody, err := json.Marshal(map[string]any{
		"supiOrSuci":         "suci-0-208-93-0-0-0-0000000001",
		"servingNetworkName": "5G:mnc093.mcc208.3gppnetwork.org",
		"padding":            body,
	})
	if err != nil {
		return req, rsp, err
	}
	rspBody, err := json.Marshal(map[string]any{
		"authType": "5G_AKA",
		"_links":   map[string]any{"5g-aka": map[string]string{"href": "http://127.0.0.6/nausf-auth/v1/ue-authentications/1/5g-aka-confirmation"}},
	})
	if err != nil {
		return req, rsp, err
	}
	req = transport.Packet{
		Kind: transport.SBI, From: amfSBI, To: ausf, Payload: reqBody,
		Method: http.MethodPost, Path: "/nausf-auth/v1/ue-authentications",
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/3gppHal+json, application/problem+json"}},
	}
	rsp = transport.Packet{
		Kind: transport.SBI, From: ausf, To: amfSBI, Payload: rspBody, Status: http.StatusCreated, Response: true,
		Header: http.Header{
			"Content-Type": {"application/3gppHal+json"},
			"Location":     {"http://127.0.0.6/nausf-auth/v1/ue-authentications/1"},
		},
	}
	return req, rsp, nil
}
