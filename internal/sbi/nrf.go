package sbi

// NRF client used by every credbed NF: registration and deregistration
// (Nnrf_NFManagement, TS 29.510 §5.2.2.2, §5.2.2.4) and discovery with a
// small cache (Nnrf_NFDiscovery, TS 29.510 §5.3.2.2; validityPeriod,
// §6.2.6.2.2), built on the free5gc/openapi v1.2.4 clients.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/nrf/NFDiscovery"
	"github.com/free5gc/openapi/nrf/NFManagement"

	"github.com/credbed/credbed/internal/clock"
)

// DefaultDiscoveryTTL is how long a discovery answer is cached when the
// NRF gives no validityPeriod.
const DefaultDiscoveryTTL = 60 * time.Second

// NRF client errors.
var (
	ErrNRF        = errors.New("sbi: NRF request failed")
	ErrNoInstance = errors.New("sbi: no registered NF instance offers the service")
	ErrNoClient   = errors.New("sbi: no HTTP client given")
	ErrAPIRoot    = errors.New("sbi: bad apiRoot")
)

// NRFError is an NRF answer other than success. It matches ErrNRF.
type NRFError struct {
	Op      string // "NFRegister", "NFDeregister", "NFDiscover"
	Status  int    // HTTP status, 0 when the request never got an answer
	Problem *models.ProblemDetails
	Err     error // transport or decoding error, if any
}

func (e *NRFError) Error() string {
	msg := "sbi: NRF " + e.Op
	if e.Status != 0 {
		msg += ": " + strconv.Itoa(e.Status)
	}
	if e.Problem != nil && e.Problem.Cause != "" {
		msg += " " + e.Problem.Cause
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap lets errors.Is match ErrNRF and the underlying error.
func (e *NRFError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrNRF, e.Err}
	}
	return []error{ErrNRF}
}

func nrfError(op string, err error) error {
	var oe openapi.GenericOpenAPIError
	if errors.As(err, &oe) {
		ne := &NRFError{Op: op, Status: oe.ErrorStatus}
		switch m := oe.ErrorModel.(type) {
		case NFManagement.RegisterNFInstanceError:
			ne.Problem = &m.ProblemDetails
		case NFManagement.DeregisterNFInstanceError:
			ne.Problem = &m.ProblemDetails
		case NFDiscovery.SearchNFInstancesError:
			ne.Problem = &m.ProblemDetails
		}
		if ne.Problem != nil && ne.Problem.Status == 0 && ne.Problem.Cause == "" {
			ne.Problem = nil
		}
		return ne
	}
	return &NRFError{Op: op, Err: err}
}

// serviceVersion gives the API version in URI of the services credbed uses.
func serviceVersion(s models.ServiceName) models.NfServiceVersion {
	switch s {
	case models.ServiceName_NUDR_DR, models.ServiceName_NUDM_SDM:
		return models.NfServiceVersion{ApiVersionInUri: "v2", ApiFullVersion: "2.0.0"}
	}
	return models.NfServiceVersion{ApiVersionInUri: "v1", ApiFullVersion: "1.0.0"}
}

// Profile builds the NFProfile of an NF serving services at apiRoot
// ("http://127.0.0.3:80"): status REGISTERED, and for each service an
// nfServices entry with status REGISTERED, the scheme and an ipEndPoint. A
// host that is not an IP address, or an apiRoot with a path, is also given
// as the services' apiPrefix (which free5gc consumers use verbatim); no
// fqdn is set, since free5gc's UDM uses one without a scheme.
func Profile(nfType models.NrfNfManagementNfType, id, apiRoot string, services ...models.ServiceName) (models.NrfNfManagementNfProfile, error) {
	var p models.NrfNfManagementNfProfile
	if nfType == "" || id == "" {
		return p, fmt.Errorf("%w: NF type and instance id are required", ErrAPIRoot)
	}
	u, err := url.Parse(apiRoot)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return p, fmt.Errorf("%w: %q is not http(s)://host[:port]", ErrAPIRoot, apiRoot)
	}
	port := 80
	if u.Scheme == "https" {
		port = 443
	}
	if ps := u.Port(); ps != "" {
		if port, err = strconv.Atoi(ps); err != nil || port < 1 || port > 65535 {
			return p, fmt.Errorf("%w: bad port in %q", ErrAPIRoot, apiRoot)
		}
	}
	p = models.NrfNfManagementNfProfile{
		NfInstanceId: id,
		NfType:       nfType,
		NfStatus:     models.NrfNfManagementNfStatus_REGISTERED,
	}
	ep := models.IpEndPoint{Transport: models.NrfNfManagementTransportProtocol_TCP, Port: int32(port)}
	ip, ipErr := netip.ParseAddr(u.Hostname())
	switch {
	case ipErr == nil && ip.Is4():
		p.Ipv4Addresses = []string{ip.String()}
		ep.Ipv4Address = ip.String()
	case ipErr == nil:
		p.Ipv6Addresses = []string{ip.String()}
		ep.Ipv6Address = ip.String()
	}
	prefix := ""
	if ipErr != nil || strings.Trim(u.Path, "/") != "" {
		prefix = strings.TrimRight(apiRoot, "/")
	}
	for _, s := range services {
		svc := models.NrfNfManagementNfService{
			ServiceInstanceId: string(s),
			ServiceName:       s,
			Versions:          []models.NfServiceVersion{serviceVersion(s)},
			Scheme:            models.UriScheme(u.Scheme),
			NfServiceStatus:   models.NfServiceStatus_REGISTERED,
			ApiPrefix:         prefix,
		}
		if ipErr == nil {
			svc.IpEndPoints = []models.IpEndPoint{ep}
		}
		p.NfServices = append(p.NfServices, svc)
	}
	return p, nil
}

// ServiceAPIRoot returns the apiRoot of the first REGISTERED service named
// service in p (any service when service is empty): an absolute apiPrefix
// as is, otherwise scheme://(service fqdn | first ipEndPoint | profile
// fqdn | profile address)[:port] followed by a path apiPrefix.
func ServiceAPIRoot(p models.NrfNfDiscoveryNfProfile, service models.ServiceName) (string, bool) {
	for _, s := range p.NfServices {
		if service != "" && s.ServiceName != service {
			continue
		}
		if s.NfServiceStatus != "" && s.NfServiceStatus != models.NfServiceStatus_REGISTERED {
			continue
		}
		if strings.HasPrefix(s.ApiPrefix, "http://") || strings.HasPrefix(s.ApiPrefix, "https://") {
			return strings.TrimRight(s.ApiPrefix, "/"), true
		}
		scheme := string(s.Scheme)
		if scheme == "" {
			scheme = "http"
		}
		host, port := "", int32(0)
		switch {
		case s.Fqdn != "":
			host = s.Fqdn
		case len(s.IpEndPoints) > 0:
			ep := s.IpEndPoints[0]
			host, port = ep.Ipv4Address, ep.Port
			if host == "" {
				host = ep.Ipv6Address
			}
			if host == "" {
				host = p.Fqdn
			}
		case p.Fqdn != "":
			host = p.Fqdn
		case len(p.Ipv4Addresses) > 0:
			host = p.Ipv4Addresses[0]
		case len(p.Ipv6Addresses) > 0:
			host = p.Ipv6Addresses[0]
		}
		if host == "" {
			continue
		}
		if port != 0 {
			host = net.JoinHostPort(host, strconv.Itoa(int(port)))
		} else if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		return scheme + "://" + host + strings.TrimRight(s.ApiPrefix, "/"), true
	}
	return "", false
}

// RegisterNF registers (or re-registers) profile at the NRF at nrfRoot
// (PUT {nrfRoot}/nnrf-nfm/v1/nf-instances/{id}); 200 and 201 both succeed.
func RegisterNF(ctx context.Context, client *http.Client, nrfRoot string, profile models.NrfNfManagementNfProfile) error {
	c, err := nfmClient(Peer{APIRoot: nrfRoot, HTTP: client})
	if err != nil {
		return err
	}
	return registerWith(ctx, c, profile)
}

func registerWith(ctx context.Context, c *NFManagement.APIClient, profile models.NrfNfManagementNfProfile) error {
	id := profile.NfInstanceId
	_, err := c.NFInstanceIDDocumentApi.RegisterNFInstance(ctx, &NFManagement.RegisterNFInstanceRequest{
		NfInstanceID:             &id,
		NrfNfManagementNfProfile: &profile,
	})
	if err != nil {
		return nrfError("NFRegister", err)
	}
	return nil
}

// DeregisterNF removes instance id from the NRF (DELETE …/nf-instances/{id}).
func DeregisterNF(ctx context.Context, client *http.Client, nrfRoot, id string) error {
	c, err := nfmClient(Peer{APIRoot: nrfRoot, HTTP: client})
	if err != nil {
		return err
	}
	return deregisterWith(ctx, c, id)
}

func deregisterWith(ctx context.Context, c *NFManagement.APIClient, id string) error {
	_, err := c.NFInstanceIDDocumentApi.DeregisterNFInstance(ctx, &NFManagement.DeregisterNFInstanceRequest{NfInstanceID: &id})
	if err != nil {
		return nrfError("NFDeregister", err)
	}
	return nil
}

// Discover asks the NRF for an instance of targetType offering serviceName
// and returns the apiRoot of that service in the first profile that has
// one (no caching; see NRFClient).
func Discover(ctx context.Context, client *http.Client, nrfRoot string, targetType, requesterType models.NrfNfManagementNfType, serviceName models.ServiceName) (string, error) {
	c, err := discClient(Peer{APIRoot: nrfRoot, HTTP: client})
	if err != nil {
		return "", err
	}
	root, _, err := discoverWith(ctx, c, targetType, requesterType, serviceName)
	return root, err
}

func discoverWith(ctx context.Context, c *NFDiscovery.APIClient, target, requester models.NrfNfManagementNfType, service models.ServiceName) (string, int32, error) {
	req := &NFDiscovery.SearchNFInstancesRequest{TargetNfType: &target, RequesterNfType: &requester}
	if service != "" {
		req.ServiceNames = []models.ServiceName{service}
	}
	rsp, err := c.NFInstancesStoreApi.SearchNFInstances(ctx, req)
	if err != nil {
		return "", 0, nrfError("NFDiscover", err)
	}
	for _, p := range rsp.SearchResult.NfInstances {
		if root, ok := ServiceAPIRoot(p, service); ok {
			return root, rsp.SearchResult.ValidityPeriod, nil
		}
	}
	return "", 0, fmt.Errorf("%w: %s %s", ErrNoInstance, target, service)
}

// NRFClient is one NF's NRF client: the free5gc/openapi clients built once
// on the injected *http.Client, and a discovery cache whose entries live
// for the NRF's validityPeriod on the injected clock. Safe for concurrent use.
type NRFClient struct {
	nfm   *NFManagement.APIClient
	disc  *NFDiscovery.APIClient
	clk   clock.Clock
	err   error // ErrNoClient when built without an HTTP client
	mu    sync.Mutex
	cache map[discoveryKey]discovered
}

type discoveryKey struct {
	target, requester models.NrfNfManagementNfType
	service           models.ServiceName
}

type discovered struct {
	apiRoot string
	expires time.Time
}

// NewNRFClient returns a client of the NRF at nrfRoot (the NRF's apiRoot,
// e.g. "http://127.0.0.10:80"). clk may be nil (wall clock). A nil client
// or bad nrfRoot makes every call fail with that error.
func NewNRFClient(client *http.Client, nrfRoot string, clk clock.Clock) *NRFClient {
	return NewNRFClientPeer(Peer{APIRoot: nrfRoot, HTTP: client}, clk)
}

// NewNRFClientPeer is NewNRFClient for a Peer, which can also carry the
// caller's User-Agent ("AUSF-<id>", TS 29.500 §5.2.2.2).
func NewNRFClientPeer(p Peer, clk clock.Clock) *NRFClient {
	if clk == nil {
		clk = clock.Real{}
	}
	c := &NRFClient{clk: clk, cache: make(map[discoveryKey]discovered)}
	c.nfm, c.err = nfmClient(p)
	if c.err == nil {
		c.disc, c.err = discClient(p)
	}
	return c
}

func nfmClient(p Peer) (*NFManagement.APIClient, error) {
	if p.HTTP == nil {
		return nil, ErrNoClient
	}
	return NewNRFManagementClient(p)
}

func discClient(p Peer) (*NFDiscovery.APIClient, error) {
	if p.HTTP == nil {
		return nil, ErrNoClient
	}
	return NewNRFDiscoveryClient(p)
}

// Register registers profile (see RegisterNF).
func (c *NRFClient) Register(ctx context.Context, profile models.NrfNfManagementNfProfile) error {
	if c.err != nil {
		return c.err
	}
	return registerWith(ctx, c.nfm, profile)
}

// Deregister removes instance id (see DeregisterNF).
func (c *NRFClient) Deregister(ctx context.Context, id string) error {
	if c.err != nil {
		return c.err
	}
	return deregisterWith(ctx, c.nfm, id)
}

// Discover is Discover with a cache: an answer is reused until its
// validityPeriod (DefaultDiscoveryTTL when the NRF gives none) has passed
// on the client's clock. Failures are not cached.
func (c *NRFClient) Discover(ctx context.Context, targetType, requesterType models.NrfNfManagementNfType, serviceName models.ServiceName) (string, error) {
	if c.err != nil {
		return "", c.err
	}
	key := discoveryKey{targetType, requesterType, serviceName}
	now := c.clk.Now()
	c.mu.Lock()
	d, ok := c.cache[key]
	c.mu.Unlock()
	if ok && now.Before(d.expires) {
		return d.apiRoot, nil
	}
	root, validity, err := discoverWith(ctx, c.disc, targetType, requesterType, serviceName)
	if err != nil {
		return "", err
	}
	ttl := DefaultDiscoveryTTL
	if validity > 0 {
		ttl = time.Duration(validity) * time.Second
	}
	c.mu.Lock()
	c.cache[key] = discovered{apiRoot: root, expires: now.Add(ttl)}
	c.mu.Unlock()
	return root, nil
}

// Forget drops every cached answer for targetType (all when empty), e.g.
// after a call to the discovered instance failed.
func (c *NRFClient) Forget(targetType models.NrfNfManagementNfType) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.cache {
		if targetType == "" || k.target == targetType {
			delete(c.cache, k)
		}
	}
}
