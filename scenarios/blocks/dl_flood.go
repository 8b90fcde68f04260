package blocks

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/dlink"
)

// DLFloodArgs are the arguments of dl_flood.
type DLFloodArgs struct {
	// Target is the target device flooded.
	Target scenarios.ActorRef `yaml:"target"`
	// Attempts is the number of well-formed handshake starts for the
	// target's published bootstrap key (an attacker who saw the QR code;
	// default 20).
	Attempts int `yaml:"attempts"`
	// Guesses is the number of handshake starts for guessed bootstrap keys
	// (an attacker who did not; default 0).
	Guesses int `yaml:"guesses"`
}

// Validate fills the default and bounds the counts.
func (a *DLFloodArgs) Validate() error {
	if a.Target == "" {
		return fmt.Errorf("target is required (the target device to flood)")
	}
	if a.Attempts == 0 && a.Guesses == 0 {
		a.Attempts = 20
	}
	if a.Attempts < 0 || a.Guesses < 0 || a.Attempts+a.Guesses > 2000 {
		return fmt.Errorf("attempts and guesses must be in [0, 2000] together")
	}
	return nil
}

// Ifaces is the direct link.
func (a *DLFloodArgs) Ifaces() []string { return []string{trace.IfaceDL} }

// Flooded reports what dl_flood sent.
type Flooded struct {
	Attempts, Guesses int
}

// floodPort is the source port of the flood (the attacker has no
// direct-link endpoint of its own; the target's answers go nowhere).
const floodPort = 1

// DLFlood is the handshake flood and bootstrap brute force on a target
// device (reference/3gpp.md §6.1 D10, §6.6 S3): it sends the target many
// fresh AuthRequests (each with a new ephemeral key and nonce, so none is a
// retransmission the target could answer from its cache) from one source,
// `attempts` for the published bootstrap key and `guesses` for random
// ones, all at one instant of the run's clock, then lets the target
// process them. What the target spends on them shows in the trace (ECDH
// key derivations, rejects, drops).
func DLFlood() *scenarios.Block {
	return scenarios.NewCapability("dl_flood", AttackSpec(
		"flood a target device with fresh direct-link AuthRequests (for its published key, or guessed keys)",
	), func(ctx context.Context, st *scenarios.State, actor string, a *DLFloodArgs) (any, error) {
		td, err := TDOf(st, string(a.Target))
		if err != nil {
			return nil, err
		}
		bs := td.Bootstrap()
		to := td.DirectLinkAddr()
		from := netip.AddrPortFrom(to.Addr(), floodPort)
		rnd := newSeededReader(st)
		mtu := dlMedium(st).MTU
		now := st.Env().Clock().Now()
		rep := NewReporter(st, trace.KindAttack, actor, "dl_flood")
		var seq uint8
		send := func(target credential.Bootstrap) error {
			frame, err := floodRequest(rnd, target, now)
			if err != nil {
				return err
			}
			seq++
			frags, err := dlink.Fragment(frame, mtu, seq)
			if err != nil {
				return err
			}
			for _, f := range frags {
				p := transport.Packet{Kind: transport.DL, From: from, To: to, Payload: f}
				rep.Act(p, "AuthRequest")
				if err := st.Inject(ctx, p); err != nil {
					return err
				}
			}
			return nil
		}
		for range a.Attempts {
			if err := send(bs); err != nil {
				return nil, fmt.Errorf("dl_flood: %w", err)
			}
		}
		for range a.Guesses {
			k, err := credential.GenerateKey(rnd)
			if err != nil {
				return nil, err
			}
			if err := send(credential.Bootstrap{DeviceID: bs.DeviceID, Key: k.PublicKey()}); err != nil {
				return nil, fmt.Errorf("dl_flood: %w", err)
			}
		}
		rep.Note(fmt.Sprintf("sent %d AuthRequests for the published key and %d for guessed keys", a.Attempts, a.Guesses))
		if err := st.Settle(ctx); err != nil {
			return nil, err
		}
		return Flooded{Attempts: a.Attempts, Guesses: a.Guesses}, nil
	})
}

// floodRequest returns a fresh AuthRequest for target from a throwaway
// initiator (its sealed credential is never sent).
func floodRequest(rnd io.Reader, target credential.Bootstrap, now time.Time) ([]byte, error) {
	dummy := make([]byte, credential.SealOverhead+1)
	ini, err := dlink.NewInitiator(dlink.InitiatorConfig{Variant: dlink.Secure, Target: target, Sealed: dummy,
		Binding: credential.Binding{TargetID: target.DeviceID, PDID: "attacker", Counter: 1, Expiry: now.Add(time.Hour)}},
		dlink.Deps{Rand: rnd})
	if err != nil {
		return nil, err
	}
	out := ini.Start()
	if len(out.Frames) != 1 {
		return nil, fmt.Errorf("initiator produced no AuthRequest")
	}
	return out.Frames[0], nil
}
