package sbi_test

import (
	"context"
	"errors"
	"net/http"
	"net/netip"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/nrf/NFManagement"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/transport"
)

// tinyNRF answers Nnrf_NFManagement RegisterNFInstance (TS 29.510 §5.2.2.2.2).
func tinyNRF(seen *[]*http.Request) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /nnrf-nfm/v1/nf-instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		*seen = append(*seen, r)
		var p models.NrfNfManagementNfProfile
		if pd := sbi.DecodeJSON(r, &p); pd != nil {
			sbi.WriteProblem(w, pd)
			return
		}
		if p.NfInstanceId != r.PathValue("id") {
			sbi.WriteProblem(w, sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "nfInstanceId differs from the URI"))
			return
		}
		p.HeartBeatTimer = 10
		w.Header().Set("Location", "http://"+r.Host+r.URL.Path)
		sbi.WriteJSON(w, http.StatusCreated, p)
	})
	return mux
}

var _ = Describe("openapi clients on the injected transport", func() {
	nets := []struct {
		name string
		make func() transport.Network
	}{
		{"mem", func() transport.Network { return transport.NewMem(transport.MemOptions{}) }},
		{"net", func() transport.Network { return transport.NewNet(transport.NetOptions{}) }},
	}
	for _, m := range nets {
		Context("in "+m.name+" mode", func() {
			var (
				nrf  *NFManagement.APIClient
				seen []*http.Request
			)
			BeforeEach(func() {
				nw := m.make()
				DeferCleanup(nw.Close)
				seen = nil
				root, closer, err := nw.ServeSBI(netip.MustParseAddrPort("127.0.0.120:0"), tinyNRF(&seen))
				Expect(err).NotTo(HaveOccurred())
				DeferCleanup(closer)
				nrf, err = sbi.NewNRFManagementClient(sbi.Peer{
					APIRoot:   root + "/",
					HTTP:      nw.SBIClient(netip.MustParseAddrPort("127.0.0.121:0")),
					UserAgent: "UDM-8a2d4f4e-0000-4000-8000-000000000001",
				})
				Expect(err).NotTo(HaveOccurred())
			})

			// Reference: TS 29.510 §5.2.2.2.2 (NF registration: PUT
			// {apiRoot}/nnrf-nfm/v1/nf-instances/{nfInstanceID}, 201 Created
			// with Location) and TS 29.500 §5.2.2.2 (User-Agent).
			It("registers an NF instance with RegisterNFInstance", func() {
				id := "8a2d4f4e-0000-4000-8000-000000000001"
				rsp, err := nrf.NFInstanceIDDocumentApi.RegisterNFInstance(context.Background(), &NFManagement.RegisterNFInstanceRequest{
					NfInstanceID: &id,
					NrfNfManagementNfProfile: &models.NrfNfManagementNfProfile{
						NfInstanceId: id,
						NfType:       models.NrfNfManagementNfType_UDM,
						NfStatus:     models.NrfNfManagementNfStatus_REGISTERED,
					},
				})
				Expect(err).NotTo(HaveOccurred())
				Expect(rsp.NrfNfManagementNfProfile.HeartBeatTimer).To(Equal(int32(10)))
				Expect(rsp.NrfNfManagementNfProfile.NfType).To(Equal(models.NrfNfManagementNfType_UDM))
				Expect(rsp.Location).To(HaveSuffix("/nnrf-nfm/v1/nf-instances/" + id))
				Expect(seen).To(HaveLen(1))
				Expect(seen[0].ProtoMajor).To(Equal(2))
				Expect(seen[0].UserAgent()).To(Equal("UDM-8a2d4f4e-0000-4000-8000-000000000001"))
				Expect(netip.MustParseAddrPort(seen[0].RemoteAddr).Addr()).To(Equal(netip.MustParseAddr("127.0.0.121")))
			})

			// Reference: TS 29.500 §5.2.7.2 (ProblemDetails on 4xx).
			It("returns the producer's ProblemDetails as a GenericOpenAPIError", func() {
				id, other := "8a2d4f4e-0000-4000-8000-000000000001", "8a2d4f4e-0000-4000-8000-000000000002"
				_, err := nrf.NFInstanceIDDocumentApi.RegisterNFInstance(context.Background(), &NFManagement.RegisterNFInstanceRequest{
					NfInstanceID:             &id,
					NrfNfManagementNfProfile: &models.NrfNfManagementNfProfile{NfInstanceId: other, NfType: models.NrfNfManagementNfType_UDM},
				})
				var apiErr openapi.GenericOpenAPIError
				Expect(errors.As(err, &apiErr)).To(BeTrue(), "error %v", err)
				Expect(apiErr.ErrorStatus).To(Equal(http.StatusBadRequest))
				model, ok := apiErr.Model().(NFManagement.RegisterNFInstanceError)
				Expect(ok).To(BeTrue())
				Expect(model.ProblemDetails.Cause).To(Equal(sbi.CauseMandatoryIEIncorrect))
			})
		})
	}

	DescribeTable("Peer validation",
		func(p sbi.Peer, ok bool) {
			_, err := sbi.NewNRFManagementClient(p)
			if ok {
				Expect(err).NotTo(HaveOccurred())
			} else {
				Expect(err).To(MatchError(sbi.ErrClientConfig))
			}
		},
		Entry("good", sbi.Peer{APIRoot: "http://127.0.0.10:80", HTTP: &http.Client{}}, true),
		Entry("deployment prefix", sbi.Peer{APIRoot: "http://127.0.0.10:80/site-a", HTTP: &http.Client{}}, true),
		Entry("no HTTP client", sbi.Peer{APIRoot: "http://127.0.0.10:80"}, false),
		Entry("no scheme", sbi.Peer{APIRoot: "127.0.0.10:80", HTTP: &http.Client{}}, false),
		Entry("other scheme", sbi.Peer{APIRoot: "ftp://127.0.0.10", HTTP: &http.Client{}}, false),
		Entry("query", sbi.Peer{APIRoot: "http://127.0.0.10/?a=b", HTTP: &http.Client{}}, false),
		Entry("empty", sbi.Peer{HTTP: &http.Client{}}, false),
	)

	It("points every client at its service prefix", func() {
		hc := &http.Client{}
		p := sbi.Peer{APIRoot: "http://127.0.0.10:80", HTTP: hc}
		cfg, err := sbi.Configure(NFManagement.NewConfiguration(), p)
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.BasePath()).To(Equal("http://127.0.0.10:80/nnrf-nfm/v1"))
		Expect(cfg.HTTPClient()).To(BeIdenticalTo(hc))
		_, err = sbi.NewNRFDiscoveryClient(p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sbi.NewAUSFUEAuthenticationClient(p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sbi.NewUDMUEAuthenticationClient(p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sbi.NewUDMSDMClient(p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sbi.NewUDMUECMClient(p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sbi.NewUDRDataRepositoryClient(p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sbi.NewAMFCommunicationClient(p)
		Expect(err).NotTo(HaveOccurred())
		_, err = sbi.NewSMFPDUSessionClient(p)
		Expect(err).NotTo(HaveOccurred())
	})
})
