package blocks

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// RegistrationStormArgs are the arguments of registration_storm.
type RegistrationStormArgs struct {
	// FromTap is the save name of a tap on n2 that saw an INITIAL UE
	// MESSAGE of the gNB: its addresses and user location are reused.
	FromTap scenarios.Ref `yaml:"from_tap"`
	// Count is the number of registrations (default 100).
	Count int `yaml:"count"`
	// MCC and MNC of the made-up identities (default 001/01).
	MCC string `yaml:"mcc"`
	MNC string `yaml:"mnc"`
	// Within bounds the wait for the network to answer every registration
	// (default 10s on the environment's clock); the step fails when some
	// go unanswered.
	Within time.Duration `yaml:"within"`
}

// Validate fills defaults.
func (a *RegistrationStormArgs) Validate() error {
	if a.FromTap == "" {
		return fmt.Errorf("from_tap is required (a tap on n2 that saw an InitialUEMessage)")
	}
	if a.Count == 0 {
		a.Count = 100
	}
	if a.Count < 1 || a.Count > 100000 {
		return fmt.Errorf("count %d out of range [1, 100000]", a.Count)
	}
	if a.MCC == "" {
		a.MCC, a.MNC = "001", "01"
	}
	if _, err := ident.NewPLMN(a.MCC, a.MNC); err != nil {
		return err
	}
	if a.Within == 0 {
		a.Within = 10 * time.Second
	}
	if a.Within < 0 {
		return fmt.Errorf("within must not be negative")
	}
	return nil
}

// Ifaces are N1 and N2.
func (a *RegistrationStormArgs) Ifaces() []string { return []string{trace.IfaceN1, trace.IfaceN2} }

// StormResult says what a storm sent and how many of its registrations
// the network answered (a downlink NAS message for the UE context).
type StormResult struct{ Sent, Answered int }

// stormRANBase is the first RAN UE NGAP ID of a storm, far from the ids a
// gNB allocates.
const stormRANBase = 0x00f00000

// RegistrationStorm is a registration storm from the radio side
// (reference/3gpp.md §6.6 S2): Count INITIAL UE MESSAGEs, each a new UE
// context at the gNB's N2 association carrying an initial REGISTRATION
// REQUEST with the null-scheme SUCI of a made-up subscriber of the home
// PLMN (devices the network does not know, e.g. targets whose credential
// was never provisioned). The network must turn each away without
// generating an authentication vector and keep serving real UEs.
func RegistrationStorm() *scenarios.Block {
	return scenarios.NewCapability("registration_storm", AttackSpec(
		"mass initial registrations of made-up subscribers over the gNB's N2 association",
	), func(ctx context.Context, st *scenarios.State, actor string, a *RegistrationStormArgs) (any, error) {
		v, err := st.Value(a.FromTap)
		if err != nil {
			return nil, err
		}
		tap, ok := v.(*Tapped)
		if !ok {
			return nil, fmt.Errorf("%q is not a tap (%T)", a.FromTap, v)
		}
		var tmpl *ngapx.InitialUEMessage
		var orig transport.Packet
		for _, p := range tap.Packets() {
			if p.Kind != transport.N2 {
				continue
			}
			if m, err := ngapx.Parse(p.Payload); err == nil {
				if im, ok := m.(*ngapx.InitialUEMessage); ok {
					tmpl, orig = im, p
					break
				}
			}
		}
		if tmpl == nil {
			return nil, fmt.Errorf("tap %q saw no InitialUEMessage (of %d packets)", a.FromTap, tap.Len())
		}
		rng := st.NewRand()
		res := &StormResult{}
		name := attackerName(actor)
		st.Emit(trace.Event{Kind: trace.KindAttack, Actor: name, Iface: trace.IfaceN2, Name: "registration_storm",
			Detail: fmt.Sprintf("%d initial registrations of made-up subscribers of %s%s", a.Count, a.MCC, a.MNC)})
		// Count the network's answers (downlink NAS for the storm's UE
		// contexts); the last one is announced in the trace.
		var mu sync.Mutex
		answered := map[uint32]bool{}
		const allAnswered = "every storm registration answered"
		h := Install(st, "registration_storm", NewReporter(st, trace.KindAttack, actor, "registration_storm"), func(p transport.Packet) []transport.Packet {
			if v, ok := ViewN2(p); ok && v.NGAP == "DownlinkNASTransport" && v.IDs.HasRAN &&
				v.IDs.RAN >= stormRANBase && v.IDs.RAN < stormRANBase+uint32(a.Count) {
				mu.Lock()
				fresh := !answered[v.IDs.RAN]
				answered[v.IDs.RAN] = true
				all := fresh && len(answered) == a.Count
				mu.Unlock()
				if all {
					st.Emit(trace.Event{Kind: trace.KindAttack, Actor: name, Iface: trace.IfaceN2, Name: "registration_storm", Detail: allAnswered})
				}
			}
			return []transport.Packet{p}
		})
		defer h.Stop()
		since := st.LastSeq()
		for i := range a.Count {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			supi, err := ident.ParseSUPI(fmt.Sprintf("imsi-%s%s%0*d", a.MCC, a.MNC, 15-len(a.MCC)-len(a.MNC), rng.Uint64N(1e9)))
			if err != nil {
				return res, err
			}
			s, err := suci.Conceal(supi, suci.Params{Scheme: ident.SchemeNull, MNCLength: len(a.MNC)}, nil)
			if err != nil {
				return res, err
			}
			mi, err := s.MarshalNAS()
			if err != nil {
				return res, err
			}
			nas, err := (&nasx.RegistrationRequest{RegistrationType: nasx.RegistrationInitial, NgKSI: nasx.NgKSI{KSI: nasx.KSINoKey},
				MobileIdentity: mi, UESecurityCapability: nasx.NewUESecurityCapability(0xf0, 0xf0)}).Build()
			if err != nil {
				return res, err
			}
			b, err := (&ngapx.InitialUEMessage{RANUENGAPID: stormRANBase + uint32(i), NASPDU: nas, Location: tmpl.Location,
				RRCEstablishmentCause: tmpl.RRCEstablishmentCause}).Build()
			if err != nil {
				return res, err
			}
			p := transport.Packet{Kind: transport.N2, From: orig.From, To: orig.To, Stream: 1 + uint16(i%8), Payload: b}
			if err := st.Inject(ctx, p); err != nil {
				return res, fmt.Errorf("storm registration %d: %w", i+1, err)
			}
			res.Sent++
		}
		_, err = st.WaitFor(ctx, func(e trace.Event) bool {
			return e.Kind == trace.KindAttack && e.Name == "registration_storm" && e.Detail == allAnswered
		}, since, a.Within)
		mu.Lock()
		res.Answered = len(answered)
		mu.Unlock()
		if err != nil {
			return res, fmt.Errorf("%d of %d storm registrations answered: %w", res.Answered, res.Sent, err)
		}
		return res, nil
	})
}
