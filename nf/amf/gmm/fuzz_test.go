package gmm_test

import (
	"testing"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/nf/amf/gmm"
	"github.com/credbed/credbed/nf/amf/internal/scripted"
)

// FuzzAMFNAS feeds arbitrary uplink NAS PDUs to the AMF's NAS entry points:
// the initial message of a fresh context, an uplink message of a context
// waiting for AUTHENTICATION RESPONSE, and of a registered context (both as
// raw bytes and wrapped in a valid security header with the UE's keys, so
// the decoders behind the integrity check are reached). Invariant: no
// panic, every action is one the driver knows, and a context left behind
// is in a valid state.
func FuzzAMFNAS(f *testing.F) {
	tmsi := uint32(0)
	m, err := gmm.NewMachine(gmm.Config{PLMN: ident.PLMN{MCC: "001", MNC: "01"}}, func() uint32 { tmsi++; return tmsi })
	if err != nil {
		f.Fatal(err)
	}
	home := scripted.NewHome(zeroReader{}, "5G:mnc001.mcc001.3gppnetwork.org")
	supi, _ := ident.NewIMSI(ident.PLMN{MCC: "001", MNC: "01"}, "0000000001")
	sub := scripted.Subscriber{SUPI: supi}
	home.Add(sub)
	ue := scripted.NewUE(sub, ident.PLMN{MCC: "001", MNC: "01"})

	// A registered context, built by running a registration.
	var reg gmm.UE
	var waitAuth gmm.UE
	pdu, _ := ue.InitialRegistration()
	seeds := [][]byte{pdu}
	var pending [][]byte
	run := func(acts []gmm.Action) {
		for len(acts) > 0 {
			a := acts[0]
			acts = acts[1:]
			switch a := a.(type) {
			case gmm.AUSFAuthenticate:
				av, p := home.Authenticate(a.SUPIOrSUCI, a.SNN, nil, nil)
				o := gmm.Outcome{Status: 201}
				if p != nil {
					o = gmm.Outcome{Status: p.Status}
				}
				acts = append(acts, m.Handle(&reg, gmm.AUSFAuthResult{Seq: a.Seq, Outcome: o, RAND: av.RAND, AUTN: av.AUTN, HXRESStar: av.HXRESStar, ConfirmURI: av.CtxID})...)
				waitAuth = reg
			case gmm.AUSFConfirm:
				ok, s, k, _ := home.Confirm(a.ConfirmURI, a.RESStar[:])
				acts = append(acts, m.Handle(&reg, gmm.AUSFConfirmResult{Seq: a.Seq, Outcome: gmm.Outcome{Status: 200}, Success: ok, SUPI: s, KSEAF: k})...)
			case gmm.UECMRegister:
				acts = append(acts, m.Handle(&reg, gmm.UECMRegistrationResult{Seq: a.Seq, Outcome: gmm.Outcome{Status: 201}})...)
			case gmm.SDMGetAMData:
				acts = append(acts, m.Handle(&reg, gmm.SDMResult{Seq: a.Seq, Outcome: gmm.Outcome{Status: 200}})...)
			case gmm.SendNAS:
				pending = append(pending, a.PDU)
			case gmm.SendInitialContextSetup:
				pending = append(pending, a.NASPDU)
			}
		}
	}
	run(m.HandleInitialNAS(&reg, pdu, nil))
	for len(pending) > 0 {
		dl := pending[0]
		pending = pending[1:]
		ul, _, err := ue.Respond(dl)
		if err != nil {
			f.Fatal(err)
		}
		if ul != nil {
			seeds = append(seeds, ul)
			run(m.HandleNAS(&reg, ul))
		}
	}
	if reg.State() != gmm.Registered {
		f.Fatalf("setup: state %s", reg.State())
	}
	for _, msg := range []nasx.Msg{
		&nasx.RegistrationComplete{}, &nasx.IdentityResponse{MobileIdentity: []byte{0x01, 0x00, 0xf1, 0x10, 0, 0, 0, 0, 0x10}},
		&nasx.AuthenticationFailure{Cause: 21, AUTS: make([]byte, 14)}, &nasx.SecurityModeReject{Cause: 23},
		&nasx.DeregistrationRequestUEOriginating{AccessType: 1, MobileIdentity: []byte{0xf2, 0, 0xf1, 0x10, 1, 2, 3, 4, 5, 6, 7}},
		&nasx.ULNASTransport{PayloadContainerType: 1, Payload: []byte{0x2e, 1, 1, 0xc1}, PDUSessionID: 1},
		&nasx.Status5GMM{Cause: 98}, &nasx.ServiceRequest{STMSI: []byte{0xf4, 0xfe, 0, 0, 0, 0, 1}},
	} {
		if b, err := msg.Build(); err == nil {
			seeds = append(seeds, b)
		}
	}
	seeds = append(seeds, []byte{}, []byte{0x7e}, []byte{0x7e, 0x02, 1, 2, 3, 4, 5, 0x7e, 0, 0x43}, []byte{0x2e, 1, 1, 0xc1})
	for _, s := range seeds {
		f.Add(s)
	}
	ueSec := ue.Sec
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(u *gmm.UE, acts []gmm.Action) {
			for _, a := range acts {
				if a == nil {
					t.Fatal("nil action")
				}
			}
			if u.State() >= gmm.NumStates {
				t.Fatalf("invalid state %d", u.State())
			}
		}
		var fresh gmm.UE
		check(&fresh, m.HandleInitialNAS(&fresh, data, nil))
		w := waitAuth
		check(&w, m.HandleNAS(&w, data))
		r := reg
		check(&r, m.HandleNAS(&r, data))
		if len(data) > 0 {
			sec := ueSec
			if p, err := sec.ProtectWith(data, nassec.HdrIntegrityCiphered, nassec.Options{RawPayload: true}); err == nil {
				r = reg
				check(&r, m.HandleNAS(&r, p))
			}
		}
	})
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i)
	}
	return len(p), nil
}
