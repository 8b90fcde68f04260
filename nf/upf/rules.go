package upf

import (
	"fmt"
	"net/netip"
	"slices"

	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"
	"github.com/wmnsk/go-pfcp/ie"

	"github.com/credbed/credbed/internal/pfcpx"
)

// session is one PFCP session's control state, owned by the N4 side (u.mu).
type session struct {
	upSEID, cpSEID uint64
	cpAddr         netip.Addr
	nodeID         string
	pdrs           []pfcpx.PDR
	fars           []pfcpx.FAR
	qers           []pfcpx.QER
	bars           []pfcpx.BAR
	teids          []uint32 // keys published in the uplink table
	ueIPs          []uint32 // keys published in the downlink table
	traced         string   // last state traced, the Detail prefix of the next state event
}

// ruleSet is the immutable, precompiled view of the PDRs reachable from one
// table key, sorted by precedence.
type ruleSet struct {
	seid uint64
	pdrs []fastPDR
}

type fastPDR struct {
	id         uint16
	precedence uint32
	qfi        uint8  // match: 0 = any
	ueIP       uint32 // match on the UE side address when hasUE
	hasUE      bool
	action     pfcpx.Action
	gateClosed bool
	bufPackets uint16 // while the FAR buffers: the most packets to keep
	// Forwarding: either to the data network (toN6 valid) or encapsulated
	// towards a GTP-U peer (gtpPeer valid).
	toN6    netip.AddrPort
	gtpPeer netip.AddrPort
	teid    uint32
	exts    []*gtpmsg.ExtensionHeader // PDU Session Container to add, nil for none
}

// buffers reports whether the PDR's packets go to the session's buffer
// (FAR BUFF, gate open).
func (f *fastPDR) buffers() bool { return f.action.Has(pfcpx.ActBuffer) && !f.gateClosed }

func ip4key(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func keyAddr(k uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)})
}

func ruleFail(t uint16, format string, args ...any) *pfcpx.IEError {
	return &pfcpx.IEError{Cause: pfcpx.CauseRuleCreationModificationFailure, IEType: t, Err: fmt.Errorf(format, args...)}
}

// pduSessionContainer builds the TS 38.415 §5.5.2 PDU Session Container:
// octet 1 PDU type (0 = DL PDU SESSION INFORMATION, 1 = UL), octet 2 QFI.
func pduSessionContainer(pduType, qfi uint8) []*gtpmsg.ExtensionHeader {
	return []*gtpmsg.ExtensionHeader{gtpmsg.NewExtensionHeader(
		gtpmsg.ExtHeaderTypePDUSessionContainer, []byte{pduType << 4, qfi & 0x3f},
		gtpmsg.ExtHeaderTypeNoMoreExtensionHeaders)}
}

func checkIDs(pdrs []pfcpx.PDR, fars []pfcpx.FAR, qers []pfcpx.QER, bars []pfcpx.BAR) *pfcpx.IEError {
	seenP := map[uint16]bool{}
	for _, p := range pdrs {
		if seenP[p.ID] {
			return ruleFail(ie.CreatePDR, "duplicate PDR ID %d", p.ID)
		}
		seenP[p.ID] = true
	}
	seenF := map[uint32]bool{}
	for _, f := range fars {
		if seenF[f.ID] {
			return ruleFail(ie.CreateFAR, "duplicate FAR ID %d", f.ID)
		}
		seenF[f.ID] = true
	}
	seenQ := map[uint32]bool{}
	for _, q := range qers {
		if seenQ[q.ID] {
			return ruleFail(ie.CreateQER, "duplicate QER ID %d", q.ID)
		}
		seenQ[q.ID] = true
	}
	seenB := map[uint8]bool{}
	for _, b := range bars {
		if seenB[b.ID] {
			return ruleFail(ie.CreateBAR, "duplicate BAR ID %d", b.ID)
		}
		seenB[b.ID] = true
	}
	return nil
}

// compile checks a session's rules against each other and builds the
// per-key rule sets. PDR F-TEIDs must already be concrete.
func (u *UPF) compile(seid uint64, pdrs []pfcpx.PDR, fars []pfcpx.FAR, qers []pfcpx.QER, bars []pfcpx.BAR) (ul, dl map[uint32]*ruleSet, err *pfcpx.IEError) {
	if err := checkIDs(pdrs, fars, qers, bars); err != nil {
		return nil, nil, err
	}
	for _, f := range fars {
		if f.BARID != nil && !slices.ContainsFunc(bars, func(b pfcpx.BAR) bool { return b.ID == *f.BARID }) {
			return nil, nil, ruleFail(ie.CreateFAR, "FAR %d refers to unknown BAR %d", f.ID, *f.BARID)
		}
	}
	farByID := make(map[uint32]*pfcpx.FAR, len(fars))
	for i := range fars {
		farByID[fars[i].ID] = &fars[i]
	}
	qerByID := make(map[uint32]*pfcpx.QER, len(qers))
	for i := range qers {
		qerByID[qers[i].ID] = &qers[i]
	}
	ul, dl = map[uint32]*ruleSet{}, map[uint32]*ruleSet{}
	add := func(m map[uint32]*ruleSet, k uint32, f fastPDR) {
		rs := m[k]
		if rs == nil {
			rs = &ruleSet{seid: seid}
			m[k] = rs
		}
		rs.pdrs = append(rs.pdrs, f)
	}
	for _, p := range pdrs {
		far := farByID[p.FARID]
		if far == nil {
			return nil, nil, ruleFail(ie.CreatePDR, "PDR %d refers to unknown FAR %d", p.ID, p.FARID)
		}
		f := fastPDR{id: p.ID, precedence: p.Precedence, qfi: p.PDI.QFI, action: far.Action,
			bufPackets: u.bufferBound(far, bars)}
		if p.PDI.UEIP.IsValid() {
			f.ueIP, f.hasUE = ip4key(p.PDI.UEIP), true
		}
		uplink := p.PDI.Source == pfcpx.Access
		var qfiOut uint8
		for _, qid := range p.QERIDs {
			q := qerByID[qid]
			if q == nil {
				return nil, nil, ruleFail(ie.CreatePDR, "PDR %d refers to unknown QER %d", p.ID, qid)
			}
			g := q.Gate.DL
			if uplink {
				g = q.Gate.UL
			}
			if g == pfcpx.GateClosed {
				f.gateClosed = true
			}
			if qfiOut == 0 {
				qfiOut = q.QFI
			}
		}
		if qfiOut == 0 {
			qfiOut = p.PDI.QFI
		}
		if far.Action.Has(pfcpx.ActForward) {
			fw := far.Forwarding
			switch {
			case fw == nil:
				return nil, nil, ruleFail(ie.CreateFAR, "FAR %d forwards without forwarding parameters", far.ID)
			case fw.OuterHeader != nil:
				f.gtpPeer, f.teid = fw.OuterHeader.Addr(), fw.OuterHeader.TEID
				if qfiOut != 0 {
					pduType := uint8(0) // towards the access network: DL PDU SESSION INFORMATION
					if fw.Destination != pfcpx.Access {
						pduType = 1
					}
					f.exts = pduSessionContainer(pduType, qfiOut)
				}
			case fw.Destination == pfcpx.Core || fw.Destination == pfcpx.SGiLAN:
				f.toN6 = u.dnFor(fw.NetworkInstance)
			default:
				return nil, nil, ruleFail(ie.CreateFAR, "FAR %d forwards to %v without an outer header", far.ID, fw.Destination)
			}
		}
		switch p.PDI.Source {
		case pfcpx.Access:
			if p.PDI.LocalFTEID == nil {
				return nil, nil, ruleFail(ie.CreatePDR, "uplink PDR %d has no local F-TEID", p.ID)
			}
			add(ul, p.PDI.LocalFTEID.TEID, f)
		case pfcpx.Core, pfcpx.SGiLAN:
			if !f.hasUE {
				return nil, nil, ruleFail(ie.CreatePDR, "downlink PDR %d has no UE IP address", p.ID)
			}
			add(dl, f.ueIP, f)
		default:
			return nil, nil, ruleFail(ie.CreatePDR, "PDR %d: source interface %v not supported", p.ID, p.PDI.Source)
		}
	}
	for _, m := range []map[uint32]*ruleSet{ul, dl} {
		for _, rs := range m {
			slices.SortStableFunc(rs.pdrs, func(a, b fastPDR) int {
				switch {
				case a.precedence < b.precedence:
					return -1
				case a.precedence > b.precedence:
					return 1
				}
				return 0
			})
		}
	}
	return ul, dl, nil
}

// bufferBound is the packet bound of far's buffer: the configured one,
// lowered by the Suggested Buffering Packets Count of the BAR it names
// (TS 29.244 §5.2.4).
func (u *UPF) bufferBound(far *pfcpx.FAR, bars []pfcpx.BAR) uint16 {
	n := u.cfg.BufferPackets
	if far.BARID != nil {
		for _, b := range bars {
			if b.ID == *far.BARID && b.SuggestedPackets != 0 {
				n = min(n, int(b.SuggestedPackets))
			}
		}
	}
	return uint16(n)
}

func (u *UPF) dnFor(instance string) netip.AddrPort {
	if a, ok := u.cfg.DNs[instance]; ok {
		return a
	}
	return u.cfg.DN
}

// resolveFTEIDs turns CHOOSE F-TEIDs into allocated TEIDs on the UPF's N3
// address and checks explicit ones. It returns the Created PDR list.
// Called with u.mu held.
func (u *UPF) resolveFTEIDs(seid uint64, pdrs []pfcpx.PDR, taken map[uint32]bool) ([]pfcpx.CreatedPDR, *pfcpx.IEError) {
	n3 := u.cfg.N3Addr.Addr()
	byCHID := map[uint8]uint32{}
	var created []pfcpx.CreatedPDR
	for i := range pdrs {
		f := pdrs[i].PDI.LocalFTEID
		if f == nil {
			continue
		}
		if !f.Choose {
			if f.IPv4 != n3 {
				return nil, ruleFail(ie.FTEID, "F-TEID address %v is not this UPF's N3 address %v", f.IPv4, n3)
			}
			if owner, ok := u.teidOwner[f.TEID]; ok && owner != seid {
				return nil, ruleFail(ie.FTEID, "TEID %#x is in use by another session", f.TEID)
			}
			taken[f.TEID] = true
			continue
		}
		teid, ok := byCHID[f.ChooseID]
		if !ok || !f.HasChooseID {
			teid = u.allocTEID(taken)
			if teid == 0 {
				return nil, &pfcpx.IEError{Cause: pfcpx.CauseNoResourcesAvailable, IEType: ie.FTEID, Err: fmt.Errorf("no free TEID")}
			}
			if f.HasChooseID {
				byCHID[f.ChooseID] = teid
			}
		}
		nf := pfcpx.FTEID{TEID: teid, IPv4: n3}
		pdrs[i].PDI.LocalFTEID = &nf
		created = append(created, pfcpx.CreatedPDR{PDRID: pdrs[i].ID, FTEID: nf})
	}
	return created, nil
}

func (u *UPF) allocTEID(taken map[uint32]bool) uint32 {
	for range 64 {
		t := u.rng.Uint32()
		if t == 0 || taken[t] {
			continue
		}
		if _, used := u.teidOwner[t]; used {
			continue
		}
		taken[t] = true
		return t
	}
	return 0
}

func (u *UPF) allocSEID() uint64 {
	for {
		s := u.rng.Uint64()
		if _, used := u.sessions[s]; s != 0 && !used {
			return s
		}
	}
}

// install checks and applies a complete rule set for session s (new or
// modified) and publishes it to the packet tables. On error nothing changes.
// Called with u.mu held.
func (u *UPF) install(s *session, pdrs []pfcpx.PDR, fars []pfcpx.FAR, qers []pfcpx.QER, bars []pfcpx.BAR) ([]pfcpx.CreatedPDR, *pfcpx.IEError) {
	created, ierr := u.resolveFTEIDs(s.upSEID, pdrs, map[uint32]bool{})
	if ierr != nil {
		return nil, ierr
	}
	ul, dl, ierr := u.compile(s.upSEID, pdrs, fars, qers, bars)
	if ierr != nil {
		return nil, ierr
	}
	for k := range dl {
		if owner, ok := u.ueOwner[k]; ok && owner != s.upSEID {
			return nil, ruleFail(ie.UEIPAddress, "UE IP address %v is in use by another session", keyAddr(k))
		}
	}
	// Commit.
	for _, k := range s.teids {
		if _, keep := ul[k]; !keep {
			u.ul.delete(k)
			delete(u.teidOwner, k)
		}
	}
	for _, k := range s.ueIPs {
		if _, keep := dl[k]; !keep {
			u.dl.delete(k)
			delete(u.ueOwner, k)
		}
	}
	s.teids, s.ueIPs = s.teids[:0], s.ueIPs[:0]
	for k, rs := range ul {
		u.teidOwner[k] = s.upSEID
		u.ul.store(k, rs)
		s.teids = append(s.teids, k)
	}
	for k, rs := range dl {
		u.ueOwner[k] = s.upSEID
		u.dl.store(k, rs)
		s.ueIPs = append(s.ueIPs, k)
	}
	s.pdrs, s.fars, s.qers, s.bars = pdrs, fars, qers, bars
	return created, nil
}

// uninstall removes a session's keys from the packet tables, then discards
// what it buffered. Called with u.mu held.
func (u *UPF) uninstall(s *session, why string) {
	for _, k := range s.teids {
		u.ul.delete(k)
		delete(u.teidOwner, k)
	}
	for _, k := range s.ueIPs {
		u.dl.delete(k)
		delete(u.ueOwner, k)
	}
	s.teids, s.ueIPs = nil, nil
	delete(u.sessions, s.upSEID)
	u.discard(s, why)
}

// rules is the complete rule set of one session.
type rules struct {
	pdrs []pfcpx.PDR
	fars []pfcpx.FAR
	qers []pfcpx.QER
	bars []pfcpx.BAR
}

// applyModification returns the rules of s after m (removals, then
// creations, then updates), without touching s.
func applyModification(s *session, m pfcpx.Modification) (rules, *pfcpx.IEError) {
	r, err := applyRuleModification(s, m)
	if err != nil {
		return rules{}, err
	}
	r.bars = slices.Clone(s.bars)
	if m.RemoveBAR != nil {
		i := slices.IndexFunc(r.bars, func(b pfcpx.BAR) bool { return b.ID == *m.RemoveBAR })
		if i < 0 {
			return rules{}, ruleFail(ie.RemoveBAR, "no BAR %d", *m.RemoveBAR)
		}
		r.bars = slices.Delete(r.bars, i, i+1)
	}
	if m.CreateBAR != nil {
		r.bars = append(r.bars, *m.CreateBAR)
	}
	if up := m.UpdateBAR; up != nil {
		i := slices.IndexFunc(r.bars, func(b pfcpx.BAR) bool { return b.ID == up.ID })
		if i < 0 {
			return rules{}, ruleFail(ie.UpdateBARWithinSessionModificationRequest, "no BAR %d", up.ID)
		}
		if up.SuggestedPackets != 0 {
			r.bars[i].SuggestedPackets = up.SuggestedPackets
		}
	}
	return r, nil
}

func applyRuleModification(s *session, m pfcpx.Modification) (rules, *pfcpx.IEError) {
	pdrs := slices.Clone(s.pdrs)
	fars := slices.Clone(s.fars)
	qers := slices.Clone(s.qers)
	for _, id := range m.RemovePDRs {
		i := slices.IndexFunc(pdrs, func(p pfcpx.PDR) bool { return p.ID == id })
		if i < 0 {
			return rules{}, ruleFail(ie.RemovePDR, "no PDR %d", id)
		}
		pdrs = slices.Delete(pdrs, i, i+1)
	}
	for _, id := range m.RemoveFARs {
		i := slices.IndexFunc(fars, func(f pfcpx.FAR) bool { return f.ID == id })
		if i < 0 {
			return rules{}, ruleFail(ie.RemoveFAR, "no FAR %d", id)
		}
		fars = slices.Delete(fars, i, i+1)
	}
	for _, id := range m.RemoveQERs {
		i := slices.IndexFunc(qers, func(q pfcpx.QER) bool { return q.ID == id })
		if i < 0 {
			return rules{}, ruleFail(ie.RemoveQER, "no QER %d", id)
		}
		qers = slices.Delete(qers, i, i+1)
	}
	pdrs = append(pdrs, m.CreatePDRs...)
	fars = append(fars, m.CreateFARs...)
	qers = append(qers, m.CreateQERs...)
	for _, up := range m.UpdatePDRs {
		i := slices.IndexFunc(pdrs, func(p pfcpx.PDR) bool { return p.ID == up.ID })
		if i < 0 {
			return rules{}, ruleFail(ie.UpdatePDR, "no PDR %d", up.ID)
		}
		pdrs[i] = up.Apply(pdrs[i])
	}
	for _, up := range m.UpdateFARs {
		i := slices.IndexFunc(fars, func(f pfcpx.FAR) bool { return f.ID == up.ID })
		if i < 0 {
			return rules{}, ruleFail(ie.UpdateFAR, "no FAR %d", up.ID)
		}
		fars[i] = up.Apply(fars[i])
	}
	for _, up := range m.UpdateQERs {
		i := slices.IndexFunc(qers, func(q pfcpx.QER) bool { return q.ID == up.ID })
		if i < 0 {
			return rules{}, ruleFail(ie.UpdateQER, "no QER %d", up.ID)
		}
		qers[i] = up.Apply(qers[i])
	}
	return rules{pdrs: pdrs, fars: fars, qers: qers}, nil
}
