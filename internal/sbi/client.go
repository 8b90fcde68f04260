package sbi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/free5gc/openapi/amf/Communication"
	AUSFUEAU "github.com/free5gc/openapi/ausf/UEAuthentication"
	"github.com/free5gc/openapi/nrf/NFDiscovery"
	"github.com/free5gc/openapi/nrf/NFManagement"
	"github.com/free5gc/openapi/smf/PDUSession"
	"github.com/free5gc/openapi/udm/SubscriberDataManagement"
	UDMUEAU "github.com/free5gc/openapi/udm/UEAuthentication"
	"github.com/free5gc/openapi/udm/UEContextManagement"
	"github.com/free5gc/openapi/udr/DataRepository"
)

// ErrClientConfig reports an unusable Peer.
var ErrClientConfig = errors.New("sbi: bad client configuration")

// Peer says how an NF reaches one SBI producer: the producer's apiRoot
// (TS 29.501 §4.4.1, "{scheme}://{authority}") and the injected HTTP client,
// normally transport.Network.SBIClient(ownAddress). The openapi package's
// own global clients are never used.
type Peer struct {
	APIRoot string       // e.g. "http://127.0.0.10:80"; a trailing "/" is dropped
	HTTP    *http.Client // required
	// UserAgent is sent in every request; TS 29.500 §5.2.2.2 makes it the
	// NF type, optionally followed by "-" and the NF instance id
	// (e.g. "AMF-<uuid>"). Empty keeps the openapi default.
	UserAgent string
}

// Validate checks that the peer has an HTTP client and a usable apiRoot.
func (p Peer) Validate() error {
	_, err := p.apiRoot()
	return err
}

// apiRoot returns the normalised apiRoot.
func (p Peer) apiRoot() (string, error) {
	if p.HTTP == nil {
		return "", fmt.Errorf("%w: nil HTTP client (use transport.Network.SBIClient)", ErrClientConfig)
	}
	root := strings.TrimSuffix(p.APIRoot, "/")
	u, err := url.Parse(root)
	if err != nil {
		return "", fmt.Errorf("%w: apiRoot %q: %v", ErrClientConfig, p.APIRoot, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%w: apiRoot %q is not {scheme}://{authority}[/prefix]", ErrClientConfig, p.APIRoot)
	}
	return root, nil
}

// ClientConfig is the part of every free5gc/openapi v1.2.4 client
// Configuration (e.g. *NFManagement.Configuration) that Configure sets.
type ClientConfig interface {
	SetBasePath(apiRoot string)
	SetHTTPClient(c *http.Client)
	SetUserAgent(ua string)
}

// Configure points cfg, a fresh X.NewConfiguration() of any openapi client
// package, at p: base path = apiRoot + the service prefix of cfg's template
// (e.g. "/nnrf-nfm/v1"), HTTP client = p.HTTP.
func Configure[C ClientConfig](cfg C, p Peer) (C, error) {
	root, err := p.apiRoot()
	if err != nil {
		return cfg, err
	}
	cfg.SetBasePath(root)
	cfg.SetHTTPClient(p.HTTP)
	if p.UserAgent != "" {
		cfg.SetUserAgent(p.UserAgent)
	}
	return cfg, nil
}

// NewNRFManagementClient returns a Nnrf_NFManagement client (TS 29.510 §5.2).
func NewNRFManagementClient(p Peer) (*NFManagement.APIClient, error) {
	cfg, err := Configure(NFManagement.NewConfiguration(), p)
	if err != nil {
		return nil, err
	}
	return NFManagement.NewAPIClient(cfg), nil
}

// NewNRFDiscoveryClient returns a Nnrf_NFDiscovery client (TS 29.510 §5.3).
func NewNRFDiscoveryClient(p Peer) (*NFDiscovery.APIClient, error) {
	cfg, err := Configure(NFDiscovery.NewConfiguration(), p)
	if err != nil {
		return nil, err
	}
	return NFDiscovery.NewAPIClient(cfg), nil
}

// NewAUSFUEAuthenticationClient returns a Nausf_UEAuthentication client
// (TS 29.509).
func NewAUSFUEAuthenticationClient(p Peer) (*AUSFUEAU.APIClient, error) {
	cfg, err := Configure(AUSFUEAU.NewConfiguration(), p)
	if err != nil {
		return nil, err
	}
	return AUSFUEAU.NewAPIClient(cfg), nil
}

// NewUDMUEAuthenticationClient returns a Nudm_UEAuthentication client
// (TS 29.503 §5.4).
func NewUDMUEAuthenticationClient(p Peer) (*UDMUEAU.APIClient, error) {
	cfg, err := Configure(UDMUEAU.NewConfiguration(), p)
	if err != nil {
		return nil, err
	}
	return UDMUEAU.NewAPIClient(cfg), nil
}

// NewUDMSDMClient returns a Nudm_SubscriberDataManagement client
// (TS 29.503 §5.2).
func NewUDMSDMClient(p Peer) (*SubscriberDataManagement.APIClient, error) {
	cfg, err := Configure(SubscriberDataManagement.NewConfiguration(), p)
	if err != nil {
		return nil, err
	}
	return SubscriberDataManagement.NewAPIClient(cfg), nil
}

// NewUDMUECMClient returns a Nudm_UEContextManagement client (TS 29.503 §5.3).
func NewUDMUECMClient(p Peer) (*UEContextManagement.APIClient, error) {
	cfg, err := Configure(UEContextManagement.NewConfiguration(), p)
	if err != nil {
		return nil, err
	}
	return UEContextManagement.NewAPIClient(cfg), nil
}

// NewUDRDataRepositoryClient returns a Nudr_DataRepository client (TS 29.504).
func NewUDRDataRepositoryClient(p Peer) (*DataRepository.APIClient, error) {
	cfg, err := Configure(DataRepository.NewConfiguration(), p)
	if err != nil {
		return nil, err
	}
	return DataRepository.NewAPIClient(cfg), nil
}

// NewAMFCommunicationClient returns a Namf_Communication client (TS 29.518).
func NewAMFCommunicationClient(p Peer) (*Communication.APIClient, error) {
	cfg, err := Configure(Communication.NewConfiguration(), p)
	if err != nil {
		return nil, err
	}
	return Communication.NewAPIClient(cfg), nil
}

// NewSMFPDUSessionClient returns a Nsmf_PDUSession client (TS 29.502).
func NewSMFPDUSessionClient(p Peer) (*PDUSession.APIClient, error) {
	cfg, err := Configure(PDUSession.NewConfiguration(), p)
	if err != nil {
		return nil, err
	}
	return PDUSession.NewAPIClient(cfg), nil
}
