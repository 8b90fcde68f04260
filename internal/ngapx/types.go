package ngapx

import (
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"

	"github.com/free5gc/aper"
	"github.com/free5gc/ngap/ngapType"

	"github.com/credbed/credbed/internal/nasx"
)

// Value types shared with NAS: the same octets travel in both protocols.
type (
	PLMN   = nasx.PLMN
	TAI    = nasx.TAI
	SNSSAI = nasx.SNSSAI
	STMSI  = nasx.STMSI
)

// Upper bounds of the UE NGAP IDs (TS 38.413 §9.3.3.1, §9.3.3.2).
const (
	MaxAMFUENGAPID uint64 = 1<<40 - 1
	MaxRANUENGAPID uint64 = 1<<32 - 1
)

// GlobalGNBID identifies a gNB (TS 38.413 §9.3.1.6): PLMN and a gNB ID of
// BitLen bits (22..32).
type GlobalGNBID struct {
	PLMN   PLMN
	GNBID  uint32
	BitLen uint8
}

func (g GlobalGNBID) String() string {
	return fmt.Sprintf("gnb-%s-%x/%d", g.PLMN, g.GNBID, g.BitLen)
}

// GUAMI is a globally unique AMF identifier (TS 38.413 §9.3.3.3).
type GUAMI struct {
	PLMN        PLMN
	AMFRegionID uint8
	AMFSetID    uint16 // 10 bits
	AMFPointer  uint8  // 6 bits
}

// NRCGI is an NR cell global identity: PLMN and a 36-bit cell identity.
type NRCGI struct {
	PLMN   PLMN
	CellID uint64 // low 36 bits
}

// UserLocationNR is the NR user location information (TS 38.413 §9.3.1.16).
type UserLocationNR struct {
	NRCGI NRCGI
	TAI   TAI
}

// UESecurityCapabilities is the NGAP UE security capabilities IE (TS 38.413
// §9.3.1.86): 16-bit maps whose first (most significant) bit is algorithm 1
// (NEA0/NIA0 are implicit).
type UESecurityCapabilities struct {
	NREncryption    uint16
	NRIntegrity     uint16
	EUTRAEncryption uint16
	EUTRAIntegrity  uint16
}

// UESecurityCapabilitiesFromNAS maps a NAS UE security capability (bit 8 =
// algorithm 0) to the NGAP bitmaps (bit 16 = algorithm 1), as the AMF does
// when it sets up the UE context.
func UESecurityCapabilitiesFromNAS(c nasx.UESecurityCapability) UESecurityCapabilities {
	conv := func(o uint8) uint16 { return uint16(o&0x7f) << 9 }
	return UESecurityCapabilities{
		NREncryption: conv(c.EA()), NRIntegrity: conv(c.IA()),
		EUTRAEncryption: conv(c.EEA()), EUTRAIntegrity: conv(c.EIA()),
	}
}

// KgNB is the 256-bit key the AMF gives the gNB (TS 33.501 §A.9). It never
// shows its value through fmt (any verb), encoding/json or encoding.TextMarshaler.
type KgNB [32]byte

const redacted = "KgNB(redacted)"

func (KgNB) String() string                { return redacted }
func (KgNB) GoString() string              { return redacted }
func (KgNB) Format(f fmt.State, _ rune)    { _, _ = io.WriteString(f, redacted) }
func (KgNB) MarshalText() ([]byte, error)  { return []byte(redacted), nil }
func (k KgNB) IsZero() bool                { return k == KgNB{} }
func (k *KgNB) setFromBits(b []byte) error { return copyExact(k[:], b, "security key") }
func copyExact(dst, src []byte, what string) error {
	if len(src) != len(dst) {
		return fmt.Errorf("%s: %d octets, want %d", what, len(src), len(dst))
	}
	copy(dst, src)
	return nil
}

// GTPTunnel is an NG-U tunnel endpoint (TS 38.413 §9.3.2.2): transport
// address and TEID.
type GTPTunnel struct {
	Addr netip.Addr
	TEID uint32
}

// AMBR is an aggregate maximum bit rate pair in bit/s.
type AMBR struct {
	DL uint64
	UL uint64
}

// PDU session types as NGAP enumerates them (TS 38.413 §9.3.4.6); note
// they differ from the NAS values.
const (
	PDUSessionTypeIPv4         uint8 = 0
	PDUSessionTypeIPv6         uint8 = 1
	PDUSessionTypeIPv4v6       uint8 = 2
	PDUSessionTypeEthernet     uint8 = 3
	PDUSessionTypeUnstructured uint8 = 4
)

// RRC establishment causes (TS 38.413 §9.3.1.111).
const (
	RRCEmergency          uint8 = 0
	RRCHighPriorityAccess uint8 = 1
	RRCMtAccess           uint8 = 2
	RRCMoSignalling       uint8 = 3
	RRCMoData             uint8 = 4
	RRCMoVoiceCall        uint8 = 5
	RRCMoVideoCall        uint8 = 6
	RRCMoSMS              uint8 = 7
	RRCMpsPriorityAccess  uint8 = 8
	RRCMcsPriorityAccess  uint8 = 9
	RRCNotAvailable       uint8 = 10
)

// Paging DRX values (TS 38.413 §9.3.1.90).
const (
	PagingDRX32  uint8 = 0
	PagingDRX64  uint8 = 1
	PagingDRX128 uint8 = 2
	PagingDRX256 uint8 = 3
)

// Time to wait values (TS 38.413 §9.3.1.56).
const (
	TimeToWait1s  uint8 = 0
	TimeToWait2s  uint8 = 1
	TimeToWait5s  uint8 = 2
	TimeToWait10s uint8 = 3
	TimeToWait20s uint8 = 4
	TimeToWait60s uint8 = 5
)

// --- conversions to and from ngapType -------------------------------------

func plmnToNgap(p PLMN) ngapType.PLMNIdentity {
	return ngapType.PLMNIdentity{Value: aper.OctetString(append([]byte(nil), p[:]...))}
}

func plmnFromNgap(p ngapType.PLMNIdentity) (PLMN, error) {
	var out PLMN
	return out, copyExact(out[:], p.Value, "PLMN identity")
}

func tacToNgap(tac uint32) ngapType.TAC {
	return ngapType.TAC{Value: aper.OctetString{byte(tac >> 16), byte(tac >> 8), byte(tac)}}
}

func tacFromNgap(t ngapType.TAC) (uint32, error) {
	if len(t.Value) != 3 {
		return 0, fmt.Errorf("TAC: %d octets", len(t.Value))
	}
	return uint32(t.Value[0])<<16 | uint32(t.Value[1])<<8 | uint32(t.Value[2]), nil
}

func taiToNgap(t TAI) ngapType.TAI {
	return ngapType.TAI{PLMNIdentity: plmnToNgap(t.PLMN), TAC: tacToNgap(t.TAC)}
}

func taiFromNgap(t ngapType.TAI) (TAI, error) {
	p, err := plmnFromNgap(t.PLMNIdentity)
	if err != nil {
		return TAI{}, err
	}
	tac, err := tacFromNgap(t.TAC)
	return TAI{PLMN: p, TAC: tac}, err
}

func snssaiToNgap(s SNSSAI) ngapType.SNSSAI {
	out := ngapType.SNSSAI{SST: ngapType.SST{Value: aper.OctetString{s.SST}}}
	if s.HasSD {
		out.SD = &ngapType.SD{Value: aper.OctetString{byte(s.SD >> 16), byte(s.SD >> 8), byte(s.SD)}}
	}
	return out
}

func snssaiFromNgap(s ngapType.SNSSAI) (SNSSAI, error) {
	if len(s.SST.Value) != 1 {
		return SNSSAI{}, fmt.Errorf("SST: %d octets", len(s.SST.Value))
	}
	out := SNSSAI{SST: s.SST.Value[0]}
	if s.SD != nil {
		if len(s.SD.Value) != 3 {
			return SNSSAI{}, fmt.Errorf("SD: %d octets", len(s.SD.Value))
		}
		out.SD, out.HasSD = uint32(s.SD.Value[0])<<16|uint32(s.SD.Value[1])<<8|uint32(s.SD.Value[2]), true
	}
	return out, nil
}

func sliceListToNgap(l []SNSSAI) ngapType.SliceSupportList {
	out := ngapType.SliceSupportList{List: make([]ngapType.SliceSupportItem, len(l))}
	for i, s := range l {
		out.List[i].SNSSAI = snssaiToNgap(s)
	}
	return out
}

func sliceListFromNgap(l ngapType.SliceSupportList) ([]SNSSAI, error) {
	out := make([]SNSSAI, len(l.List))
	for i, it := range l.List {
		s, err := snssaiFromNgap(it.SNSSAI)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func allowedNSSAIToNgap(l []SNSSAI) *ngapType.AllowedNSSAI {
	out := &ngapType.AllowedNSSAI{List: make([]ngapType.AllowedNSSAIItem, len(l))}
	for i, s := range l {
		out.List[i].SNSSAI = snssaiToNgap(s)
	}
	return out
}

func allowedNSSAIFromNgap(l *ngapType.AllowedNSSAI) ([]SNSSAI, error) {
	out := make([]SNSSAI, len(l.List))
	for i, it := range l.List {
		s, err := snssaiFromNgap(it.SNSSAI)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// bits packs the low n bits of v, most significant first, into a BitString.
func bits(v uint64, n int) aper.BitString {
	nb := (n + 7) / 8
	b := make([]byte, nb)
	v <<= uint(nb*8 - n)
	for i := nb - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return aper.BitString{Bytes: b, BitLength: uint64(n)}
}

// fromBits reads a BitString of lo..hi bits (at most 64) as an integer.
func fromBits(b aper.BitString, lo, hi int, what string) (uint64, int, error) {
	n := int(b.BitLength)
	if n < lo || n > hi || len(b.Bytes) != (n+7)/8 {
		return 0, 0, fmt.Errorf("%s: %d bits in %d octets", what, n, len(b.Bytes))
	}
	var v uint64
	for _, x := range b.Bytes {
		v = v<<8 | uint64(x)
	}
	return v >> uint(len(b.Bytes)*8-n), n, nil
}

func gnbIDToNgap(g GlobalGNBID) (*ngapType.GlobalRANNodeID, error) {
	if g.BitLen < 22 || g.BitLen > 32 || (g.BitLen < 32 && uint64(g.GNBID) >= 1<<g.BitLen) {
		return nil, invalid("gNB ID %#x of %d bits", g.GNBID, g.BitLen)
	}
	bs := bits(uint64(g.GNBID), int(g.BitLen))
	return &ngapType.GlobalRANNodeID{
		Present: ngapType.GlobalRANNodeIDPresentGlobalGNBID,
		GlobalGNBID: &ngapType.GlobalGNBID{
			PLMNIdentity: plmnToNgap(g.PLMN),
			GNBID:        ngapType.GNBID{Present: ngapType.GNBIDPresentGNBID, GNBID: &bs},
		},
	}, nil
}

func gnbIDFromNgap(r *ngapType.GlobalRANNodeID) (GlobalGNBID, error) {
	if r.Present != ngapType.GlobalRANNodeIDPresentGlobalGNBID || r.GlobalGNBID == nil ||
		r.GlobalGNBID.GNBID.Present != ngapType.GNBIDPresentGNBID || r.GlobalGNBID.GNBID.GNBID == nil {
		return GlobalGNBID{}, fmt.Errorf("global RAN node ID is not a gNB ID (choice %d)", r.Present)
	}
	p, err := plmnFromNgap(r.GlobalGNBID.PLMNIdentity)
	if err != nil {
		return GlobalGNBID{}, err
	}
	v, n, err := fromBits(*r.GlobalGNBID.GNBID.GNBID, 22, 32, "gNB ID")
	return GlobalGNBID{PLMN: p, GNBID: uint32(v), BitLen: uint8(n)}, err
}

func guamiToNgap(g GUAMI) ngapType.GUAMI {
	return ngapType.GUAMI{
		PLMNIdentity: plmnToNgap(g.PLMN),
		AMFRegionID:  ngapType.AMFRegionID{Value: bits(uint64(g.AMFRegionID), 8)},
		AMFSetID:     ngapType.AMFSetID{Value: bits(uint64(g.AMFSetID), 10)},
		AMFPointer:   ngapType.AMFPointer{Value: bits(uint64(g.AMFPointer), 6)},
	}
}

func guamiFromNgap(g ngapType.GUAMI) (GUAMI, error) {
	p, err := plmnFromNgap(g.PLMNIdentity)
	if err != nil {
		return GUAMI{}, err
	}
	r, _, err := fromBits(g.AMFRegionID.Value, 8, 8, "AMF region ID")
	if err != nil {
		return GUAMI{}, err
	}
	s, _, err := fromBits(g.AMFSetID.Value, 10, 10, "AMF set ID")
	if err != nil {
		return GUAMI{}, err
	}
	ptr, _, err := fromBits(g.AMFPointer.Value, 6, 6, "AMF pointer")
	return GUAMI{PLMN: p, AMFRegionID: uint8(r), AMFSetID: uint16(s), AMFPointer: uint8(ptr)}, err
}

func validGUAMI(g GUAMI) error {
	if g.AMFSetID > 0x3ff || g.AMFPointer > 0x3f {
		return invalid("GUAMI set ID %#x / pointer %#x out of range", g.AMFSetID, g.AMFPointer)
	}
	return nil
}

// checkLocation refuses an NR cell identity over 36 bits or a TAC over 24.
func checkLocation(l UserLocationNR) error {
	if l.NRCGI.CellID >= 1<<36 || l.TAI.TAC > 0xffffff {
		return invalid("NR cell identity %#x / TAC %#x out of range", l.NRCGI.CellID, l.TAI.TAC)
	}
	return nil
}

func locationToNgap(l UserLocationNR) (*ngapType.UserLocationInformation, error) {
	if err := checkLocation(l); err != nil {
		return nil, err
	}
	return &ngapType.UserLocationInformation{
		Present: ngapType.UserLocationInformationPresentUserLocationInformationNR,
		UserLocationInformationNR: &ngapType.UserLocationInformationNR{
			NRCGI: ngapType.NRCGI{
				PLMNIdentity:   plmnToNgap(l.NRCGI.PLMN),
				NRCellIdentity: ngapType.NRCellIdentity{Value: bits(l.NRCGI.CellID, 36)},
			},
			TAI: taiToNgap(l.TAI),
		},
	}, nil
}

func locationFromNgap(u *ngapType.UserLocationInformation) (UserLocationNR, error) {
	if u.Present != ngapType.UserLocationInformationPresentUserLocationInformationNR || u.UserLocationInformationNR == nil {
		return UserLocationNR{}, fmt.Errorf("user location information is not NR (choice %d)", u.Present)
	}
	nr := u.UserLocationInformationNR
	p, err := plmnFromNgap(nr.NRCGI.PLMNIdentity)
	if err != nil {
		return UserLocationNR{}, err
	}
	cell, _, err := fromBits(nr.NRCGI.NRCellIdentity.Value, 36, 36, "NR cell identity")
	if err != nil {
		return UserLocationNR{}, err
	}
	tai, err := taiFromNgap(nr.TAI)
	return UserLocationNR{NRCGI: NRCGI{PLMN: p, CellID: cell}, TAI: tai}, err
}

func secCapsToNgap(c UESecurityCapabilities) *ngapType.UESecurityCapabilities {
	return &ngapType.UESecurityCapabilities{
		NRencryptionAlgorithms:             ngapType.NRencryptionAlgorithms{Value: bits(uint64(c.NREncryption), 16)},
		NRintegrityProtectionAlgorithms:    ngapType.NRintegrityProtectionAlgorithms{Value: bits(uint64(c.NRIntegrity), 16)},
		EUTRAencryptionAlgorithms:          ngapType.EUTRAencryptionAlgorithms{Value: bits(uint64(c.EUTRAEncryption), 16)},
		EUTRAintegrityProtectionAlgorithms: ngapType.EUTRAintegrityProtectionAlgorithms{Value: bits(uint64(c.EUTRAIntegrity), 16)},
	}
}

func secCapsFromNgap(c *ngapType.UESecurityCapabilities) (UESecurityCapabilities, error) {
	var out UESecurityCapabilities
	for _, f := range []struct {
		dst  *uint16
		src  aper.BitString
		name string
	}{
		{&out.NREncryption, c.NRencryptionAlgorithms.Value, "NR encryption algorithms"},
		{&out.NRIntegrity, c.NRintegrityProtectionAlgorithms.Value, "NR integrity algorithms"},
		{&out.EUTRAEncryption, c.EUTRAencryptionAlgorithms.Value, "E-UTRA encryption algorithms"},
		{&out.EUTRAIntegrity, c.EUTRAintegrityProtectionAlgorithms.Value, "E-UTRA integrity algorithms"},
	} {
		v, _, err := fromBits(f.src, 16, 16, f.name)
		if err != nil {
			return out, err
		}
		*f.dst = uint16(v)
	}
	return out, nil
}

func tunnelToNgap(t GTPTunnel) (ngapType.UPTransportLayerInformation, error) {
	var addr aper.BitString
	switch {
	case t.Addr.Is4():
		a := t.Addr.As4()
		addr = aper.BitString{Bytes: a[:], BitLength: 32}
	case t.Addr.Is6():
		a := t.Addr.As16()
		addr = aper.BitString{Bytes: a[:], BitLength: 128}
	default:
		return ngapType.UPTransportLayerInformation{}, invalid("GTP tunnel without a transport address")
	}
	teid := make([]byte, 4)
	binary.BigEndian.PutUint32(teid, t.TEID)
	return ngapType.UPTransportLayerInformation{
		Present: ngapType.UPTransportLayerInformationPresentGTPTunnel,
		GTPTunnel: &ngapType.GTPTunnel{
			TransportLayerAddress: ngapType.TransportLayerAddress{Value: addr},
			GTPTEID:               ngapType.GTPTEID{Value: teid},
		},
	}, nil
}

// tunnelFromNgap reads a GTP tunnel; for a 160-bit (IPv4 and IPv6) address
// it keeps the IPv4 part.
func tunnelFromNgap(u *ngapType.UPTransportLayerInformation) (GTPTunnel, error) {
	if u.Present != ngapType.UPTransportLayerInformationPresentGTPTunnel || u.GTPTunnel == nil {
		return GTPTunnel{}, fmt.Errorf("UP transport layer information is not a GTP tunnel (choice %d)", u.Present)
	}
	a, teid := u.GTPTunnel.TransportLayerAddress.Value, u.GTPTunnel.GTPTEID.Value
	if len(teid) != 4 {
		return GTPTunnel{}, fmt.Errorf("GTP-TEID: %d octets", len(teid))
	}
	out := GTPTunnel{TEID: binary.BigEndian.Uint32(teid)}
	switch {
	case (a.BitLength == 32 || a.BitLength == 160) && len(a.Bytes) >= 4:
		out.Addr = netip.AddrFrom4([4]byte(a.Bytes[:4]))
	case a.BitLength == 128 && len(a.Bytes) == 16:
		out.Addr = netip.AddrFrom16([16]byte(a.Bytes))
	default:
		return GTPTunnel{}, fmt.Errorf("transport layer address of %d bits", a.BitLength)
	}
	return out, nil
}

func pduSessionID(id uint8) ngapType.PDUSessionID { return ngapType.PDUSessionID{Value: int64(id)} }

func pduSessionIDFrom(id ngapType.PDUSessionID) uint8 { return uint8(id.Value) }
