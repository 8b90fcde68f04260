package ausf_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	AUSFUEAU "github.com/free5gc/openapi/ausf/UEAuthentication"
	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/nrf"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
)

type benchUE struct {
	suci   string
	k, opc []byte
}

// benchBed wires NRF, UDR (mem store), UDM and AUSF on a network of the
// given mode and returns an AMF-side AUSF client and n subscribers with a
// Profile A SUCI each.
func benchBed(b *testing.B, mode string, n int) (*AUSFUEAU.APIClient, []benchUE) {
	b.Helper()
	clk := clock.Real{}
	var nw transport.Network
	if mode == "net" {
		nw = transport.NewNet(transport.NetOptions{})
	} else {
		nw = transport.NewMem(transport.MemOptions{})
	}
	b.Cleanup(func() { _ = nw.Close() })
	at := func(ap netip.AddrPort) netip.AddrPort { return addr(mode, ap) }
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	r, err := nrf.New(nrf.Config{}, nrf.Deps{Clock: clk})
	must(err)
	nrfRoot, _, err := nw.ServeSBI(at(addrNRF), r.Handler())
	must(err)
	u, err := udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{Clock: clk})
	must(err)
	udrRoot, _, err := nw.ServeSBI(at(addrUDR), u.Handler())
	must(err)
	p, err := sbi.Profile(models.NrfNfManagementNfType_UDR, "udr-bench", udrRoot, models.ServiceName_NUDR_DR)
	must(err)
	must(sbi.RegisterNF(context.Background(), nw.SBIClient(at(addrUDR)), nrfRoot, p))
	rng := rand.NewChaCha8([32]byte{1})
	hn, err := suci.GenerateKey(ident.SchemeProfileA, rng)
	must(err)
	d, err := udm.New(udm.Config{Addr: at(addrUDM), HomeNetworkKeys: []udm.HomeNetworkKey{{Scheme: ident.SchemeProfileA, ID: 1, PrivateKey: hex.EncodeToString(hn.Bytes())}}},
		udm.Deps{Clock: clk, Rand: rng, Net: nw, NRF: nrfRoot})
	must(err)
	must(d.Start(context.Background()))
	b.Cleanup(func() { _ = d.Close() })
	a, err := ausf.New(ausf.Config{Addr: at(addrAUSF), ServingNetworks: []string{snn}}, ausf.Deps{Clock: clk, Rand: rng, Net: nw, NRF: nrfRoot})
	must(err)
	must(a.Start(context.Background()))
	b.Cleanup(func() { _ = a.Close() })
	c, err := sbi.NewAUSFUEAuthenticationClient(sbi.Peer{APIRoot: a.APIRoot(), HTTP: nw.SBIClient(at(addrAMF))})
	must(err)

	subs, err := subscriber.Generate(n, 7, subscriber.GenOptions{PLMN: plmnID})
	must(err)
	ues := make([]benchUE, n)
	for i, s := range subs {
		must(u.Provision(context.Background(), s))
		supi, _ := ident.ParseSUPI(s.SUPI)
		sc, err := suci.Conceal(supi, suci.Params{Scheme: ident.SchemeProfileA, HomeNetworkKey: hn.Public(), KeyID: 1, MNCLength: 2}, rng)
		must(err)
		ues[i].suci = sc.String()
		ues[i].k, _ = s.KBytes()
		ues[i].opc, _ = s.OPcBytes()
	}
	return c, ues
}

// oneAuth is one full initiate + confirm round; the UE side (MILENAGE,
// RES*) runs in the driver.
func oneAuth(c *AUSFUEAU.APIClient, ue benchUE) error {
	ctx := context.Background()
	rsp, err := c.DefaultApi.UeAuthenticationsPost(ctx, &AUSFUEAU.UeAuthenticationsPostRequest{
		AuthenticationInfo: &models.AuthenticationInfo{SupiOrSuci: ue.suci, ServingNetworkName: snn}})
	if err != nil {
		return err
	}
	var av models.Av5gAka
	raw, _ := json.Marshal(rsp.UeAuthenticationCtx.Var5gAuthData)
	if err := json.Unmarshal(raw, &av); err != nil {
		return err
	}
	id, _ := ctxIDFromHref(rsp.UeAuthenticationCtx.Links[ausf.Link5gAka][0].Href, "/5g-aka-confirmation")
	rnd, _ := hex.DecodeString(av.Rand)
	autn, _ := hex.DecodeString(av.Autn)
	res, err := aka.CheckAUTN(ue.k, ue.opc, rnd, autn)
	if err != nil {
		return err
	}
	var r16 [16]byte
	copy(r16[:], rnd)
	resStar, err := aka.RESStar(res.CK, res.IK, snn, r16, res.RES[:])
	if err != nil {
		return err
	}
	cd, err := c.DefaultApi.UeAuthenticationsAuthCtxId5gAkaConfirmationPut(ctx, &AUSFUEAU.UeAuthenticationsAuthCtxId5gAkaConfirmationPutRequest{
		AuthCtxId: &id, ConfirmationData: &models.ConfirmationData{ResStar: hex.EncodeToString(resStar[:])}})
	if err != nil {
		return err
	}
	if cd.ConfirmationDataResponse.AuthResult != models.AusfUeAuthenticationAuthResult_SUCCESS {
		return errAuthFailed
	}
	return nil
}

var errAuthFailed = errSynch

func benchAuth(b *testing.B, mode string) {
	c, ues := benchBed(b, mode, 512)
	var next atomic.Uint64
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := oneAuth(c, ues[next.Add(1)%uint64(len(ues))]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "auths/s")
}

// BenchmarkAuthenticationMem measures full 5G AKA rounds (Profile A SUCI)
// at the AUSF, through NRF, UDM and UDR, over transport mem.
func BenchmarkAuthenticationMem(b *testing.B) { benchAuth(b, "mem") }

// BenchmarkAuthenticationNet is the same over loopback h2c sockets.
func BenchmarkAuthenticationNet(b *testing.B) { benchAuth(b, "net") }
