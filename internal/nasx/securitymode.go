package nasx

import (
	"github.com/free5gc/nas/nasMessage"
	"github.com/free5gc/nas/nasType"
)

// SecurityModeCommand is SECURITY MODE COMMAND (TS 24.501 §8.2.25).
type SecurityModeCommand struct {
	Ciphering uint8 // selected 5G-EA id (0..7): NEA0..NEA3
	Integrity uint8 // selected 5G-IA id (0..7): NIA0..NIA3
	NgKSI     NgKSI
	// ReplayedUESecurityCapability must be the UE's capability exactly as
	// received (TS 33.501 §6.7.2).
	ReplayedUESecurityCapability UESecurityCapability
	IMEISVRequest                bool
	// RINMR asks the UE to retransmit its initial NAS message in SECURITY
	// MODE COMPLETE; HDP is the horizontal derivation parameter. Either one
	// adds the Additional 5G security information IE.
	RINMR bool
	HDP   bool
	ABBA  []byte // nil = absent
}

func (*SecurityModeCommand) EPD() uint8               { return EPD5GMM }
func (*SecurityModeCommand) MessageType() MessageType { return MsgSecurityModeCommand }

// Build returns the plain NAS encoding.
func (m *SecurityModeCommand) Build() ([]byte, error) {
	var f nasMessage.SecurityModeCommand
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.SecurityModeCommandMessageIdentity.Octet = gmmHeader(MsgSecurityModeCommand)
	f.SelectedNASSecurityAlgorithms.Octet = (m.Ciphering&7)<<4 | m.Integrity&7
	f.SpareHalfOctetAndNgksi.Octet = m.NgKSI.nibble()
	if err := checkLen("SecurityModeCommand.ReplayedUESecurityCapability", m.ReplayedUESecurityCapability, 2, 8); err != nil {
		return nil, err
	}
	f.ReplayedUESecurityCapabilities = nasType.ReplayedUESecurityCapabilities{
		Len: uint8(len(m.ReplayedUESecurityCapability)), Buffer: m.ReplayedUESecurityCapability}
	if m.IMEISVRequest {
		f.IMEISVRequest = &nasType.IMEISVRequest{Octet: nasMessage.SecurityModeCommandIMEISVRequestType<<4 | nasMessage.IMEISVRequested}
	}
	if m.RINMR || m.HDP {
		var o uint8
		if m.RINMR {
			o |= 0x02
		}
		if m.HDP {
			o |= 0x01
		}
		f.Additional5GSecurityInformation = &nasType.Additional5GSecurityInformation{
			Iei: nasMessage.SecurityModeCommandAdditional5GSecurityInformationType, Len: 1, Octet: o}
	}
	if m.ABBA != nil {
		if err := checkLen("SecurityModeCommand.ABBA", m.ABBA, 2, 255); err != nil {
			return nil, err
		}
		f.ABBA = &nasType.ABBA{Iei: nasMessage.SecurityModeCommandABBAType, Len: uint8(len(m.ABBA)), Buffer: m.ABBA}
	}
	return encode(f.EncodeSecurityModeCommand)
}

func parseSecurityModeCommand(b []byte) (*SecurityModeCommand, error) {
	var f nasMessage.SecurityModeCommand
	if err := decode(b, f.DecodeSecurityModeCommand); err != nil {
		return nil, err
	}
	m := &SecurityModeCommand{
		Ciphering:                    f.SelectedNASSecurityAlgorithms.Octet >> 4 & 7,
		Integrity:                    f.SelectedNASSecurityAlgorithms.Octet & 7,
		NgKSI:                        ngKSIFromNibble(f.SpareHalfOctetAndNgksi.Octet),
		ReplayedUESecurityCapability: UESecurityCapability(cloneBytes(f.ReplayedUESecurityCapabilities.Buffer)),
		IMEISVRequest:                f.IMEISVRequest != nil && f.IMEISVRequest.Octet&7 == nasMessage.IMEISVRequested,
	}
	if a := f.Additional5GSecurityInformation; a != nil {
		m.RINMR, m.HDP = a.Octet&0x02 != 0, a.Octet&0x01 != 0
	}
	if f.ABBA != nil {
		m.ABBA = cloneBytes(f.ABBA.Buffer)
	}
	return m, nil
}

// SecurityModeComplete is SECURITY MODE COMPLETE (TS 24.501 §8.2.26).
type SecurityModeComplete struct {
	// IMEISV is 5GS mobile identity contents of type IMEISV (9 octets); nil = absent.
	IMEISV []byte
	// NASMessageContainer holds the complete initial NAS message when the
	// network asked for it (RINMR) or the initial message had non-cleartext
	// IEs; nil = absent.
	NASMessageContainer []byte
}

func (*SecurityModeComplete) EPD() uint8               { return EPD5GMM }
func (*SecurityModeComplete) MessageType() MessageType { return MsgSecurityModeComplete }

// Build returns the plain NAS encoding.
func (m *SecurityModeComplete) Build() ([]byte, error) {
	var f nasMessage.SecurityModeComplete
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.SecurityModeCompleteMessageIdentity.Octet = gmmHeader(MsgSecurityModeComplete)
	if m.IMEISV != nil {
		if err := checkLen("SecurityModeComplete.IMEISV", m.IMEISV, 9, 9); err != nil {
			return nil, err
		}
		f.IMEISV = &nasType.IMEISV{Iei: nasMessage.SecurityModeCompleteIMEISVType, Len: 9}
		copy(f.IMEISV.Octet[:], m.IMEISV)
	}
	var err error
	if f.NASMessageContainer, err = nasContainerIE(nasMessage.SecurityModeCompleteNASMessageContainerType, m.NASMessageContainer); err != nil {
		return nil, err
	}
	return encode(f.EncodeSecurityModeComplete)
}

func parseSecurityModeComplete(b []byte) (*SecurityModeComplete, error) {
	var f nasMessage.SecurityModeComplete
	if err := decode(b, f.DecodeSecurityModeComplete); err != nil {
		return nil, err
	}
	m := &SecurityModeComplete{NASMessageContainer: nasContainerBytes(f.NASMessageContainer)}
	if f.IMEISV != nil {
		n := min(int(f.IMEISV.Len), len(f.IMEISV.Octet))
		m.IMEISV = cloneBytes(f.IMEISV.Octet[:n])
	}
	return m, nil
}

// SecurityModeReject is SECURITY MODE REJECT (TS 24.501 §8.2.27): cause #23
// UE security capabilities mismatch or #24 security mode rejected, unspecified.
type SecurityModeReject struct {
	Cause uint8
}

func (*SecurityModeReject) EPD() uint8               { return EPD5GMM }
func (*SecurityModeReject) MessageType() MessageType { return MsgSecurityModeReject }

// Build returns the plain NAS encoding.
func (m *SecurityModeReject) Build() ([]byte, error) {
	var f nasMessage.SecurityModeReject
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.SecurityModeRejectMessageIdentity.Octet = gmmHeader(MsgSecurityModeReject)
	f.Cause5GMM.Octet = m.Cause
	return encode(f.EncodeSecurityModeReject)
}

func parseSecurityModeReject(b []byte) (*SecurityModeReject, error) {
	var f nasMessage.SecurityModeReject
	if err := decode(b, f.DecodeSecurityModeReject); err != nil {
		return nil, err
	}
	return &SecurityModeReject{Cause: f.Cause5GMM.Octet}, nil
}

// Status5GMM is 5GMM STATUS (TS 24.501 §8.2.29).
type Status5GMM struct {
	Cause uint8
}

func (*Status5GMM) EPD() uint8               { return EPD5GMM }
func (*Status5GMM) MessageType() MessageType { return MsgStatus5GMM }

// Build returns the plain NAS encoding.
func (m *Status5GMM) Build() ([]byte, error) {
	var f nasMessage.Status5GMM
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.STATUSMessageIdentity5GMM.Octet = gmmHeader(MsgStatus5GMM)
	f.Cause5GMM.Octet = m.Cause
	return encode(f.EncodeStatus5GMM)
}

func parseStatus5GMM(b []byte) (*Status5GMM, error) {
	var f nasMessage.Status5GMM
	if err := decode(b, f.DecodeStatus5GMM); err != nil {
		return nil, err
	}
	return &Status5GMM{Cause: f.Cause5GMM.Octet}, nil
}
