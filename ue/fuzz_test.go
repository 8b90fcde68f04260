package ue_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/internal/netsim"
)

// FuzzUEDownlinkNAS feeds arbitrary bytes to the UE's downlink NAS entry
// (ReceiveNAS: security checks, transition table, 5GSM) of a registered UE
// with a PDU session. Invariant: no panic, and the UE keeps answering its
// inspection API.
func FuzzUEDownlinkNAS(f *testing.F) {
	r := rand.NewChaCha8([32]byte{9})
	c, ring, err := netsim.NewCredential(r, ident.SchemeProfileA, "")
	if err != nil {
		f.Fatal(err)
	}
	u, err := ue.New(ue.Config{Credential: &c, GMM: gmmConfig()}, ue.Deps{Rand: r})
	if err != nil {
		f.Fatal(err)
	}
	n := netsim.New(c, ring, r)
	var seen [][]byte
	radio := &scriptRadio{net: n, u: u}
	radio.hook = func(ul []byte) ([][]byte, bool) {
		dls, err := n.Serve(ul)
		if err != nil {
			return nil, true
		}
		seen = append(seen, dls...)
		return dls, true
	}
	u.AttachRadio(radio)
	if res, err := u.Register(context.Background()); err != nil || !res.Accepted {
		f.Fatalf("registration: %v %+v", err, res)
	}
	if s, err := u.EstablishSession(context.Background(), "internet", nasx.SNSSAI{SST: 1}); err != nil || !s.Accepted {
		f.Fatalf("session: %v %+v", err, s)
	}
	for _, s := range seen {
		f.Add(s)
	}
	for _, m := range []nasx.Msg{
		&nasx.IdentityRequest{IdentityType: nasx.IdentitySUCI},
		&nasx.AuthenticationReject{},
		&nasx.RegistrationReject{Cause: nasx.CauseIllegalUE},
		&nasx.DeregistrationRequestUETerminated{AccessType: nasx.Access3GPP, Cause: u8(3)},
		&nasx.DLNASTransport{PayloadContainerType: nasx.PayloadN1SM, Payload: []byte{0x2e, 1, 1, 0xd3, 0x24}, PDUSessionID: 1},
	} {
		plain, err := m.Build()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(plain)
		if p, err := n.Protect(m, nasx.SecHdrIntegrityCiphered); err == nil {
			f.Add(p)
		}
	}
	f.Add([]byte{})
	f.Add([]byte{0x7e, 0x03, 0, 0, 0, 0, 0, 0x7e, 0x00, 0x5d})
	f.Fuzz(func(t *testing.T, pdu []byte) {
		u.ReceiveNAS(pdu)
		_ = u.State()
		_ = u.Sessions()
	})
}
