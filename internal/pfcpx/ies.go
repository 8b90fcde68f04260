package pfcpx

import (
	"fmt"
	"net/netip"

	"github.com/wmnsk/go-pfcp/ie"
)

// ip4 converts a valid IPv4 netip.Addr to the 4-byte slice go-pfcp takes
// as a net.IP (nil otherwise).
func ip4(a netip.Addr) []byte {
	if !a.Is4() {
		return nil
	}
	b := a.As4()
	return b[:]
}

// addrFromIP converts go-pfcp's net.IP values (4 or 16 bytes, IPv4-mapped
// allowed) to a netip.Addr.
func addrFromIP(ip []byte) netip.Addr {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}
	}
	return a.Unmap()
}

// NodeIDIE encodes a Node ID: an IPv4/IPv6 literal becomes an address node
// id, anything else an FQDN (TS 29.244 §8.2.38).
func NodeIDIE(id string) (*ie.IE, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: empty node id", ErrBuild)
	}
	if a, err := netip.ParseAddr(id); err == nil {
		if a.Is4() {
			return ie.NewNodeID(a.String(), "", ""), nil
		}
		return ie.NewNodeID("", a.String(), ""), nil
	}
	return ie.NewNodeID("", "", id), nil
}

// FSEIDIE encodes an IPv4 F-SEID (TS 29.244 §8.2.37).
func FSEIDIE(seid uint64, addr netip.Addr) (*ie.IE, error) {
	if !addr.Is4() {
		return nil, fmt.Errorf("%w: F-SEID address %v is not IPv4", ErrBuild, addr)
	}
	return ie.NewFSEID(seid, ip4(addr), nil), nil
}

func fteidIE(f FTEID) (*ie.IE, error) {
	if f.Choose {
		flags := uint8(0x05) // CH + V4
		if f.HasChooseID {
			flags |= 0x08
		}
		return nonNil(ie.NewFTEID(flags, 0, nil, nil, f.ChooseID), "F-TEID")
	}
	if !f.IPv4.Is4() {
		return nil, fmt.Errorf("%w: F-TEID address %v is not IPv4", ErrBuild, f.IPv4)
	}
	return nonNil(ie.NewFTEID(0x01, f.TEID, ip4(f.IPv4), nil, 0), "F-TEID")
}

func nonNil(i *ie.IE, what string) (*ie.IE, error) {
	if i == nil {
		return nil, fmt.Errorf("%w: %s", ErrBuild, what)
	}
	return i, nil
}

func pdiIE(p PDI) (*ie.IE, error) {
	ies := []*ie.IE{ie.NewSourceInterface(uint8(p.Source))}
	if p.LocalFTEID != nil {
		f, err := fteidIE(*p.LocalFTEID)
		if err != nil {
			return nil, err
		}
		ies = append(ies, f)
	}
	if p.NetworkInstance != "" {
		ies = append(ies, ie.NewNetworkInstance(p.NetworkInstance))
	}
	if p.UEIP.IsValid() {
		if !p.UEIP.Is4() {
			return nil, fmt.Errorf("%w: UE IP %v is not IPv4", ErrBuild, p.UEIP)
		}
		flags := uint8(0x02)
		if p.UEIPIsDest {
			flags |= 0x04
		}
		ies = append(ies, ie.NewUEIPAddress(flags, p.UEIP.String(), "", 0, 0))
	}
	if p.QFI != 0 {
		ies = append(ies, ie.NewQFI(p.QFI))
	}
	return nonNil(ie.NewPDI(ies...), "PDI")
}

// CreatePDRIE encodes p as a Create PDR IE (TS 29.244 §7.5.2.2).
func CreatePDRIE(p PDR) (*ie.IE, error) {
	pdi, err := pdiIE(p.PDI)
	if err != nil {
		return nil, err
	}
	ies := []*ie.IE{ie.NewPDRID(p.ID), ie.NewPrecedence(p.Precedence), pdi}
	if p.OuterHeaderRemoval {
		ies = append(ies, ie.NewOuterHeaderRemoval(0, 0))
	}
	if p.FARID != 0 {
		ies = append(ies, ie.NewFARID(p.FARID))
	}
	for _, q := range p.QERIDs {
		ies = append(ies, ie.NewQERID(q))
	}
	return nonNil(ie.NewCreatePDR(ies...), "Create PDR")
}

// UpdatePDRIE encodes u as an Update PDR IE (TS 29.244 §7.5.4.2).
func UpdatePDRIE(u PDRUpdate) (*ie.IE, error) {
	ies := []*ie.IE{ie.NewPDRID(u.ID)}
	if u.OuterHeaderRemoval != nil && *u.OuterHeaderRemoval {
		ies = append(ies, ie.NewOuterHeaderRemoval(0, 0))
	}
	if u.Precedence != nil {
		ies = append(ies, ie.NewPrecedence(*u.Precedence))
	}
	if u.PDI != nil {
		pdi, err := pdiIE(*u.PDI)
		if err != nil {
			return nil, err
		}
		ies = append(ies, pdi)
	}
	if u.FARID != nil {
		ies = append(ies, ie.NewFARID(*u.FARID))
	}
	for _, q := range u.QERIDs {
		ies = append(ies, ie.NewQERID(q))
	}
	return nonNil(ie.NewUpdatePDR(ies...), "Update PDR")
}

func forwardingIEs(f Forwarding) ([]*ie.IE, error) {
	ies := []*ie.IE{ie.NewDestinationInterface(uint8(f.Destination))}
	if f.NetworkInstance != "" {
		ies = append(ies, ie.NewNetworkInstance(f.NetworkInstance))
	}
	if o := f.OuterHeader; o != nil {
		if !o.IPv4.Is4() {
			return nil, fmt.Errorf("%w: outer header address %v is not IPv4", ErrBuild, o.IPv4)
		}
		ohc, err := nonNil(ie.NewOuterHeaderCreation(0x0100, o.TEID, o.IPv4.String(), "", 0, 0, 0), "Outer Header Creation")
		if err != nil {
			return nil, err
		}
		ies = append(ies, ohc)
	}
	return ies, nil
}

// CreateFARIE encodes f as a Create FAR IE (TS 29.244 §7.5.2.3).
func CreateFARIE(f FAR) (*ie.IE, error) {
	ies := []*ie.IE{ie.NewFARID(f.ID), ie.NewApplyAction(uint8(f.Action))}
	if f.Forwarding != nil {
		fp, err := forwardingIEs(*f.Forwarding)
		if err != nil {
			return nil, err
		}
		ies = append(ies, ie.NewForwardingParameters(fp...))
	}
	if f.BARID != nil {
		ies = append(ies, ie.NewBARID(*f.BARID))
	}
	return nonNil(ie.NewCreateFAR(ies...), "Create FAR")
}

// UpdateFARIE encodes u as an Update FAR IE with Update Forwarding
// Parameters (TS 29.244 §7.5.4.3).
func UpdateFARIE(u FARUpdate) (*ie.IE, error) {
	ies := []*ie.IE{ie.NewFARID(u.ID)}
	if u.Action != 0 {
		ies = append(ies, ie.NewApplyAction(uint8(u.Action)))
	}
	if u.Forwarding != nil {
		fp, err := forwardingIEs(*u.Forwarding)
		if err != nil {
			return nil, err
		}
		ies = append(ies, ie.NewUpdateForwardingParameters(fp...))
	}
	if u.BARID != nil {
		ies = append(ies, ie.NewBARID(*u.BARID))
	}
	return nonNil(ie.NewUpdateFAR(ies...), "Update FAR")
}

func barIEs(b BAR) []*ie.IE {
	ies := []*ie.IE{ie.NewBARID(b.ID)}
	if b.SuggestedPackets != 0 {
		ies = append(ies, ie.NewSuggestedBufferingPacketsCount(b.SuggestedPackets))
	}
	return ies
}

// CreateBARIE encodes b as a Create BAR IE (TS 29.244 §7.5.2.6).
func CreateBARIE(b BAR) *ie.IE { return ie.NewCreateBAR(barIEs(b)...) }

// UpdateBARIE encodes b as an Update BAR IE within a Session Modification
// Request (TS 29.244 §7.5.4.11).
func UpdateBARIE(b BAR) *ie.IE { return ie.NewUpdateBARWithinSessionModificationRequest(barIEs(b)...) }

// CreateQERIE encodes q as a Create QER IE (TS 29.244 §7.5.2.5).
func CreateQERIE(q QER) (*ie.IE, error) {
	ies := []*ie.IE{ie.NewQERID(q.ID), ie.NewGateStatus(uint8(q.Gate.UL), uint8(q.Gate.DL))}
	if q.MBR != nil {
		ies = append(ies, ie.NewMBR(q.MBR.UL, q.MBR.DL))
	}
	if q.QFI != 0 {
		ies = append(ies, ie.NewQFI(q.QFI))
	}
	return nonNil(ie.NewCreateQER(ies...), "Create QER")
}

// UpdateQERIE encodes u as an Update QER IE (TS 29.244 §7.5.4.5).
func UpdateQERIE(u QERUpdate) (*ie.IE, error) {
	ies := []*ie.IE{ie.NewQERID(u.ID)}
	if u.Gate != nil {
		ies = append(ies, ie.NewGateStatus(uint8(u.Gate.UL), uint8(u.Gate.DL)))
	}
	if u.MBR != nil {
		ies = append(ies, ie.NewMBR(u.MBR.UL, u.MBR.DL))
	}
	if u.QFI != nil {
		ies = append(ies, ie.NewQFI(*u.QFI))
	}
	return nonNil(ie.NewGroupedIE(ie.UpdateQER, ies...), "Update QER")
}

// CreatedPDRIE encodes the Created PDR IE a UP function returns for a PDR
// whose F-TEID it allocated (TS 29.244 §7.5.3.2).
func CreatedPDRIE(c CreatedPDR) (*ie.IE, error) {
	fi, err := fteidIE(FTEID{TEID: c.FTEID.TEID, IPv4: c.FTEID.IPv4})
	if err != nil {
		return nil, err
	}
	return nonNil(ie.NewCreatedPDR(ie.NewPDRID(c.PDRID), fi), "Created PDR")
}
