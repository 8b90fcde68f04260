package sbi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/sbi"
)

// Reference: TS 29.510 §6.1.6.2.3 (NFService: serviceInstanceId, serviceName, versions, scheme, nfServiceStatus, ipEndPoints, apiPrefix)
func TestProfile(t *testing.T) {
	for _, tc := range []struct {
		root       string
		ep         models.IpEndPoint
		prefix     string
		v4, v6     []string
		wantErr    bool
		wantAPIRef string
	}{
		{root: "http://127.0.0.3:8000", ep: models.IpEndPoint{Ipv4Address: "127.0.0.3", Transport: "TCP", Port: 8000}, v4: []string{"127.0.0.3"}, wantAPIRef: "http://127.0.0.3:8000"},
		{root: "http://127.0.0.3", ep: models.IpEndPoint{Ipv4Address: "127.0.0.3", Transport: "TCP", Port: 80}, v4: []string{"127.0.0.3"}, wantAPIRef: "http://127.0.0.3:80"},
		{root: "https://[::1]:8443", ep: models.IpEndPoint{Ipv6Address: "::1", Transport: "TCP", Port: 8443}, v6: []string{"::1"}, wantAPIRef: "https://[::1]:8443"},
		{root: "http://udm.mem:80/", prefix: "http://udm.mem:80", wantAPIRef: "http://udm.mem:80"},
		{root: "http://127.0.0.3:80/pfx", ep: models.IpEndPoint{Ipv4Address: "127.0.0.3", Transport: "TCP", Port: 80}, v4: []string{"127.0.0.3"}, prefix: "http://127.0.0.3:80/pfx", wantAPIRef: "http://127.0.0.3:80/pfx"},
		{root: "ftp://x", wantErr: true},
		{root: "http://127.0.0.1:99999", wantErr: true},
		{root: "127.0.0.1:80", wantErr: true},
	} {
		p, err := sbi.Profile(models.NrfNfManagementNfType_UDM, "udm-1", tc.root, models.ServiceName_NUDM_UEAU, models.ServiceName_NUDM_SDM)
		if tc.wantErr {
			if !errors.Is(err, sbi.ErrAPIRoot) {
				t.Errorf("%s: err %v, want ErrAPIRoot", tc.root, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.root, err)
		}
		if p.NfStatus != "REGISTERED" || p.NfType != "UDM" || p.NfInstanceId != "udm-1" || len(p.NfServices) != 2 {
			t.Fatalf("%s: profile %+v", tc.root, p)
		}
		if p.Fqdn != "" || p.CustomInfo != nil {
			t.Errorf("%s: fqdn %q customInfo %v must be absent", tc.root, p.Fqdn, p.CustomInfo)
		}
		for _, s := range p.NfServices {
			if s.NfServiceStatus != "REGISTERED" || s.ServiceInstanceId == "" || len(s.Versions) != 1 || s.ApiPrefix != tc.prefix {
				t.Errorf("%s: service %+v", tc.root, s)
			}
			if tc.ep.Port != 0 && (len(s.IpEndPoints) != 1 || s.IpEndPoints[0] != tc.ep) {
				t.Errorf("%s: ipEndPoints %+v, want %+v", tc.root, s.IpEndPoints, tc.ep)
			}
		}
		if v := p.NfServices[1].Versions[0].ApiVersionInUri; v != "v2" {
			t.Errorf("nudm-sdm is v2, got %s", v)
		}
		if len(tc.v4) > 0 && (len(p.Ipv4Addresses) != 1 || p.Ipv4Addresses[0] != tc.v4[0]) {
			t.Errorf("%s: ipv4Addresses %v", tc.root, p.Ipv4Addresses)
		}
		if len(tc.v6) > 0 && (len(p.Ipv6Addresses) != 1 || p.Ipv6Addresses[0] != tc.v6[0]) {
			t.Errorf("%s: ipv6Addresses %v", tc.root, p.Ipv6Addresses)
		}
		// the discovered form of the same profile leads back to the apiRoot
		var d models.NrfNfDiscoveryNfProfile
		d.NfServices = make([]models.NrfNfDiscoveryNfService, len(p.NfServices))
		for i, s := range p.NfServices {
			d.NfServices[i] = models.NrfNfDiscoveryNfService{ServiceName: s.ServiceName, Scheme: s.Scheme,
				NfServiceStatus: s.NfServiceStatus, IpEndPoints: s.IpEndPoints, ApiPrefix: s.ApiPrefix}
		}
		got, ok := sbi.ServiceAPIRoot(d, models.ServiceName_NUDM_UEAU)
		if !ok || got != tc.wantAPIRef {
			t.Errorf("%s: ServiceAPIRoot = %q, %v; want %q", tc.root, got, ok, tc.wantAPIRef)
		}
	}
	if _, err := sbi.Profile("", "x", "http://127.0.0.1", models.ServiceName_NUDM_UEAU); err == nil {
		t.Error("empty NF type accepted")
	}
}

func TestServiceAPIRoot(t *testing.T) {
	p := models.NrfNfDiscoveryNfProfile{
		Fqdn:          "udm.example",
		Ipv4Addresses: []string{"127.0.0.3"},
		NfServices: []models.NrfNfDiscoveryNfService{
			{ServiceName: "nudm-ueau", Scheme: "http", NfServiceStatus: "SUSPENDED", ApiPrefix: "http://suspended"},
			{ServiceName: "nudm-ueau", Scheme: "https", NfServiceStatus: "REGISTERED", Fqdn: "ueau.example", ApiPrefix: "/base/"},
			{ServiceName: "nudm-sdm", NfServiceStatus: "REGISTERED"},
			{ServiceName: "nudm-uecm", Scheme: "http", NfServiceStatus: "REGISTERED", IpEndPoints: []models.IpEndPoint{{Port: 81}}},
		},
	}
	for _, tc := range []struct {
		svc  models.ServiceName
		want string
		ok   bool
	}{
		{"nudm-ueau", "https://ueau.example/base", true},
		{"nudm-sdm", "http://udm.example", true},
		{"nudm-uecm", "http://udm.example:81", true},
		{"nudm-ee", "", false},
		{"", "https://ueau.example/base", true},
	} {
		got, ok := sbi.ServiceAPIRoot(p, tc.svc)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: got %q, %v; want %q, %v", tc.svc, got, ok, tc.want, tc.ok)
		}
	}
}

// Reference: TS 29.510 §6.2.6.2.2 (validityPeriod)
func TestNRFClientCacheUsesValidityPeriod(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/nnrf-disc/v1/nf-instances" || r.URL.Query().Get("service-names") != "nudr-dr" ||
			r.URL.Query().Get("target-nf-type") != "UDR" || r.URL.Query().Get("requester-nf-type") != "UDM" {
			sbi.WriteProblem(w, sbi.Problem(400, "INVALID_QUERY_PARAM", r.URL.String()))
			return
		}
		sbi.WriteJSON(w, 200, models.SearchResult{ValidityPeriod: 10, NfInstances: []models.NrfNfDiscoveryNfProfile{{
			NfInstanceId: "udr", NfServices: []models.NrfNfDiscoveryNfService{{ServiceName: "nudr-dr", Scheme: "http",
				NfServiceStatus: "REGISTERED", IpEndPoints: []models.IpEndPoint{{Ipv4Address: "127.0.0.4", Port: 80}}}},
		}}})
	}))
	defer srv.Close()
	clk := clock.NewFake(time.Unix(0, 0))
	c := sbi.NewNRFClient(srv.Client(), srv.URL, clk)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		root, err := c.Discover(ctx, "UDR", "UDM", "nudr-dr")
		if err != nil || root != "http://127.0.0.4:80" {
			t.Fatalf("Discover = %q, %v", root, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d NRF calls within validityPeriod, want 1", n)
	}
	clk.Advance(9 * time.Second)
	_, _ = c.Discover(ctx, "UDR", "UDM", "nudr-dr")
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d NRF calls at 9 s, want 1", n)
	}
	clk.Advance(time.Second)
	_, _ = c.Discover(ctx, "UDR", "UDM", "nudr-dr")
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d NRF calls at 10 s, want 2", n)
	}
	_, err := c.Discover(ctx, "UDR", "AMF", "nudr-dr")
	var ne *sbi.NRFError
	if !errors.As(err, &ne) || ne.Status != 400 || ne.Problem == nil || ne.Problem.Cause != "INVALID_QUERY_PARAM" {
		t.Fatalf("refused discovery: %v", err)
	}
	if _, err := sbi.NewNRFClient(nil, srv.URL, nil).Discover(ctx, "UDR", "UDM", "nudr-dr"); !errors.Is(err, sbi.ErrNoClient) {
		t.Fatalf("nil client: %v", err)
	}
	srv.Close()
	if _, err := sbi.Discover(ctx, srv.Client(), srv.URL, "UDR", "UDM", "nudr-dr"); !errors.Is(err, sbi.ErrNRF) {
		t.Fatalf("unreachable NRF: %v", err)
	}
}
