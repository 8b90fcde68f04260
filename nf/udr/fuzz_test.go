package udr_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/nf/udr"
)

func checkReply(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code >= 400 {
		if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("error %d with content type %q", w.Code, ct)
		}
		var pd models.ProblemDetails
		if err := json.Unmarshal(w.Body.Bytes(), &pd); err != nil || int(pd.Status) != w.Code || pd.Cause == "" {
			t.Fatalf("error %d without a usable ProblemDetails: %q", w.Code, w.Body.String())
		}
	}
}

func fuzzUDR(t *testing.T) (*udr.NF, subscriber.Subscription) {
	u, err := udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := subscriber.Generate(1, 1, subscriber.GenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Provision(context.Background(), subs[0]); err != nil {
		t.Fatal(err)
	}
	return u, subs[0]
}

func FuzzUDRPatch(f *testing.F) {
	f.Add("application/json-patch+json", []byte(`[{"op":"replace","path":"/sequenceNumber","value":{"sqn":"000000000021"}}]`))
	f.Add("application/json-patch+json", []byte(`[{"op":"replace","path":"/sequenceNumber/sqn","value":"ff"}]`))
	f.Add("application/json-patch+json", []byte(`[{"op":"replace","path":"/sequenceNumber","value":{"sqn":"1","lastIndexes":{"a":1},"indLength":5,"sqnScheme":"GENERAL"}}]`))
	f.Add("application/json-patch+json", []byte(`[{"op":"replace","path":"/encPermanentKey","value":"00"}]`))
	f.Add("application/json-patch+json", []byte(`[{"op":"test","path":"/sequenceNumber","value":null}]`))
	f.Add("application/json-patch+json", []byte(`[{"op":"replace","path":"/sequenceNumber","value":[1,2]}]`))
	f.Add("application/json-patch+json", []byte(`[{"op":"replace","path":"/sequenceNumber","value":{"sqn":7}}]`))
	f.Add("application/json", []byte(`[]`))
	f.Add("application/json-patch+json", []byte(`null`))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		u, sub := fuzzUDR(t)
		ctx := context.Background()
		before, err := u.Get(ctx, sub.SUPI)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("PATCH", udr.PathRoot+"/subscription-data/"+sub.SUPI+"/authentication-data/authentication-subscription", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		w := httptest.NewRecorder()
		u.Handler().ServeHTTP(w, req)
		checkReply(t, w)
		after, err := u.Get(ctx, sub.SUPI)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case w.Code == 204:
			sqn := after.AuthenticationSubscription.SequenceNumber.Sqn
			if len(sqn) != 12 {
				t.Fatalf("accepted patch stored SQN %q", sqn)
			}
			b, a := *before.AuthenticationSubscription, *after.AuthenticationSubscription
			b.SequenceNumber, a.SequenceNumber = nil, nil
			if !reflect.DeepEqual(a, b) {
				t.Fatal("accepted patch changed more than the sequence number")
			}
		case w.Code >= 400:
			if !reflect.DeepEqual(before, after) {
				t.Fatalf("refused patch %d changed stored data", w.Code)
			}
		default:
			t.Fatalf("unexpected status %d", w.Code)
		}
	})
}

func FuzzUDRProvision(f *testing.F) {
	subs, _ := subscriber.Generate(2, 2, subscriber.GenOptions{})
	good, _ := json.Marshal(udr.Data(subs[1], udr.Provisioning{State: udr.StatePending, Owner: "pd"}))
	f.Add(subs[1].SUPI, good)
	f.Add("imsi-001010000000001", []byte(`{"authenticationSubscription":{"authenticationMethod":"5G_AKA"}}`))
	f.Add("x", []byte(`{"authenticationSubscription":null,"smData":[{"singleNssai":{"sst":1}}]}`))
	f.Add("x", []byte(`{"provisioning":{"state":"active","createdAt":"yesterday"}}`))
	f.Add("", []byte(`[`))
	f.Fuzz(func(t *testing.T, ueID string, body []byte) {
		u, sub := fuzzUDR(t)
		ctx := context.Background()
		before, _ := u.Get(ctx, sub.SUPI)
		recs, _ := u.ProvisioningRecords(ctx, "")
		req := httptest.NewRequest("PUT", "/", bytes.NewReader(body))
		req.URL.Path = udr.PathRoot + "/subscription-data/" + ueID
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		u.Handler().ServeHTTP(w, req)
		checkReply(t, w)
		if w.Code >= 400 {
			after, _ := u.Get(ctx, sub.SUPI)
			recsAfter, _ := u.ProvisioningRecords(ctx, "")
			if !reflect.DeepEqual(before, after) || len(recs) != len(recsAfter) {
				t.Fatalf("refused provisioning %d changed stored data", w.Code)
			}
			return
		}
		if w.Code != 201 && w.Code != 204 {
			t.Fatalf("unexpected status %d", w.Code)
		}
		if _, err := u.Get(ctx, ueID); err != nil {
			t.Fatalf("accepted subscription not stored: %v", err)
		}
	})
}
