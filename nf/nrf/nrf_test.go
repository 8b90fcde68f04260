package nrf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/nrf/NFDiscovery"
	"github.com/free5gc/openapi/nrf/NFManagement"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/nrf"
)

const (
	ausfID = "6ad7a7b3-5e4e-4b4f-9a6a-000000000009"
	udmID  = "6ad7a7b3-5e4e-4b4f-9a6a-000000000003"
	udrID  = "6ad7a7b3-5e4e-4b4f-9a6a-000000000004"
)

func ptr[T any](v T) *T { return &v }

// free5gcService is an nfServices entry the way free5gc's AUSF and UDM
// build theirs.
func free5gcService(name models.ServiceName, ip string, port int32) models.NrfNfManagementNfService {
	return models.NrfNfManagementNfService{
		ServiceInstanceId: string(name),
		ServiceName:       name,
		Versions:          []models.NfServiceVersion{{ApiVersionInUri: "v1", ApiFullVersion: "1.0.3"}},
		Scheme:            models.UriScheme_HTTP,
		NfServiceStatus:   models.NfServiceStatus_REGISTERED,
		ApiPrefix:         "http://" + ip + ":" + "8000",
		IpEndPoints: []models.IpEndPoint{{
			Ipv4Address: ip, Transport: models.NrfNfManagementTransportProtocol_TCP, Port: port,
		}},
	}
}

func free5gcAUSF() models.NrfNfManagementNfProfile {
	return models.NrfNfManagementNfProfile{
		NfInstanceId:  ausfID,
		NfType:        models.NrfNfManagementNfType_AUSF,
		NfStatus:      models.NrfNfManagementNfStatus_REGISTERED,
		Ipv4Addresses: []string{"127.0.0.9"},
		AusfInfo:      &models.AusfInfo{GroupId: "ausfGroup001"},
		NfServices:    []models.NrfNfManagementNfService{free5gcService(models.ServiceName_NAUSF_AUTH, "127.0.0.9", 8000)},
		// a registrant asking for OAuth2: credbed's NRF must not grant it
		CustomInfo: map[string]any{"oauth2": true},
	}
}

// nfmClient is the NFManagement client exactly as free5gc's NFs build it:
// no injected *http.Client, so openapi's own prior-knowledge h2c client.
func nfmClient(root string) *NFManagement.APIClient {
	cfg := NFManagement.NewConfiguration()
	cfg.SetBasePath(root)
	return NFManagement.NewAPIClient(cfg)
}

func discClient(root string) *NFDiscovery.APIClient {
	cfg := NFDiscovery.NewConfiguration()
	cfg.SetBasePath(root)
	return NFDiscovery.NewAPIClient(cfg)
}

// free5gcRegister reproduces free5gc AUSF/UDM consumer.RegisterNFInstance:
// the instance id is the Location's last segment and the NRF URI what
// precedes "/nnrf-nfm/"; oauth2 comes from customInfo.
func free5gcRegister(c *NFManagement.APIClient, p models.NrfNfManagementNfProfile) (nrfURI, id string, oauth2 bool, created bool, err error) {
	rsp, err := c.NFInstanceIDDocumentApi.RegisterNFInstance(context.Background(), &NFManagement.RegisterNFInstanceRequest{
		NfInstanceID: &p.NfInstanceId, NrfNfManagementNfProfile: &p})
	if err != nil {
		return "", "", false, false, err
	}
	if rsp.Location == "" { // free5gc: status 200, an update
		return "", "", false, false, nil
	}
	i := strings.Index(rsp.Location, "/nnrf-nfm/")
	if i < 0 {
		return "", "", false, false, errors.New("Location without /nnrf-nfm/: free5gc would panic here")
	}
	if v, ok := rsp.NrfNfManagementNfProfile.CustomInfo["oauth2"].(bool); ok {
		oauth2 = v
	}
	return rsp.Location[:i], rsp.Location[strings.LastIndex(rsp.Location, "/")+1:], oauth2, true, nil
}

// ausfUDMURI reproduces how free5gc's AUSF picks the UDM URI from a
// discovered profile: apiPrefix, then service fqdn, then profile fqdn,
// then the first ipEndPoint.
func ausfUDMURI(p models.NrfNfDiscoveryNfProfile, name models.ServiceName) string {
	for _, s := range p.NfServices {
		if s.ServiceName != name || s.NfServiceStatus != models.NfServiceStatus_REGISTERED {
			continue
		}
		switch {
		case s.ApiPrefix != "":
			return s.ApiPrefix
		case s.Fqdn != "":
			return string(s.Scheme) + "://" + s.Fqdn
		case p.Fqdn != "":
			return string(s.Scheme) + "://" + p.Fqdn
		case len(s.IpEndPoints) > 0:
			ep := s.IpEndPoints[0]
			return string(s.Scheme) + "://" + ep.Ipv4Address + ":" + jsonNum(ep.Port)
		}
	}
	return ""
}

func jsonNum(v int32) string { b, _ := json.Marshal(v); return string(b) }

func problemOf(rsp *http.Response) models.ProblemDetails {
	GinkgoHelper()
	Expect(rsp.Header.Get("Content-Type")).To(Equal(sbi.ContentProblem))
	var pd models.ProblemDetails
	body, err := io.ReadAll(rsp.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(json.Unmarshal(body, &pd)).To(Succeed())
	Expect(int(pd.Status)).To(Equal(rsp.StatusCode), "status field equals the HTTP status")
	Expect(pd.Cause).NotTo(BeEmpty())
	return pd
}

var _ = Describe("NRF", func() {
	var (
		n    *nrf.NF
		rec  *trace.Recorder
		clk  *clock.Fake
		root string
		hc   *http.Client
		ctx  context.Context
	)

	BeforeEach(func() {
		clk = clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		rec = trace.NewRecorder(clk)
		var err error
		n, err = nrf.New(nrf.Config{}, nrf.Deps{Clock: clk, Trace: rec})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(n.Close)
		root = serveH2C(n.Handler())
		hc = h2cClient()
		ctx = context.Background()
	})

	do := func(method, path, ctype string, body []byte) *http.Response {
		GinkgoHelper()
		req, err := http.NewRequest(method, root+path, bytes.NewReader(body))
		Expect(err).NotTo(HaveOccurred())
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rsp, err := hc.Do(req)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(rsp.Body.Close)
		return rsp
	}

	Describe("free5gc AUSF/UDM contract (openapi v1.2.4 clients, default h2c transport)", func() {
		// Reference: TS 29.510 §5.2.2.2.2 (NFRegister: 201 Created, Location, NFProfile)
		It("answers a first registration with 201, a Location containing /nnrf-nfm/ and a JSON NFProfile without oauth2", func() {
			nrfURI, id, oauth2, created, err := free5gcRegister(nfmClient(root), free5gcAUSF())
			Expect(err).NotTo(HaveOccurred())
			Expect(created).To(BeTrue())
			Expect(id).To(Equal(ausfID))
			Expect(nrfURI).To(Equal(root))
			Expect(oauth2).To(BeFalse())

			rsp := do("GET", nrf.PathNFM+"/nf-instances/"+ausfID, "", nil)
			Expect(rsp.StatusCode).To(Equal(http.StatusOK))
			Expect(rsp.Header.Get("Content-Type")).To(Equal("application/json"))
			var p models.NrfNfManagementNfProfile
			Expect(json.NewDecoder(rsp.Body).Decode(&p)).To(Succeed())
			Expect(p.CustomInfo).NotTo(HaveKey("oauth2"))
			Expect(p.HeartBeatTimer).To(BeNumerically(">", 0))
		})

		// Reference: TS 29.510 §5.2.2.2.3 (re-registration replaces the profile: 200 OK)
		It("answers a repeated registration with 200", func() {
			c := nfmClient(root)
			_, _, _, created, err := free5gcRegister(c, free5gcAUSF())
			Expect(err).NotTo(HaveOccurred())
			Expect(created).To(BeTrue())
			p := free5gcAUSF()
			p.Priority = 5
			_, _, _, created, err = free5gcRegister(c, p)
			Expect(err).NotTo(HaveOccurred())
			Expect(created).To(BeFalse())
			got, pd := n.Profile(ctx, ausfID)
			Expect(pd).To(BeNil())
			Expect(got.Priority).To(BeEquivalentTo(5))
		})

		// Reference: TS 29.510 §5.3.2.2.2 (NFDiscover), §6.2.6.2.2 (SearchResult: validityPeriod, nfInstances)
		It("returns the UDM to the AUSF's discovery with nfServices REGISTERED, scheme and ipEndPoints", func() {
			udm, err := sbi.Profile(models.NrfNfManagementNfType_UDM, udmID, "http://127.0.0.3:8000",
				models.ServiceName_NUDM_SDM, models.ServiceName_NUDM_UECM, models.ServiceName_NUDM_UEAU)
			Expect(err).NotTo(HaveOccurred())
			_, _, _, _, err = free5gcRegister(nfmClient(root), udm)
			Expect(err).NotTo(HaveOccurred())

			rsp, err := discClient(root).NFInstancesStoreApi.SearchNFInstances(ctx, &NFDiscovery.SearchNFInstancesRequest{
				TargetNfType:    ptr(models.NrfNfManagementNfType_UDM),
				RequesterNfType: ptr(models.NrfNfManagementNfType_AUSF),
				ServiceNames:    []models.ServiceName{models.ServiceName_NUDM_UEAU},
			})
			Expect(err).NotTo(HaveOccurred())
			res := rsp.SearchResult
			Expect(res.ValidityPeriod).To(BeNumerically(">", 0))
			Expect(res.NfInstances).To(HaveLen(1))
			p := res.NfInstances[0]
			Expect(p.NfInstanceId).To(Equal(udmID))
			Expect(p.NfServices).To(HaveLen(1), "only the requested service")
			s := p.NfServices[0]
			Expect(s.ServiceName).To(Equal(models.ServiceName_NUDM_UEAU))
			Expect(s.NfServiceStatus).To(Equal(models.NfServiceStatus_REGISTERED))
			Expect(s.Scheme).To(Equal(models.UriScheme_HTTP))
			Expect(s.IpEndPoints).To(ConsistOf(models.IpEndPoint{Ipv4Address: "127.0.0.3", Transport: "TCP", Port: 8000}))
			Expect(ausfUDMURI(p, models.ServiceName_NUDM_UEAU)).To(Equal("http://127.0.0.3:8000"))
			Expect(rsp.CacheControl).To(Equal("max-age=300"))
		})

		It("returns the UDR first to the UDM's discovery without service-names", func() {
			udr, err := sbi.Profile(models.NrfNfManagementNfType_UDR, udrID, "http://127.0.0.4:8000", models.ServiceName_NUDR_DR)
			Expect(err).NotTo(HaveOccurred())
			Expect(sbi.RegisterNF(ctx, hc, root, udr)).To(Succeed())
			rsp, err := discClient(root).NFInstancesStoreApi.SearchNFInstances(ctx, &NFDiscovery.SearchNFInstancesRequest{
				TargetNfType: ptr(models.NrfNfManagementNfType_UDR), RequesterNfType: ptr(models.NrfNfManagementNfType_UDM)})
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.SearchResult.NfInstances).To(HaveLen(1))
			Expect(rsp.SearchResult.NfInstances[0].NfServices[0].ServiceName).To(Equal(models.ServiceName_NUDR_DR))
			Expect(rsp.SearchResult.NfInstances[0].NfServices[0].Versions[0].ApiVersionInUri).To(Equal("v2"))
		})

		// Reference: TS 29.510 §5.2.2.4 (NFDeregister: 204 No Content)
		It("deregisters with 204 and then forgets the instance", func() {
			c := nfmClient(root)
			_, _, _, _, err := free5gcRegister(c, free5gcAUSF())
			Expect(err).NotTo(HaveOccurred())
			_, err = c.NFInstanceIDDocumentApi.DeregisterNFInstance(ctx, &NFManagement.DeregisterNFInstanceRequest{NfInstanceID: ptr(ausfID)})
			Expect(err).NotTo(HaveOccurred())
			Expect(n.Instances()).To(BeEmpty())
			_, err = c.NFInstanceIDDocumentApi.DeregisterNFInstance(ctx, &NFManagement.DeregisterNFInstanceRequest{NfInstanceID: ptr(ausfID)})
			var oe openapi.GenericOpenAPIError
			Expect(errors.As(err, &oe)).To(BeTrue())
			Expect(oe.ErrorStatus).To(Equal(http.StatusNotFound))
			Expect(oe.ErrorModel.(NFManagement.DeregisterNFInstanceError).ProblemDetails.Status).To(BeEquivalentTo(404))
		})
	})

	Describe("NFUpdate", func() {
		BeforeEach(func() {
			_, _, pd := n.Register(ctx, ausfID, free5gcAUSF())
			Expect(pd).To(BeNil())
		})

		// Reference: TS 29.510 §5.2.2.3.2 (heartbeat: 204 No Content)
		It("answers a heartbeat with 204 and a profile change with 200 and the profile", func() {
			c := nfmClient(root)
			rsp, err := c.NFInstanceIDDocumentApi.UpdateNFInstance(ctx, &NFManagement.UpdateNFInstanceRequest{
				NfInstanceID: ptr(ausfID),
				PatchItem:    []models.PatchItem{{Op: "replace", Path: "/nfStatus", Value: "REGISTERED"}, {Op: "replace", Path: "/load", Value: 10}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.NrfNfManagementNfProfile.NfInstanceId).To(BeEmpty(), "204: no body")

			rsp, err = c.NFInstanceIDDocumentApi.UpdateNFInstance(ctx, &NFManagement.UpdateNFInstanceRequest{
				NfInstanceID: ptr(ausfID),
				PatchItem:    []models.PatchItem{{Op: "add", Path: "/nfServices/0/allowedNfTypes", Value: []string{"AMF"}}},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.NrfNfManagementNfProfile.NfServices[0].AllowedNfTypes).To(ConsistOf(models.NrfNfManagementNfType_AMF))
		})

		// Reference: TS 29.510 §5.3.2.2.2 (only REGISTERED instances are discovered)
		It("hides a SUSPENDED instance from discovery and records the state change", func() {
			rsp := do("PATCH", nrf.PathNFM+"/nf-instances/"+ausfID, sbi.ContentJSONPatch,
				[]byte(`[{"op":"replace","path":"/nfStatus","value":"SUSPENDED"}]`))
			Expect(rsp.StatusCode).To(Equal(http.StatusNoContent))
			res, pd := n.Search(ctx, nrf.Query{TargetNfType: "AUSF", RequesterNfType: "AMF"})
			Expect(pd).To(BeNil())
			Expect(res.NfInstances).To(BeEmpty())
			Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindState, Name: "SUSPENDED", Peer: ausfID}))).To(Equal(1))
		})

		DescribeTable("refuses a bad patch with a ProblemDetails and keeps the profile",
			func(body string, status int) {
				before, _ := n.Profile(ctx, ausfID)
				rsp := do("PATCH", nrf.PathNFM+"/nf-instances/"+ausfID, sbi.ContentJSONPatch, []byte(body))
				Expect(rsp.StatusCode).To(Equal(status))
				problemOf(rsp)
				after, _ := n.Profile(ctx, ausfID)
				Expect(after).To(Equal(before))
			},
			Entry("not JSON", `[{`, 400),
			Entry("empty", `[]`, 400),
			Entry("unknown op", `[{"op":"frobnicate","path":"/nfStatus"}]`, 400),
			Entry("missing member", `[{"op":"replace","path":"/nope/x","value":1}]`, 400),
			Entry("invalid status", `[{"op":"replace","path":"/nfStatus","value":"ASLEEP"}]`, 400),
			Entry("id change", `[{"op":"replace","path":"/nfInstanceId","value":"other"}]`, 400),
			Entry("wrong type", `[{"op":"replace","path":"/nfType","value":7}]`, 400),
			Entry("failed test", `[{"op":"test","path":"/nfStatus","value":"SUSPENDED"},{"op":"remove","path":"/nfServices"}]`, 400),
		)
	})

	Describe("NFDiscover filters", func() {
		BeforeEach(func() {
			mk := func(id string, prio int32, allowed []models.NrfNfManagementNfType, ranges []models.SupiRange) {
				p, err := sbi.Profile(models.NrfNfManagementNfType_UDM, id, "http://127.0.0.3:80", models.ServiceName_NUDM_UEAU)
				Expect(err).NotTo(HaveOccurred())
				p.Priority = prio
				p.AllowedNfTypes = allowed
				if ranges != nil {
					p.UdmInfo = &models.UdmInfo{SupiRanges: ranges}
				}
				_, _, pd := n.Register(ctx, id, p)
				Expect(pd).To(BeNil())
			}
			mk("udm-b", 1, nil, nil)
			mk("udm-a", 1, []models.NrfNfManagementNfType{"AUSF"}, []models.SupiRange{{Start: "001010000000000", End: "001010000000099"}})
			mk("udm-c", 0, nil, []models.SupiRange{{Pattern: `^imsi-20893[0-9]+$`}})
		})

		ids := func(res *models.SearchResult) []string {
			var out []string
			for _, p := range res.NfInstances {
				out = append(out, p.NfInstanceId)
			}
			return out
		}

		// Reference: TS 29.510 §6.1.6.2.2 (allowedNfTypes, priority), §6.1.6.2.7 (supiRanges)
		It("applies allowedNfTypes, supi ranges, priority order, target id and limit", func() {
			res, _ := n.Search(ctx, nrf.Query{TargetNfType: "UDM", RequesterNfType: "AUSF"})
			Expect(ids(res)).To(Equal([]string{"udm-c", "udm-a", "udm-b"}))
			res, _ = n.Search(ctx, nrf.Query{TargetNfType: "UDM", RequesterNfType: "AMF"})
			Expect(ids(res)).To(Equal([]string{"udm-c", "udm-b"}))
			res, _ = n.Search(ctx, nrf.Query{TargetNfType: "UDM", RequesterNfType: "AUSF", Supi: "imsi-001010000000042"})
			Expect(ids(res)).To(Equal([]string{"udm-a", "udm-b"}))
			res, _ = n.Search(ctx, nrf.Query{TargetNfType: "UDM", RequesterNfType: "AUSF", Supi: "imsi-208930000000001"})
			Expect(ids(res)).To(Equal([]string{"udm-c", "udm-b"}))
			res, _ = n.Search(ctx, nrf.Query{TargetNfType: "UDM", RequesterNfType: "AUSF", TargetNfInstanceID: "udm-b"})
			Expect(ids(res)).To(Equal([]string{"udm-b"}))
			res, _ = n.Search(ctx, nrf.Query{TargetNfType: "UDM", RequesterNfType: "AUSF", Limit: 1})
			Expect(ids(res)).To(Equal([]string{"udm-c"}))
			res, _ = n.Search(ctx, nrf.Query{TargetNfType: "UDM", RequesterNfType: "AUSF", ServiceNames: []models.ServiceName{"nudm-sdm"}})
			Expect(res.NfInstances).NotTo(BeNil())
			Expect(res.NfInstances).To(BeEmpty())
		})

		It("reads service-names as CSV and returns an empty array, not null, when nothing matches", func() {
			rsp := do("GET", nrf.PathDisc+"/nf-instances?target-nf-type=UDM&requester-nf-type=AUSF&service-names=nudm-sdm,nudm-ueau", "", nil)
			Expect(rsp.StatusCode).To(Equal(200))
			var res models.SearchResult
			Expect(json.NewDecoder(rsp.Body).Decode(&res)).To(Succeed())
			Expect(res.NfInstances).To(HaveLen(3))
			rsp = do("GET", nrf.PathDisc+"/nf-instances?target-nf-type=SMF&requester-nf-type=AMF", "", nil)
			body, _ := io.ReadAll(rsp.Body)
			Expect(string(body)).To(ContainSubstring(`"nfInstances":[]`))
		})
	})

	// Reference: TS 29.500 §5.2.7.2 (ProblemDetails: status and cause on every error)
	DescribeTable("answers bad requests with a JSON ProblemDetails",
		func(method, path, ctype, body string, status int, cause string) {
			rsp := do(method, path, ctype, []byte(body))
			Expect(rsp.StatusCode).To(Equal(status))
			Expect(problemOf(rsp).Cause).To(Equal(cause))
			Expect(n.Instances()).To(BeEmpty())
		},
		Entry("register: not JSON", "PUT", nrf.PathNFM+"/nf-instances/x", "application/json", "{", 400, sbi.CauseMalformedSyntax),
		Entry("register: wrong content type", "PUT", nrf.PathNFM+"/nf-instances/x", "text/plain", "{}", 415, sbi.CauseUnsupportedMedia),
		Entry("register: id mismatch", "PUT", nrf.PathNFM+"/nf-instances/x", "application/json",
			`{"nfInstanceId":"y","nfType":"AUSF","nfStatus":"REGISTERED"}`, 400, sbi.CauseMandatoryIEIncorrect),
		Entry("register: no nfType", "PUT", nrf.PathNFM+"/nf-instances/x", "application/json", `{"nfStatus":"REGISTERED"}`, 400, nrf.CauseMandatoryIEMissing),
		Entry("register: no nfStatus", "PUT", nrf.PathNFM+"/nf-instances/x", "application/json", `{"nfType":"AUSF"}`, 400, nrf.CauseMandatoryIEMissing),
		Entry("register: service without name", "PUT", nrf.PathNFM+"/nf-instances/x", "application/json",
			`{"nfType":"AUSF","nfStatus":"REGISTERED","nfServices":[{"serviceInstanceId":"0","versions":[{"apiVersionInUri":"v1","apiFullVersion":"1"}],"scheme":"http","nfServiceStatus":"REGISTERED"}]}`,
			400, nrf.CauseMandatoryIEMissing),
		Entry("register: bad supi pattern", "PUT", nrf.PathNFM+"/nf-instances/x", "application/json",
			`{"nfType":"UDM","nfStatus":"REGISTERED","udmInfo":{"supiRanges":[{"pattern":"("}]}}`, 400, sbi.CauseMandatoryIEIncorrect),
		Entry("register: array body", "PUT", nrf.PathNFM+"/nf-instances/x", "application/json", `[]`, 400, sbi.CauseMalformedSyntax),
		Entry("discover: no target type", "GET", nrf.PathDisc+"/nf-instances?requester-nf-type=AUSF", "", "", 400, nrf.CauseMandatoryQueryParamMissing),
		Entry("discover: no requester type", "GET", nrf.PathDisc+"/nf-instances?target-nf-type=UDM", "", "", 400, nrf.CauseMandatoryQueryParamMissing),
		Entry("discover: bad limit", "GET", nrf.PathDisc+"/nf-instances?target-nf-type=UDM&requester-nf-type=AUSF&limit=-1", "", "", 400, nrf.CauseInvalidQueryParam),
		Entry("get: unknown instance", "GET", nrf.PathNFM+"/nf-instances/nope", "", "", 404, sbi.CauseDataNotFound),
		Entry("patch: unknown instance", "PATCH", nrf.PathNFM+"/nf-instances/nope", sbi.ContentJSONPatch, `[{"op":"remove","path":"/load"}]`, 404, sbi.CauseDataNotFound),
		Entry("unknown path", "GET", "/nnrf-nfm/v1/other", "", "", 404, nrf.CauseResourceNotFound),
		Entry("wrong method", "POST", nrf.PathNFM+"/nf-instances/x", "application/json", "{}", 405, nrf.CauseMethodNotAllowed),
	)

	It("traces every operation by name with its status, and state changes", func() {
		_, _, _, _, err := free5gcRegister(nfmClient(root), free5gcAUSF())
		Expect(err).NotTo(HaveOccurred())
		do("GET", nrf.PathDisc+"/nf-instances?target-nf-type=AUSF&requester-nf-type=AMF", "", nil)
		do("DELETE", nrf.PathNFM+"/nf-instances/"+ausfID, "", nil)
		do("GET", nrf.PathNFM+"/nf-instances/"+ausfID, "", nil)
		var got []string
		for _, e := range rec.Events() {
			Expect(e.Actor).To(Equal("nrf"))
			switch e.Kind {
			case trace.KindResponse:
				got = append(got, e.Name+" "+jsonNum(int32(e.Status))+" "+e.Cause)
			case trace.KindState:
				got = append(got, e.Name+" "+e.Peer)
			}
		}
		Expect(got).To(Equal([]string{
			"REGISTERED " + ausfID, "NFRegister 201 ",
			"NFDiscover 200 ",
			"DEREGISTERED " + ausfID, "NFDeregister 204 ",
			"NFProfileRetrieval 404 DATA_NOT_FOUND",
		}))
		Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindRequest, Name: nrf.OpDiscover, Peer: "amf"}))).To(Equal(1))
	})

	It("answers 503 after Close", func() {
		Expect(n.Close()).To(Succeed())
		rsp := do("GET", nrf.PathDisc+"/nf-instances?target-nf-type=AUSF&requester-nf-type=AMF", "", nil)
		Expect(rsp.StatusCode).To(Equal(http.StatusServiceUnavailable))
		problemOf(rsp)
	})

	Describe("internal/sbi NRF client against this NRF", func() {
		// Reference: TS 29.510 §6.2.6.2.2 (validityPeriod bounds how long a consumer may cache a result)
		It("registers, discovers with a cache that expires on the injected clock, and deregisters", func() {
			p, err := sbi.Profile(models.NrfNfManagementNfType_UDM, udmID, "http://127.0.0.3:80", models.ServiceName_NUDM_UEAU)
			Expect(err).NotTo(HaveOccurred())
			c := sbi.NewNRFClient(hc, root, clk)
			Expect(c.Register(ctx, p)).To(Succeed())
			Expect(c.Register(ctx, p)).To(Succeed(), "re-registration (200) is success too")

			discovers := func() int {
				return rec.Count(trace.Match(trace.Event{Kind: trace.KindResponse, Name: nrf.OpDiscover}))
			}
			apiRoot, err := c.Discover(ctx, "UDM", "AUSF", models.ServiceName_NUDM_UEAU)
			Expect(err).NotTo(HaveOccurred())
			Expect(apiRoot).To(Equal("http://127.0.0.3:80"))
			for i := 0; i < 5; i++ {
				_, err = c.Discover(ctx, "UDM", "AUSF", models.ServiceName_NUDM_UEAU)
				Expect(err).NotTo(HaveOccurred())
			}
			Expect(discovers()).To(Equal(1), "served from the cache")
			clk.Advance(nrf.DefaultValidityPeriod)
			_, err = c.Discover(ctx, "UDM", "AUSF", models.ServiceName_NUDM_UEAU)
			Expect(err).NotTo(HaveOccurred())
			Expect(discovers()).To(Equal(2), "expired after validityPeriod")
			c.Forget("UDM")
			_, err = c.Discover(ctx, "UDM", "AUSF", models.ServiceName_NUDM_UEAU)
			Expect(err).NotTo(HaveOccurred())
			Expect(discovers()).To(Equal(3))

			_, err = c.Discover(ctx, "UDM", "AUSF", models.ServiceName_NUDM_SDM)
			Expect(err).To(MatchError(sbi.ErrNoInstance))

			Expect(c.Deregister(ctx, udmID)).To(Succeed())
			err = c.Deregister(ctx, udmID)
			Expect(err).To(MatchError(sbi.ErrNRF))
			var ne *sbi.NRFError
			Expect(errors.As(err, &ne)).To(BeTrue())
			Expect(ne.Status).To(Equal(404))
			Expect(ne.Problem.Cause).To(Equal(sbi.CauseDataNotFound))

			apiRoot, err = sbi.Discover(ctx, hc, root, "UDM", "AUSF", models.ServiceName_NUDM_UEAU)
			Expect(err).To(MatchError(sbi.ErrNoInstance))
			Expect(apiRoot).To(BeEmpty())
		})

		It("reports a refused registration with the NRF's ProblemDetails", func() {
			err := sbi.RegisterNF(ctx, hc, root, models.NrfNfManagementNfProfile{NfInstanceId: "x", NfStatus: "REGISTERED"})
			var ne *sbi.NRFError
			Expect(errors.As(err, &ne)).To(BeTrue())
			Expect(ne.Status).To(Equal(400))
			Expect(ne.Problem.Cause).To(Equal(nrf.CauseMandatoryIEMissing))
			Expect(sbi.RegisterNF(ctx, nil, root, free5gcAUSF())).To(MatchError(sbi.ErrNoClient))
		})
	})
})
