package cpf

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/sbi"
)

// Peer errors. errUnavailable marks a peer that did not answer usefully
// (the request is answered 503 and changes nothing the CPF can undo).
var (
	errUnavailable = errors.New("cpf: peer unavailable")
	errNotFound    = errors.New("cpf: not found at peer")
)

// API paths of the peers.
const (
	udrRoot            = "/nudr-dr/v2/subscription-data/"
	aanfKeyPath        = "/naanf-akma/v1/retrieve-applicationkey"
	maxPeerBody        = 1 << 20
	entitlementSegment = "/provisioning-entitlement"
)

// The UDR's credbed provisioning resources (nf/udr doc.go), mirrored here
// because an NF does not import another NF's package.

type udrProvisioning struct {
	State     string    `json:"state"`
	Owner     string    `json:"owner,omitempty"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

type udrSubscription struct {
	AuthenticationSubscription *models.AuthenticationSubscription         `json:"authenticationSubscription"`
	AmData                     *models.AccessAndMobilitySubscriptionData  `json:"amData,omitempty"`
	SmfSelectionData           *models.SmfSelectionSubscriptionData       `json:"smfSelectionSubscriptionData,omitempty"`
	SmData                     []models.SessionManagementSubscriptionData `json:"smData,omitempty"`
	Provisioning               *udrProvisioning                           `json:"provisioning,omitempty"`
}

// udrProvisioningView is the part of a subscription the CPF reads back
// (the K and OPc members of the body are not decoded).
type udrProvisioningView struct {
	Provisioning *udrProvisioning `json:"provisioning"`
}

type udrProvisioningUpdate struct {
	State     *string    `json:"state,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// Entitlement mirrors the UDR's provisioning-device entitlement.
type Entitlement struct {
	MaxTargets int         `json:"maxTargets"`
	SupiRanges []SupiRange `json:"supiRanges"`
	Devices    []string    `json:"devices,omitempty"`
}

// SupiRange is an inclusive range of IMSI digits (TS 29.510 SupiRange).
type SupiRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// The AAnF's Naanf_AKMA_ApplicationKey_Get (TS 29.535 §5.2.2.3) bodies.
type akmaKeyRequest struct {
	AfID string `json:"afId"`
	AKID string `json:"aKId"`
}

type akmaKeyData struct {
	Supi   string    `json:"supi"`
	Kaf    string    `json:"kaf"`
	Expiry time.Time `json:"expiry,omitzero"`
}

// peers reaches the UDR and the AAnF over SBI, discovering them at the NRF
// unless their apiRoots are configured.
type peers struct {
	http    *http.Client
	nrf     *sbi.NRFClient
	udr     string
	aanf    string
	timeout time.Duration
}

func (p *peers) root(ctx context.Context, static string, typ models.NrfNfManagementNfType, svc models.ServiceName) (string, error) {
	if static != "" {
		return static, nil
	}
	if p.nrf == nil {
		return "", fmt.Errorf("%w: no apiRoot configured and no NRF for %s", errUnavailable, typ)
	}
	r, err := p.nrf.Discover(ctx, typ, models.NrfNfManagementNfType_AF, svc)
	if err != nil {
		return "", fmt.Errorf("%w: discovering %s: %w", errUnavailable, typ, err)
	}
	return r, nil
}

// do sends one JSON request; it returns the status and body. Transport
// failures wrap errUnavailable.
func (p *peers) do(ctx context.Context, method, u, ctype string, in any) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, fmt.Errorf("cpf: encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %v", errUnavailable, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	req.Header.Set("User-Agent", "AF")
	rsp, err := p.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %s %s: %v", errUnavailable, method, u, err)
	}
	defer rsp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(rsp.Body, maxPeerBody))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: reading answer: %v", errUnavailable, err)
	}
	return rsp.StatusCode, b, nil
}

func statusErr(op string, status int, body []byte) error {
	var pd models.ProblemDetails
	_ = json.Unmarshal(body, &pd)
	return fmt.Errorf("%w: %s: %d %s", errUnavailable, op, status, pd.Cause)
}

func (p *peers) udrURL(ctx context.Context, supi, suffix string) (string, error) {
	root, err := p.root(ctx, p.udr, models.NrfNfManagementNfType_UDR, models.ServiceName_NUDR_DR)
	if err != nil {
		return "", err
	}
	return root + udrRoot + url.PathEscape(supi) + suffix, nil
}

// subscription returns the provisioning record of supi (errNotFound when
// the UDR has no subscription).
func (p *peers) subscription(ctx context.Context, supi string) (udrProvisioning, error) {
	u, err := p.udrURL(ctx, supi, "")
	if err != nil {
		return udrProvisioning{}, err
	}
	st, b, err := p.do(ctx, http.MethodGet, u, "", nil)
	switch {
	case err != nil:
		return udrProvisioning{}, err
	case st == http.StatusNotFound:
		return udrProvisioning{}, errNotFound
	case st != http.StatusOK:
		return udrProvisioning{}, statusErr("QuerySubscription", st, b)
	}
	var v udrProvisioningView
	if err := json.Unmarshal(b, &v); err != nil {
		return udrProvisioning{}, fmt.Errorf("%w: QuerySubscription answer does not decode", errUnavailable)
	}
	if v.Provisioning == nil {
		return udrProvisioning{State: stateActive}, nil
	}
	return *v.Provisioning, nil
}

func (p *peers) putSubscription(ctx context.Context, supi string, d *udrSubscription) error {
	u, err := p.udrURL(ctx, supi, "")
	if err != nil {
		return err
	}
	st, b, err := p.do(ctx, http.MethodPut, u, sbi.ContentJSON, d)
	if err != nil {
		return err
	}
	if st != http.StatusCreated && st != http.StatusNoContent {
		return statusErr("ProvisionSubscription", st, b)
	}
	return nil
}

// removeSubscription deletes supi; an absent subscription is not an error.
func (p *peers) removeSubscription(ctx context.Context, supi string) error {
	u, err := p.udrURL(ctx, supi, "")
	if err != nil {
		return err
	}
	st, b, err := p.do(ctx, http.MethodDelete, u, "", nil)
	if err != nil {
		return err
	}
	if st != http.StatusNoContent && st != http.StatusNotFound {
		return statusErr("RemoveSubscription", st, b)
	}
	return nil
}

func (p *peers) updateProvisioning(ctx context.Context, supi string, upd udrProvisioningUpdate) error {
	u, err := p.udrURL(ctx, supi, "/provisioning")
	if err != nil {
		return err
	}
	st, b, err := p.do(ctx, http.MethodPatch, u, sbi.ContentJSON, upd)
	switch {
	case err != nil:
		return err
	case st == http.StatusNotFound:
		return errNotFound
	case st != http.StatusOK:
		return statusErr("UpdateProvisioning", st, b)
	}
	return nil
}

// entitlement returns the PD's entitlement (errNotFound when it has none).
func (p *peers) entitlement(ctx context.Context, pd string) (Entitlement, error) {
	u, err := p.udrURL(ctx, pd, entitlementSegment)
	if err != nil {
		return Entitlement{}, err
	}
	st, b, err := p.do(ctx, http.MethodGet, u, "", nil)
	switch {
	case err != nil:
		return Entitlement{}, err
	case st == http.StatusNotFound:
		return Entitlement{}, errNotFound
	case st != http.StatusOK:
		return Entitlement{}, statusErr("QueryProvisioningEntitlement", st, b)
	}
	var e Entitlement
	if err := json.Unmarshal(b, &e); err != nil {
		return Entitlement{}, fmt.Errorf("%w: entitlement does not decode", errUnavailable)
	}
	return e, nil
}

// applicationKey asks the AAnF for K_AF and the SUPI behind akid
// (Naanf_AKMA_ApplicationKey_Get); errNotFound for an unknown A-KID.
func (p *peers) applicationKey(ctx context.Context, afID, akid string) (akmaKey, error) {
	root, err := p.root(ctx, p.aanf, models.NrfNfManagementNfType_AANF, models.ServiceName_NAANF_AKMA)
	if err != nil {
		return akmaKey{}, err
	}
	st, b, err := p.do(ctx, http.MethodPost, root+aanfKeyPath, sbi.ContentJSON, akmaKeyRequest{AfID: afID, AKID: akid})
	switch {
	case err != nil:
		return akmaKey{}, err
	case st == http.StatusNotFound:
		return akmaKey{}, errNotFound
	case st != http.StatusOK:
		return akmaKey{}, statusErr("Naanf_AKMA_ApplicationKey_Get", st, b)
	}
	var d akmaKeyData
	if err := json.Unmarshal(b, &d); err != nil || d.Supi == "" {
		return akmaKey{}, fmt.Errorf("%w: AAnF answer does not decode", errUnavailable)
	}
	k, ok := decodeKey256(d.Kaf)
	if !ok {
		return akmaKey{}, fmt.Errorf("%w: AAnF kaf is not a 256-bit key", errUnavailable)
	}
	return akmaKey{supi: d.Supi, kaf: k, expiry: d.Expiry}, nil
}

// decodeKey256 reads 64 hex digits or base64 (standard or URL) of 32 bytes.
func decodeKey256(s string) (aka.Key256, bool) {
	var k aka.Key256
	if len(s) == 64 {
		if _, err := hex.Decode(k[:], []byte(s)); err == nil {
			return k, true
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == len(k) {
			copy(k[:], b)
			clear(b)
			return k, true
		}
	}
	return aka.Key256{}, false
}

type akmaKey struct {
	supi   string
	kaf    aka.Key256
	expiry time.Time
}

// kafCache keeps K_AF per A-KID until its expiry, bounded in size. Keys
// live only in memory and are never traced.
type kafCache struct {
	ttl    time.Duration
	max    int
	seed   maphash.Seed
	shards [16]struct {
		mu sync.Mutex
		m  map[string]akmaKey
	}
}

func newKAFCache(ttl time.Duration, maxEntries int) *kafCache {
	c := &kafCache{ttl: ttl, max: max(maxEntries/16, 16), seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string]akmaKey)
	}
	return c
}

func (c *kafCache) get(akid string, now time.Time) (akmaKey, bool) {
	if c.ttl < 0 {
		return akmaKey{}, false
	}
	s := &c.shards[maphash.String(c.seed, akid)%16]
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.m[akid]
	if ok && !now.Before(k.expiry) {
		delete(s.m, akid)
		return akmaKey{}, false
	}
	return k, ok
}

func (c *kafCache) put(akid string, k akmaKey, now time.Time) {
	if c.ttl < 0 {
		return
	}
	exp := now.Add(c.ttl)
	if !k.expiry.IsZero() && k.expiry.Before(exp) {
		exp = k.expiry
	}
	if !now.Before(exp) {
		return
	}
	k.expiry = exp
	s := &c.shards[maphash.String(c.seed, akid)%16]
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= c.max {
		for a, v := range s.m {
			if !now.Before(v.expiry) {
				delete(s.m, a)
			}
		}
		if len(s.m) >= c.max {
			clear(s.m)
		}
	}
	s.m[akid] = k
}
