package sbi

// The SBI presence an NF's Start sets up and its Close tears down: serve
// the NF's handler, build the outbound client from the served address,
// register at the NRF (Nnrf_NFManagement NFRegister, TS 29.510 §5.2.2.2)
// and deregister (NFDeregister, §5.2.2.4).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/clock"
)

// ServeNetwork is the part of transport.Network a Server uses.
type ServeNetwork interface {
	ServeSBI(addr netip.AddrPort, h http.Handler) (apiRoot string, closer func() error, err error)
	SBIClient(from netip.AddrPort) *http.Client
}

// ServerConfig says what Serve serves and where.
type ServerConfig struct {
	Name    string         // prefix of the errors, e.g. "ausf"
	Addr    netip.AddrPort // where to serve; port 0 picks one
	Handler http.Handler
	NRF     string      // the NRF's apiRoot; empty skips registration
	Clock   clock.Clock // of the NRF client's discovery cache; nil is the wall clock
}

// Server is one NF's served SBI: the apiRoot it is reachable at, an
// outbound HTTP client whose requests come from that address, and the NRF
// client. APIRoot, Client and NRF do not change after Serve and may be
// read concurrently; Register, Stop and Close are the NF's lifecycle calls,
// made under its own lifecycle lock.
type Server struct {
	APIRoot string
	Client  *http.Client
	NRF     *NRFClient // every call fails when ServerConfig.NRF is empty

	name       string
	nrfRoot    string
	closer     func() error
	registered string // the instance id Register put at the NRF
}

// Serve serves cfg.Handler at cfg.Addr on nw and builds the outbound and
// NRF clients. Errors read "<name>: serve SBI: ...", or name the apiRoot
// the network gave when it has no address:port.
func Serve(nw ServeNetwork, cfg ServerConfig) (*Server, error) {
	root, closer, err := nw.ServeSBI(cfg.Addr, cfg.Handler)
	if err != nil {
		return nil, fmt.Errorf("%s: serve SBI: %w", cfg.Name, err)
	}
	from, err := addrOfRoot(root)
	if err != nil {
		_ = closer()
		return nil, fmt.Errorf("%s: %w", cfg.Name, err)
	}
	client := nw.SBIClient(from)
	return &Server{
		APIRoot: root,
		Client:  client,
		NRF:     NewNRFClient(client, cfg.NRF, cfg.Clock),
		name:    cfg.Name,
		nrfRoot: cfg.NRF,
		closer:  closer,
	}, nil
}

// Register puts the NF's profile (Profile of nfType, id, the served
// apiRoot and services) at the NRF; without an NRF it does nothing.
// Errors read "<name>: NRF registration: ...".
func (s *Server) Register(ctx context.Context, nfType models.NrfNfManagementNfType, id string, services ...models.ServiceName) error {
	if s.nrfRoot == "" {
		return nil
	}
	p, err := Profile(nfType, id, s.APIRoot, services...)
	if err == nil {
		err = s.NRF.Register(ctx, p)
	}
	if err != nil {
		return fmt.Errorf("%s: NRF registration: %w", s.name, err)
	}
	s.registered = id
	return nil
}

// Stop stops serving without deregistering.
func (s *Server) Stop() error { return s.closer() }

// Close deregisters what Register registered and stops serving; it
// returns both failures, if any.
func (s *Server) Close(ctx context.Context) error {
	var errs []error
	if s.registered != "" {
		if err := s.NRF.Deregister(ctx, s.registered); err != nil {
			errs = append(errs, fmt.Errorf("%s: NRF deregistration: %w", s.name, err))
		}
		s.registered = ""
	}
	if err := s.closer(); err != nil {
		errs = append(errs, fmt.Errorf("%s: close SBI server: %w", s.name, err))
	}
	return errors.Join(errs...)
}

// addrOfRoot parses the address:port of an apiRoot.
func addrOfRoot(root string) (netip.AddrPort, error) {
	pu, err := url.Parse(root)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad apiRoot %q: %w", root, err)
	}
	ap, err := netip.ParseAddrPort(pu.Host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("apiRoot %q has no address:port: %w", root, err)
	}
	return ap, nil
}
