package sbi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi"
	AUSFUEAU "github.com/free5gc/openapi/ausf/UEAuthentication"
	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udm/SubscriberDataManagement"
	UDMUEAU "github.com/free5gc/openapi/udm/UEAuthentication"
	"github.com/free5gc/openapi/udm/UEContextManagement"
	"github.com/free5gc/openapi/udr/DataRepository"

	"github.com/credbed/credbed/internal/sbi"
)

// sent is one request as a RoundTripper saw it.
type sent struct {
	Method, URL, Host string
	Header            http.Header
	Body              string
	ContentLength     int64
}

// cannedRT records every request and answers each with the same response
// (or error).
type cannedRT struct {
	status   int
	ctype    string
	body     string
	location string
	err      error
	seen     []sent
}

func (c *cannedRT) RoundTrip(r *http.Request) (*http.Response, error) {
	var b []byte
	if r.Body != nil {
		b, _ = io.ReadAll(r.Body)
		_ = r.Body.Close()
	}
	c.seen = append(c.seen, sent{Method: r.Method, URL: r.URL.String(), Host: r.Host, Header: r.Header.Clone(), Body: string(b), ContentLength: r.ContentLength})
	if c.err != nil {
		return nil, c.err
	}
	h := http.Header{}
	if c.ctype != "" {
		h.Set("Content-Type", c.ctype)
	}
	if c.location != "" {
		h.Set("Location", c.location)
	}
	return &http.Response{StatusCode: c.status, Header: h, Body: io.NopCloser(strings.NewReader(c.body)), Request: r}, nil
}

// opPair is one operation sent through its generated openapi client and
// through its sbi.Call; each returns the decoded body (nil when none).
type opPair struct {
	name                                string
	generated, call                     func(ctx context.Context, p sbi.Peer) (any, error)
	decoded, empty, problems, redirects []int
	sample                              any
}

func udrAPI(p sbi.Peer) *DataRepository.APIClient {
	c, err := sbi.NewUDRDataRepositoryClient(p)
	Expect(err).NotTo(HaveOccurred())
	return c
}

func ausfAPI(p sbi.Peer) *AUSFUEAU.APIClient {
	c, err := sbi.NewAUSFUEAuthenticationClient(p)
	Expect(err).NotTo(HaveOccurred())
	return c
}

func uecmAPI(p sbi.Peer) *UEContextManagement.APIClient {
	c, err := sbi.NewUDMUECMClient(p)
	Expect(err).NotTo(HaveOccurred())
	return c
}

func sdmAPI(p sbi.Peer) *SubscriberDataManagement.APIClient {
	c, err := sbi.NewUDMSDMClient(p)
	Expect(err).NotTo(HaveOccurred())
	return c
}

func udmAPI(p sbi.Peer) *UDMUEAU.APIClient {
	c, err := sbi.NewUDMUEAuthenticationClient(p)
	Expect(err).NotTo(HaveOccurred())
	return c
}

// callInto runs c and returns out when the answer decoded into it.
func callInto[T any](c sbi.Call) func(ctx context.Context, p sbi.Peer) (any, error) {
	return func(ctx context.Context, p sbi.Peer) (any, error) {
		out := new(T)
		a, err := c.Do(ctx, p, out)
		if err != nil {
			return nil, err
		}
		if slices.Contains(c.Decoded, a.Status) {
			return out, nil
		}
		return nil, nil
	}
}

func opPairs() []opPair {
	ue := "imsi-001010000000001"
	suci := "suci-0-001-01-0000-1-1-" + strings.Repeat("ab", 40)
	plmn := "00101"
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ev := models.AuthEvent{NfInstanceId: "ausf-1", Success: true, TimeStamp: &now, AuthType: models.UdmUeauAuthType__5_G_AKA, ServingNetworkName: "5G:mnc001.mcc001.3gppnetwork.org"}
	items := []models.PatchItem{{Op: models.PatchOperation_REPLACE, Path: "/sequenceNumber", Value: models.SequenceNumber{Sqn: "000000000021", SqnScheme: models.SqnScheme_NON_TIME_BASED}}}
	reg := models.Amf3GppAccessRegistration{AmfInstanceId: "amf-1", DeregCallbackUri: "http://127.0.0.1/cb", RatType: models.RatType_NR, InitialRegistrationInd: true,
		Guami: &models.Guami{PlmnId: &models.PlmnIdNid{Mcc: "001", Mnc: "01"}, AmfId: "cafe00"}}
	auReq := models.UdmUeauAuthenticationInfoRequest{ServingNetworkName: "5G:mnc001.mcc001.3gppnetwork.org", AusfInstanceId: "ausf-1"}
	auInfo := models.AuthenticationInfo{SupiOrSuci: suci, ServingNetworkName: "5G:mnc001.mcc001.3gppnetwork.org"}
	ctxID := "0123456789abcdef"
	cd := models.ConfirmationData{ResStar: "00112233445566778899aabbccddeeff"}
	plmnID := models.PlmnIdNid{Mcc: "001", Mnc: "01"}
	return []opPair{
		{
			name: "QueryAuthSubsData",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := udrAPI(p).AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: &ue})
				if err != nil {
					return nil, err
				}
				return &r.AuthenticationSubscription, nil
			},
			call:    callInto[models.AuthenticationSubscription](sbi.UDRQueryAuthSubsData(ue)),
			decoded: []int{200},
			sample:  models.AuthenticationSubscription{AuthenticationMethod: models.AuthMethod__5_G_AKA, EncPermanentKey: "00112233445566778899aabbccddeeff", SequenceNumber: &models.SequenceNumber{Sqn: "000000000001"}},
		},
		{
			name: "ModifyAuthenticationSubscription",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := udrAPI(p).AuthenticationSubscriptionDocumentApi.ModifyAuthenticationSubscription(ctx, &DataRepository.ModifyAuthenticationSubscriptionRequest{UeId: &ue, PatchItem: items})
				if err != nil || reflect.ValueOf(r.PatchResult).IsZero() {
					return nil, err
				}
				return &r.PatchResult, nil
			},
			call:    callInto[models.PatchResult](sbi.UDRModifyAuthenticationSubscription(ue, items)),
			decoded: []int{200}, empty: []int{204}, problems: []int{403},
			sample: models.PatchResult{Report: []models.ReportItem{{Path: "/sequenceNumber"}}},
		},
		{
			name: "CreateAuthenticationStatus",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				_, err := udrAPI(p).AuthenticationStatusDocumentApi.CreateAuthenticationStatus(ctx, &DataRepository.CreateAuthenticationStatusRequest{UeId: &ue, AuthEvent: &ev})
				return nil, err
			},
			call:  callInto[struct{}](sbi.UDRCreateAuthenticationStatus(ue, &ev)),
			empty: []int{204},
		},
		{
			name: "QueryAmfContext3gpp",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := udrAPI(p).AMF3GPPAccessRegistrationDocumentApi.QueryAmfContext3gpp(ctx, &DataRepository.QueryAmfContext3gppRequest{UeId: &ue})
				if err != nil {
					return nil, err
				}
				return &r.Amf3GppAccessRegistration, nil
			},
			call:    callInto[models.Amf3GppAccessRegistration](sbi.UDRQueryAmfContext3gpp(ue)),
			decoded: []int{200},
			sample:  reg,
		},
		{
			name: "CreateAmfContext3gpp",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := udrAPI(p).AMF3GPPAccessRegistrationDocumentApi.CreateAmfContext3gpp(ctx, &DataRepository.CreateAmfContext3gppRequest{UeId: &ue, Amf3GppAccessRegistration: &reg})
				if err != nil || r.Location == "" && reflect.ValueOf(r.Amf3GppAccessRegistration).IsZero() {
					return nil, err
				}
				return &r.Amf3GppAccessRegistration, nil
			},
			call:    callInto[models.Amf3GppAccessRegistration](sbi.UDRCreateAmfContext3gpp(ue, &reg)),
			decoded: []int{201}, empty: []int{204},
			sample: reg,
		},
		{
			name: "QueryAmData",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := udrAPI(p).AccessAndMobilitySubscriptionDataDocumentApi.QueryAmData(ctx, &DataRepository.QueryAmDataRequest{UeId: &ue, ServingPlmnId: &plmn})
				if err != nil {
					return nil, err
				}
				return &r.AccessAndMobilitySubscriptionData, nil
			},
			call:    callInto[models.AccessAndMobilitySubscriptionData](sbi.UDRQueryAmData(ue, plmn)),
			decoded: []int{200},
			sample:  models.AccessAndMobilitySubscriptionData{Gpsis: []string{"msisdn-0900000000"}, SubscribedUeAmbr: &models.AmbrRm{Uplink: "1 Gbps", Downlink: "2 Gbps"}},
		},
		{
			name: "GenerateAuthData",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := udmAPI(p).GenerateAuthDataApi.GenerateAuthData(ctx, &UDMUEAU.GenerateAuthDataRequest{SupiOrSuci: &suci, UdmUeauAuthenticationInfoRequest: &auReq})
				if err != nil {
					return nil, err
				}
				return &r.UdmUeauAuthenticationInfoResult, nil
			},
			call:    callInto[models.UdmUeauAuthenticationInfoResult](sbi.UDMGenerateAuthData(suci, &auReq)),
			decoded: []int{200}, problems: []int{400, 403, 404, 500, 501, 503},
			sample: models.UdmUeauAuthenticationInfoResult{AuthType: models.UdmUeauAuthType__5_G_AKA, Supi: ue, AuthenticationVector: &models.AuthenticationVector{AvType: models.AvType__5_G_HE_AKA, Rand: "00"}},
		},
		{
			name: "ConfirmAuth",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := udmAPI(p).ConfirmAuthApi.ConfirmAuth(ctx, &UDMUEAU.ConfirmAuthRequest{Supi: &ue, AuthEvent: &ev})
				if err != nil {
					return nil, err
				}
				return &r.AuthEvent, nil
			},
			call:    callInto[models.AuthEvent](sbi.UDMConfirmAuth(ue, &ev)),
			decoded: []int{201}, problems: []int{400, 404, 500, 503},
			sample: ev,
		},
		{
			name: "AUSF Authenticate",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := ausfAPI(p).DefaultApi.UeAuthenticationsPost(ctx, &AUSFUEAU.UeAuthenticationsPostRequest{AuthenticationInfo: &auInfo})
				if err != nil {
					return nil, err
				}
				return &r.UeAuthenticationCtx, nil
			},
			call:    callInto[models.UeAuthenticationCtx](sbi.AUSFAuthenticate(&auInfo)),
			decoded: []int{201}, redirects: []int{307, 308}, problems: []int{400, 403, 404, 500, 501},
			sample: models.UeAuthenticationCtx{AuthType: models.AusfUeAuthenticationAuthType__5_G_AKA, Var5gAuthData: map[string]any{"rand": "00"},
				Links: map[string][]models.Link{"5g-aka": {{Href: "http://ausf/x"}}}},
		},
		{
			name: "AUSF 5gAkaConfirmation",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := ausfAPI(p).DefaultApi.UeAuthenticationsAuthCtxId5gAkaConfirmationPut(ctx, &AUSFUEAU.UeAuthenticationsAuthCtxId5gAkaConfirmationPutRequest{AuthCtxId: &ctxID, ConfirmationData: &cd})
				if err != nil {
					return nil, err
				}
				return &r.ConfirmationDataResponse, nil
			},
			call:    callInto[models.ConfirmationDataResponse](sbi.AUSF5gAkaConfirmation(ctxID, &cd)),
			decoded: []int{200}, redirects: []int{307, 308}, problems: []int{400, 500},
			sample: models.ConfirmationDataResponse{AuthResult: models.AusfUeAuthenticationAuthResult_SUCCESS, Supi: ue, Kseaf: "00"},
		},
		{
			name: "AUSF 5gAkaConfirmation without a body",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := ausfAPI(p).DefaultApi.UeAuthenticationsAuthCtxId5gAkaConfirmationPut(ctx, &AUSFUEAU.UeAuthenticationsAuthCtxId5gAkaConfirmationPutRequest{AuthCtxId: &ctxID})
				if err != nil {
					return nil, err
				}
				return &r.ConfirmationDataResponse, nil
			},
			call:    callInto[models.ConfirmationDataResponse](sbi.AUSF5gAkaConfirmation(ctxID, nil)),
			decoded: []int{200},
			sample:  models.ConfirmationDataResponse{AuthResult: models.AusfUeAuthenticationAuthResult_FAILURE},
		},
		{
			name: "UDM UECM Registration",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := uecmAPI(p).AMFRegistrationFor3GPPAccessApi.Call3GppRegistration(ctx, &UEContextManagement.Call3GppRegistrationRequest{UeId: &ue, Amf3GppAccessRegistration: &reg})
				if err != nil || reflect.ValueOf(r.Amf3GppAccessRegistration).IsZero() {
					return nil, err
				}
				return &r.Amf3GppAccessRegistration, nil
			},
			call:    callInto[models.Amf3GppAccessRegistration](sbi.UDMRegisterAMF3GPP(ue, &reg)),
			decoded: []int{201, 200}, empty: []int{204}, problems: []int{400, 403, 404, 500, 503},
			sample: reg,
		},
		{
			name: "UDM SDM Get am-data",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := sdmAPI(p).AccessAndMobilitySubscriptionDataRetrievalApi.GetAmData(ctx, &SubscriberDataManagement.GetAmDataRequest{Supi: &ue, PlmnId: &plmnID})
				if err != nil {
					return nil, err
				}
				return &r.AccessAndMobilitySubscriptionData, nil
			},
			call: func(ctx context.Context, p sbi.Peer) (any, error) {
				c, err := sbi.UDMGetAmData(ue, &plmnID)
				if err != nil {
					return nil, err
				}
				return callInto[models.AccessAndMobilitySubscriptionData](c)(ctx, p)
			},
			decoded: []int{200}, problems: []int{400, 404, 500, 503},
			sample: models.AccessAndMobilitySubscriptionData{Gpsis: []string{"msisdn-0900000000"}},
		},
		{
			name: "UDM SDM Get am-data without a PLMN",
			generated: func(ctx context.Context, p sbi.Peer) (any, error) {
				r, err := sdmAPI(p).AccessAndMobilitySubscriptionDataRetrievalApi.GetAmData(ctx, &SubscriberDataManagement.GetAmDataRequest{Supi: &ue})
				if err != nil {
					return nil, err
				}
				return &r.AccessAndMobilitySubscriptionData, nil
			},
			call: func(ctx context.Context, p sbi.Peer) (any, error) {
				c, err := sbi.UDMGetAmData(ue, nil)
				if err != nil {
					return nil, err
				}
				return callInto[models.AccessAndMobilitySubscriptionData](c)(ctx, p)
			},
			decoded: []int{200},
			sample:  models.AccessAndMobilitySubscriptionData{},
		},
	}
}

// answer is one canned response of the comparison.
type answer struct {
	status      int
	ctype, body string
	err         error
}

func (op opPair) answers() []answer {
	sample := "{}"
	if op.sample != nil {
		b, err := json.Marshal(op.sample)
		Expect(err).NotTo(HaveOccurred())
		sample = string(b)
	}
	pd := `{"title":"Not Found","status":404,"cause":"USER_NOT_FOUND","detail":"x"}`
	as := []answer{
		{status: 418, ctype: sbi.ContentProblem, body: pd},
		{status: 302, ctype: "text/html", body: "<html>"},
		{status: 500, ctype: "", body: ""},
		{err: errors.New("connection refused")},
	}
	for _, s := range op.decoded {
		as = append(as,
			answer{status: s, ctype: sbi.ContentJSON, body: sample},
			answer{status: s, ctype: "application/json; charset=utf-8", body: sample},
			answer{status: s, ctype: "application/vnd.3gpp+json", body: sample},
			answer{status: s, ctype: sbi.ContentJSON, body: "{"},
			answer{status: s, ctype: "text/plain", body: sample})
	}
	for _, s := range op.empty {
		as = append(as, answer{status: s}, answer{status: s, ctype: sbi.ContentJSON, body: "{"})
	}
	rr := `{"cause":"SCP_REDIRECTION","targetScp":"http://scp"}`
	for _, s := range op.redirects {
		as = append(as,
			answer{status: s, ctype: sbi.ContentJSON, body: rr},
			answer{status: s, ctype: sbi.ContentJSON, body: "["},
			answer{status: s, ctype: "text/html", body: rr})
	}
	for _, s := range op.problems {
		as = append(as,
			answer{status: s, ctype: sbi.ContentProblem, body: pd},
			answer{status: s, ctype: sbi.ContentProblem, body: "not json"},
			answer{status: s, ctype: "text/html", body: "<html>"})
	}
	return as
}

// errModel is the ProblemDetails and the RedirectResponse of an error
// model, whatever the model's type (a generated XxxError or a Call's
// ProblemDetails or RedirectResponse).
type errModel struct {
	PD models.ProblemDetails
	RR models.RedirectResponse
}

func modelProblem(m any) (errModel, bool) {
	var out errModel
	switch v := m.(type) {
	case nil:
		return out, false
	case models.ProblemDetails:
		out.PD = v
		return out, true
	case models.RedirectResponse:
		out.RR = v
		return out, true
	}
	if f := reflect.ValueOf(m).FieldByName("ProblemDetails"); f.IsValid() {
		out.PD = f.Interface().(models.ProblemDetails)
	}
	if f := reflect.ValueOf(m).FieldByName("RedirectResponse"); f.IsValid() {
		out.RR = f.Interface().(models.RedirectResponse)
	}
	return out, true
}

var _ = Describe("sbi.Call", func() {
	// Reference: TS 29.500 §5.2 (HTTP/2 request and response of every
	// SBI operation) and TS 29.504 §6.1, TS 29.503 §6.4 (resources). A
	// Call and the operation's generated openapi client send the same
	// request and answer every response alike.
	for _, op := range opPairs() {
		It(op.name+" is sent and answered as the generated client does", func() {
			for _, a := range op.answers() {
				desc := fmt.Sprintf("%s answered %d %q %q (err %v)", op.name, a.status, a.ctype, a.body, a.err)
				gen := &cannedRT{status: a.status, ctype: a.ctype, body: a.body, err: a.err, location: "http://udr/x"}
				lean := &cannedRT{status: a.status, ctype: a.ctype, body: a.body, err: a.err, location: "http://udr/x"}
				peer := func(rt http.RoundTripper) sbi.Peer {
					return sbi.Peer{APIRoot: "http://127.0.0.4:8000/", HTTP: &http.Client{Transport: rt}, UserAgent: "UDM-1"}
				}
				gOut, gErr := op.generated(context.Background(), peer(gen))
				lOut, lErr := op.call(context.Background(), peer(lean))

				Expect(gen.seen).NotTo(BeEmpty(), desc)
				Expect(lean.seen).To(HaveLen(len(gen.seen)), desc)
				for i := range gen.seen {
					Expect(lean.seen[i]).To(Equal(gen.seen[i]), desc)
				}
				if gOut == nil {
					Expect(lOut).To(BeNil(), desc)
				} else {
					Expect(lOut).To(Equal(gOut), desc)
				}
				if gErr == nil {
					Expect(lErr).NotTo(HaveOccurred(), desc)
					continue
				}
				Expect(lErr).To(HaveOccurred(), desc)
				var gOE, lOE openapi.GenericOpenAPIError
				if errors.As(gErr, &gOE) {
					Expect(errors.As(lErr, &lOE)).To(BeTrue(), desc)
					Expect(lOE.ErrorStatus).To(Equal(gOE.ErrorStatus), desc)
					Expect(lOE.RawBody).To(Equal(gOE.RawBody), desc)
					gPD, gHas := modelProblem(gOE.ErrorModel)
					lPD, lHas := modelProblem(lOE.ErrorModel)
					Expect(lHas).To(Equal(gHas), desc)
					Expect(lPD).To(Equal(gPD), desc)
					continue
				}
				Expect(errors.As(lErr, &lOE)).To(BeFalse(), desc)
				Expect(lErr.Error()).To(Equal(gErr.Error()), desc)
			}
		})
	}

	It("needs an HTTP client", func() {
		c := sbi.UDRQueryAuthSubsData("imsi-001010000000001")
		_, err := c.Do(context.Background(), sbi.Peer{APIRoot: "http://127.0.0.1"}, nil)
		Expect(err).To(MatchError(sbi.ErrClientConfig))
	})
})
