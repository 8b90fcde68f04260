package gmm_test

import (
	"math/rand/v2"
	"testing"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/internal/netsim"
	"github.com/credbed/credbed/ue/usim"
)

// BenchmarkUERegistration measures the UE side of one initial registration:
// SUCI concealment, AUTN check with the SQN array, the 5G key chain (RES*,
// KAUSF, KSEAF, KAMF, NAS keys), SECURITY MODE COMMAND verification and the
// protection of SECURITY MODE COMPLETE and REGISTRATION COMPLETE. The network
// messages are computed once: a fresh USIM accepts the same vector every time.
func BenchmarkUERegistration(b *testing.B) {
	for _, scheme := range []ident.ProtectionScheme{ident.SchemeProfileA, ident.SchemeProfileB, ident.SchemeNull} {
		b.Run(scheme.String(), func(b *testing.B) {
			r := rand.NewChaCha8([32]byte{7})
			c, ring, err := netsim.NewCredential(r, scheme, "")
			if err != nil {
				b.Fatal(err)
			}
			base, err := usim.New(c)
			if err != nil {
				b.Fatal(err)
			}
			cfg := &gmm.Config{RequestedNSSAI: []nasx.SNSSAI{{SST: 1}}}
			if err := cfg.Validate(); err != nil {
				b.Fatal(err)
			}
			n := netsim.New(c, ring, r)
			n.UECaps = cfg.SecurityCapability
			auth, err := n.AuthRequest(netsim.AuthOptions{})
			if err != nil {
				b.Fatal(err)
			}
			smc, err := n.SMC(netsim.SMCOptions{})
			if err != nil {
				b.Fatal(err)
			}
			accept, err := n.Accept()
			if err != nil {
				b.Fatal(err)
			}
			var m gmm.Machine
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sim := *base
				m.Init(cfg, &sim, r)
				if _, err := m.Handle(gmm.Register{}); err != nil {
					b.Fatal(err)
				}
				for _, pdu := range [][]byte{auth, smc, accept} {
					out, err := m.Handle(gmm.Downlink{PDU: pdu})
					if err != nil || len(out.Uplink) != 1 {
						b.Fatalf("step failed: %v %+v", err, out.Events)
					}
				}
				if !m.Registered() {
					b.Fatal("not registered")
				}
			}
		})
	}
}
