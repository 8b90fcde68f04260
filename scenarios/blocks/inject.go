package blocks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// InjectArgs are the arguments of inject.
type InjectArgs struct {
	// Iface is the link kind (sbi, n2, n3, n4, n6, dl).
	Iface string `yaml:"iface"`
	// From is the claimed sender (default: the step's actor); To the
	// destination. Ports default to the environment's endpoint for the
	// link, else the well-known port.
	From scenarios.Peer `yaml:"from"`
	To   scenarios.Peer `yaml:"to"`
	// Payload is the message (N2/N3/N4/N6/DL) or SBI body; JSON is an SBI
	// body written as YAML (sent as application/json).
	Payload Bytes `yaml:"payload"`
	JSON    any   `yaml:"json"`
	// Stream is the N2 SCTP stream.
	Stream int `yaml:"stream"`
	// SBI request fields.
	Method string            `yaml:"method"`
	Path   string            `yaml:"path"`
	Header map[string]string `yaml:"header"`
	// Times repeats the injection (default 1).
	Times int `yaml:"times"`
}

// Validate checks the arguments.
func (a *InjectArgs) Validate() error {
	k, err := linkKind(a.Iface)
	if err != nil {
		return err
	}
	if a.To == "" {
		return fmt.Errorf("to is required")
	}
	if a.JSON != nil && len(a.Payload) > 0 {
		return fmt.Errorf("payload and json exclude each other")
	}
	if k == transport.SBI {
		if a.Method == "" || !strings.HasPrefix(a.Path, "/") {
			return fmt.Errorf("an SBI injection needs method and a path starting with /")
		}
	} else {
		if a.Method != "" || a.Path != "" || a.Header != nil || a.JSON != nil {
			return fmt.Errorf("method, path, header and json are for iface sbi")
		}
		if len(a.Payload) == 0 {
			return fmt.Errorf("payload is required")
		}
	}
	if a.Stream < 0 || a.Stream > 0xffff {
		return fmt.Errorf("stream out of range")
	}
	if a.Times == 0 {
		a.Times = 1
	}
	if a.Times < 0 || a.Times > 100000 {
		return fmt.Errorf("times %d out of range", a.Times)
	}
	return nil
}

// Ifaces returns the link's interface.
func (a *InjectArgs) Ifaces() []string {
	if k, err := linkKind(a.Iface); err == nil {
		return []string{IfaceOf(k)}
	}
	return nil
}

// Injected reports what inject sent; for SBI, the last response.
type Injected struct {
	Packets int
	Status  int    // SBI response status (0 when none)
	Body    []byte // SBI response body
}

// Inject sends attacker-made packets as if from a sender (spoofing).
func Inject() *scenarios.Block {
	return scenarios.NewCapability("inject", AttackSpec(
		"send an attacker-made packet (bytes, or an SBI request) as if from `from`",
	), func(ctx context.Context, st *scenarios.State, actor string, a *InjectArgs) (any, error) {
		k, _ := linkKind(a.Iface)
		from := a.From
		if from == "" {
			if actor == "" {
				return nil, fmt.Errorf("inject needs from: or an actor")
			}
			from = scenarios.Peer(actor)
		}
		src, err := st.ResolveEndpoint(from, k)
		if err != nil {
			return nil, err
		}
		dst, err := st.ResolveEndpoint(a.To, k)
		if err != nil {
			return nil, err
		}
		p := transport.Packet{Kind: k, From: src, To: dst, Payload: a.Payload, Stream: uint16(a.Stream)}
		if k == transport.SBI {
			p.Method, p.Path, p.Header = a.Method, a.Path, http.Header{}
			for h, v := range a.Header {
				p.Header.Set(h, v)
			}
			if a.JSON != nil {
				body, err := json.Marshal(jsonable(a.JSON))
				if err != nil {
					return nil, fmt.Errorf("json: %w", err)
				}
				p.Payload = body
				if p.Header.Get("Content-Type") == "" {
					p.Header.Set("Content-Type", "application/json")
				}
			}
		}
		rep := NewReporter(st, trace.KindAttack, actor, "inject")
		res := &Injected{}
		for range a.Times {
			rep.Act(p, "injected")
			if si, ok := st.Env().Network().(transport.SBIInjector); ok && k == transport.SBI {
				rsp, err := si.InjectSBI(ctx, p)
				if err != nil {
					return res, fmt.Errorf("injecting %s: %w", Describe(p), err)
				}
				res.Status, res.Body = rsp.Status, rsp.Payload
			} else if err := st.Inject(ctx, p); err != nil {
				return res, fmt.Errorf("injecting %s: %w", Describe(p), err)
			}
			res.Packets++
		}
		return res, nil
	})
}
