package nrf

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// Causes used by the NRF besides those of internal/sbi (TS 29.500 Table 5.2.7.2-1).
const (
	CauseMandatoryIEMissing         = "MANDATORY_IE_MISSING"
	CauseMandatoryQueryParamMissing = "MANDATORY_QUERY_PARAM_MISSING"
	CauseInvalidQueryParam          = "INVALID_QUERY_PARAM"
	CauseResourceNotFound           = sbi.CauseResourceNotFound
	CauseMethodNotAllowed           = sbi.CauseMethodNotAllowed
)

// Query is one NFDiscover request (TS 29.510 Table 6.2.3.2.3.1-1, the
// parameters credbed uses).
type Query struct {
	TargetNfType          models.NrfNfManagementNfType
	RequesterNfType       models.NrfNfManagementNfType
	RequesterNfInstanceID string
	TargetNfInstanceID    string
	// ServiceNames keeps profiles offering at least one of them, and
	// returns only those services of each profile.
	ServiceNames []models.ServiceName
	// Supi keeps profiles whose supiRanges (UDM, AUSF, UDR info) cover it,
	// or that declare no range.
	Supi string
	// Limit caps the number of profiles (0 = no cap).
	Limit int
}

// entry is one registered profile. It is never modified once stored.
type entry struct {
	raw     []byte // JSON of the stored management profile
	nfType  models.NrfNfManagementNfType
	status  models.NrfNfManagementNfStatus
	allowed []models.NrfNfManagementNfType
	disc    models.NrfNfDiscoveryNfProfile
	ranges  []supiRange
	at      time.Time
}

type supiRange struct {
	start, end string
	re         *regexp.Regexp
}

func (r supiRange) covers(supi string) bool {
	if r.re != nil {
		return r.re.MatchString(supi)
	}
	digits := supi
	if i := strings.IndexByte(supi, '-'); i >= 0 {
		digits = supi[i+1:]
	}
	if r.start != "" && (len(digits) != len(r.start) || digits < r.start) {
		return false
	}
	if r.end != "" && (len(digits) != len(r.end) || digits > r.end) {
		return false
	}
	return r.start != "" || r.end != ""
}

func problem(status int, cause, format string, a ...any) *models.ProblemDetails {
	return sbi.Problem(status, cause, fmt.Sprintf(format, a...))
}

func unavailable() *models.ProblemDetails {
	return sbi.Problem(http.StatusServiceUnavailable, sbi.CauseSystemFailure, "NRF closed")
}

// Register stores p under id (NFRegister, TS 29.510 §5.2.2.2). It
// reports whether the instance is new (201) or replaced (200), and returns
// the profile as stored: heartBeatTimer filled in, customInfo.oauth2
// dropped (credbed runs without OAuth2).
func (n *NF) Register(ctx context.Context, id string, p models.NrfNfManagementNfProfile) (models.NrfNfManagementNfProfile, bool, *models.ProblemDetails) {
	if p.NfInstanceId == "" {
		p.NfInstanceId = id
	}
	if p.NfInstanceId != id {
		return models.NrfNfManagementNfProfile{}, false, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect,
			"nfInstanceId %q differs from the resource id %q", p.NfInstanceId, id)
	}
	e, stored, pd := n.newEntry(p)
	if pd != nil {
		return models.NrfNfManagementNfProfile{}, false, pd
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return models.NrfNfManagementNfProfile{}, false, unavailable()
	}
	_, existed := n.profiles[id]
	n.profiles[id] = e
	n.mu.Unlock()
	if !existed {
		n.emit(trace.Event{Kind: trace.KindState, Name: string(e.status), Peer: id, Detail: "NF registered: " + string(e.nfType)})
	}
	return stored, !existed, nil
}

// Update applies a JSON Patch to a stored profile (NFUpdate, TS 29.510
// §5.2.2.3). A heartbeat (a patch of only /nfStatus, /load or
// /loadTimeStamp) returns a nil profile: the answer is 204.
func (n *NF) Update(ctx context.Context, id string, items []models.PatchItem) (*models.NrfNfManagementNfProfile, *models.ProblemDetails) {
	if len(items) == 0 {
		return nil, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "empty patch")
	}
	heartbeat := true
	for _, it := range items {
		switch it.Path {
		case "/nfStatus", "/load", "/loadTimeStamp":
		default:
			heartbeat = false
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, unavailable()
	}
	old, ok := n.profiles[id]
	if !ok {
		return nil, problem(http.StatusNotFound, sbi.CauseDataNotFound, "no NF instance %q", id)
	}
	var doc any
	if err := json.Unmarshal(old.raw, &doc); err != nil {
		return nil, problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "stored profile unreadable")
	}
	doc, err := sbi.ApplyPatch(doc, items)
	if err != nil {
		return nil, problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "%v", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "patched profile: %v", err)
	}
	var p models.NrfNfManagementNfProfile
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "patched profile is not an NFProfile: %v", err)
	}
	if p.NfInstanceId != id {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "nfInstanceId cannot change")
	}
	e, stored, pd := n.newEntry(p)
	if pd != nil {
		return nil, pd
	}
	n.profiles[id] = e
	if e.status != old.status {
		n.emit(trace.Event{Kind: trace.KindState, Name: string(e.status), Peer: id, Detail: string(old.status)})
	}
	if heartbeat {
		return nil, nil
	}
	return &stored, nil
}

// Deregister removes a profile (NFDeregister, TS 29.510 §5.2.2.4).
func (n *NF) Deregister(ctx context.Context, id string) *models.ProblemDetails {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return unavailable()
	}
	e, ok := n.profiles[id]
	delete(n.profiles, id)
	n.mu.Unlock()
	if !ok {
		return problem(http.StatusNotFound, sbi.CauseDataNotFound, "no NF instance %q", id)
	}
	n.emit(trace.Event{Kind: trace.KindState, Name: "DEREGISTERED", Peer: id, Detail: "NF deregistered: " + string(e.nfType)})
	return nil
}

// Profile returns a copy of a stored profile (NFProfileRetrieval, TS 29.510 §5.2.2).
func (n *NF) Profile(ctx context.Context, id string) (models.NrfNfManagementNfProfile, *models.ProblemDetails) {
	n.mu.RLock()
	if n.closed {
		n.mu.RUnlock()
		return models.NrfNfManagementNfProfile{}, unavailable()
	}
	e, ok := n.profiles[id]
	n.mu.RUnlock()
	if !ok {
		return models.NrfNfManagementNfProfile{}, problem(http.StatusNotFound, sbi.CauseDataNotFound, "no NF instance %q", id)
	}
	var p models.NrfNfManagementNfProfile
	if err := json.Unmarshal(e.raw, &p); err != nil {
		return p, problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "stored profile unreadable")
	}
	return p, nil
}

// Instances returns the registered instance ids, sorted.
func (n *NF) Instances() []string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	ids := make([]string, 0, len(n.profiles))
	for id := range n.profiles {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Search answers NFDiscover (TS 29.510 §5.3.2.2): REGISTERED profiles of
// the target type that allow the requester's type, cover the SUPI and offer
// a requested service (with nfServiceStatus REGISTERED), ordered by
// priority then instance id. The profiles share memory with the registry:
// treat them as read-only.
func (n *NF) Search(ctx context.Context, q Query) (*models.SearchResult, *models.ProblemDetails) {
	if q.TargetNfType == "" {
		return nil, problem(http.StatusBadRequest, CauseMandatoryQueryParamMissing, "target-nf-type is required")
	}
	if q.RequesterNfType == "" {
		return nil, problem(http.StatusBadRequest, CauseMandatoryQueryParamMissing, "requester-nf-type is required")
	}
	if q.Limit < 0 {
		return nil, problem(http.StatusBadRequest, CauseInvalidQueryParam, "limit must be positive")
	}
	type hit struct {
		p        models.NrfNfDiscoveryNfProfile
		priority int32
	}
	var hits []hit
	n.mu.RLock()
	if n.closed {
		n.mu.RUnlock()
		return nil, unavailable()
	}
	for id, e := range n.profiles {
		if e.nfType != q.TargetNfType || e.status != models.NrfNfManagementNfStatus_REGISTERED {
			continue
		}
		if q.TargetNfInstanceID != "" && id != q.TargetNfInstanceID {
			continue
		}
		if len(e.allowed) > 0 && !slices.Contains(e.allowed, q.RequesterNfType) {
			continue
		}
		if q.Supi != "" && len(e.ranges) > 0 && !slices.ContainsFunc(e.ranges, func(r supiRange) bool { return r.covers(q.Supi) }) {
			continue
		}
		p := e.disc
		var services []models.NrfNfDiscoveryNfService
		for _, s := range e.disc.NfServices {
			if s.NfServiceStatus != models.NfServiceStatus_REGISTERED {
				continue
			}
			if len(q.ServiceNames) > 0 && !slices.Contains(q.ServiceNames, s.ServiceName) {
				continue
			}
			services = append(services, s)
		}
		if len(q.ServiceNames) > 0 && len(services) == 0 {
			continue
		}
		p.NfServices = services
		hits = append(hits, hit{p: p, priority: p.Priority})
	}
	n.mu.RUnlock()
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].priority != hits[j].priority {
			return hits[i].priority < hits[j].priority
		}
		return hits[i].p.NfInstanceId < hits[j].p.NfInstanceId
	})
	if q.Limit > 0 && len(hits) > q.Limit {
		hits = hits[:q.Limit]
	}
	res := &models.SearchResult{
		ValidityPeriod: int32(n.cfg.ValidityPeriod / time.Second),
		NfInstances:    make([]models.NrfNfDiscoveryNfProfile, len(hits)),
	}
	for i, h := range hits {
		res.NfInstances[i] = h.p
	}
	return res, nil
}

// newEntry validates and normalises p and builds its registry entry. It
// returns the stored profile as a fresh copy.
func (n *NF) newEntry(p models.NrfNfManagementNfProfile) (*entry, models.NrfNfManagementNfProfile, *models.ProblemDetails) {
	var none models.NrfNfManagementNfProfile
	if pd := validateProfile(&p); pd != nil {
		return nil, none, pd
	}
	if p.HeartBeatTimer == 0 {
		p.HeartBeatTimer = int32(n.cfg.HeartBeatTimer / time.Second)
	}
	if _, ok := p.CustomInfo["oauth2"]; ok {
		ci := make(map[string]any, len(p.CustomInfo))
		for k, v := range p.CustomInfo {
			if k != "oauth2" {
				ci[k] = v
			}
		}
		p.CustomInfo = ci
		if len(ci) == 0 {
			p.CustomInfo = nil
		}
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, none, problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "profile cannot be encoded: %v", err)
	}
	e := &entry{raw: raw, nfType: p.NfType, status: p.NfStatus, allowed: slices.Clone(p.AllowedNfTypes), at: n.deps.Clock.Now()}
	var stored models.NrfNfManagementNfProfile
	if err := json.Unmarshal(raw, &stored); err != nil {
		return nil, none, problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "profile cannot be decoded: %v", err)
	}
	if err := json.Unmarshal(raw, &e.disc); err != nil {
		return nil, none, problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "profile cannot be decoded: %v", err)
	}
	var ranges []models.SupiRange
	if p.UdmInfo != nil {
		ranges = append(ranges, p.UdmInfo.SupiRanges...)
	}
	if p.AusfInfo != nil {
		ranges = append(ranges, p.AusfInfo.SupiRanges...)
	}
	if p.UdrInfo != nil {
		ranges = append(ranges, p.UdrInfo.SupiRanges...)
	}
	for i, r := range ranges {
		sr := supiRange{start: r.Start, end: r.End}
		if r.Pattern != "" {
			re, err := regexp.Compile(r.Pattern)
			if err != nil {
				return nil, none, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "supiRanges[%d].pattern: %v", i, err)
			}
			sr.re = re
		}
		e.ranges = append(e.ranges, sr)
	}
	return e, stored, nil
}

var nfTypeRE = regexp.MustCompile(`^[A-Z0-9_]{2,32}$`)

// validateProfile checks the mandatory NFProfile and NFService attributes
// (TS 29.510 §6.1.6.2.2, §6.1.6.2.3).
func validateProfile(p *models.NrfNfManagementNfProfile) *models.ProblemDetails {
	bad := func(cause, format string, a ...any) *models.ProblemDetails {
		return problem(http.StatusBadRequest, cause, format, a...)
	}
	if len(p.NfInstanceId) > 256 || strings.ContainsAny(p.NfInstanceId, "/?#") {
		return bad(sbi.CauseMandatoryIEIncorrect, "nfInstanceId is not a valid id")
	}
	if p.NfType == "" {
		return bad(CauseMandatoryIEMissing, "nfType is required")
	}
	if !nfTypeRE.MatchString(string(p.NfType)) {
		return bad(sbi.CauseMandatoryIEIncorrect, "nfType %q is not an NF type", p.NfType)
	}
	switch p.NfStatus {
	case models.NrfNfManagementNfStatus_REGISTERED, models.NrfNfManagementNfStatus_SUSPENDED, models.NrfNfManagementNfStatus_UNDISCOVERABLE:
	case "":
		return bad(CauseMandatoryIEMissing, "nfStatus is required")
	default:
		return bad(sbi.CauseMandatoryIEIncorrect, "nfStatus %q is not REGISTERED, SUSPENDED or UNDISCOVERABLE", p.NfStatus)
	}
	if p.HeartBeatTimer < 0 {
		return bad(sbi.CauseMandatoryIEIncorrect, "heartBeatTimer must be positive")
	}
	for i, a := range p.Ipv4Addresses {
		if ip, err := netip.ParseAddr(a); err != nil || !ip.Is4() {
			return bad(sbi.CauseMandatoryIEIncorrect, "ipv4Addresses[%d] is not an IPv4 address", i)
		}
	}
	seen := make(map[string]bool, len(p.NfServices))
	for i, s := range p.NfServices {
		field := fmt.Sprintf("nfServices[%d]", i)
		switch {
		case s.ServiceInstanceId == "":
			return bad(CauseMandatoryIEMissing, "%s.serviceInstanceId is required", field)
		case seen[s.ServiceInstanceId]:
			return bad(sbi.CauseMandatoryIEIncorrect, "%s.serviceInstanceId %q is not unique", field, s.ServiceInstanceId)
		case s.ServiceName == "":
			return bad(CauseMandatoryIEMissing, "%s.serviceName is required", field)
		case len(s.Versions) == 0:
			return bad(CauseMandatoryIEMissing, "%s.versions is required", field)
		case s.Scheme != models.UriScheme_HTTP && s.Scheme != models.UriScheme_HTTPS:
			return bad(sbi.CauseMandatoryIEIncorrect, "%s.scheme must be http or https", field)
		}
		switch s.NfServiceStatus {
		case models.NfServiceStatus_REGISTERED, models.NfServiceStatus_SUSPENDED, models.NfServiceStatus_UNDISCOVERABLE:
		default:
			return bad(sbi.CauseMandatoryIEIncorrect, "%s.nfServiceStatus %q is not REGISTERED, SUSPENDED or UNDISCOVERABLE", field, s.NfServiceStatus)
		}
		for j, ep := range s.IpEndPoints {
			if ep.Port < 0 || ep.Port > 65535 {
				return bad(sbi.CauseMandatoryIEIncorrect, "%s.ipEndPoints[%d].port out of range", field, j)
			}
			if ep.Ipv4Address != "" {
				if ip, err := netip.ParseAddr(ep.Ipv4Address); err != nil || !ip.Is4() {
					return bad(sbi.CauseMandatoryIEIncorrect, "%s.ipEndPoints[%d].ipv4Address is not an IPv4 address", field, j)
				}
			}
		}
		seen[s.ServiceInstanceId] = true
	}
	if len(p.NfServiceList) > 0 && len(p.NfServices) == 0 {
		// free5gc consumers read only the nfServices array: mirror the map.
		keys := make([]string, 0, len(p.NfServiceList))
		for k := range p.NfServiceList {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p.NfServices = append(p.NfServices, p.NfServiceList[k])
		}
		return validateProfile(p)
	}
	return nil
}
