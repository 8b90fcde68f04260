package blocks

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/baseline"
	"github.com/credbed/credbed/scenarios/profile/secure"
)

// Flood identity modes.
const (
	FloodOwn    = "own"    // the actor's own credentials, the profile's way
	FloodRotate = "rotate" // a new made-up identity per request
	FloodNone   = "none"   // no credentials
)

// FloodArgs are the arguments of flood.
type FloodArgs struct {
	// Count is the number of provisioning requests (default 60).
	Count int `yaml:"count"`
	// Identity is own, rotate (default) or none.
	Identity string `yaml:"identity"`
}

// Validate fills defaults.
func (a *FloodArgs) Validate() error {
	if a.Count == 0 {
		a.Count = 60
	}
	if a.Count < 1 || a.Count > 10000 {
		return fmt.Errorf("count %d out of range [1, 10000]", a.Count)
	}
	if a.Identity == "" {
		a.Identity = FloodRotate
	}
	switch a.Identity {
	case FloodOwn, FloodRotate, FloodNone:
	default:
		return fmt.Errorf("identity %q: want own, rotate or none", a.Identity)
	}
	return nil
}

// FloodResult counts the answers a flood got.
type FloodResult struct {
	Sent     int
	ByStatus map[int]int // HTTP status -> answers (0: no answer)
	// Limited counts 429 and 503 answers; RetryAfter those that carried a
	// Retry-After.
	Limited, RetryAfter int
}

// Admitted counts the answers that were not rate limited: requests the CPF
// did work for.
func (r *FloodResult) Admitted() int { return r.Sent - r.Limited - r.ByStatus[0] }

func (r *FloodResult) String() string {
	keys := make([]int, 0, len(r.ByStatus))
	for k := range r.ByStatus {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%dx%d", r.ByStatus[k], k))
	}
	return fmt.Sprintf("%d sent (%s), %d admitted, %d rate-limited (%d with Retry-After)",
		r.Sent, strings.Join(parts, " "), r.Admitted(), r.Limited, r.RetryAfter)
}

// Flood is a provisioning API flood (reference/3gpp.md §6.6 S1): the actor
// (a provisioning device with a PDU session) sends Count provisioning
// requests to the CPF back to back, for made-up target devices, with its
// own credentials, with none, or with a new made-up identity each time (to
// slip past per-PD limits: a random A-KID with a MAC it cannot compute in
// the secure format, a random claimed SUPI in the baseline format). It
// speaks the built-in profiles' wire formats. The saved value is the
// *FloodResult; the step fails only when nothing could be sent.
func Flood() *scenarios.Block {
	return scenarios.NewCapability("flood", scenarios.Spec{
		Summary: "provisioning API flood from the actor's PDU session: own, rotating or no identity; counts the answers",
		Actor:   scenarios.ActorRequired, Roles: pdRoles(), Ifaces: []string{trace.IfaceAPI, trace.IfaceN3, trace.IfaceN6},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *FloodArgs) (any, error) {
		p, err := ProfileOf(st)
		if err != nil {
			return nil, err
		}
		if p.Name() != secure.Name && p.Name() != baseline.Name {
			return nil, fmt.Errorf("%w: flood speaks the %s and %s wire formats, not %q",
				scenarios.ErrUnsupported, secure.Name, baseline.Name, p.Name())
		}
		pd, err := PDOf(st, actor)
		if err != nil {
			return nil, err
		}
		rng := st.NewRand()
		var key [32]byte
		for i := range key {
			key[i] = byte(rng.Uint32())
		}
		seed := rand.NewChaCha8(key)
		id, err := credential.NewIdentity(seed, "flood-device")
		if err != nil {
			return nil, err
		}
		bs := id.Bootstrap()
		res := &FloodResult{ByStatus: map[int]int{}}
		st.Emit(trace.Event{Kind: trace.KindAttack, Actor: actor, Iface: trace.IfaceAPI, Name: "flood",
			Detail: fmt.Sprintf("%d provisioning requests, identity %s", a.Count, a.Identity)})
		for i := range a.Count {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			var body []byte
			if p.Name() == secure.Name {
				body, err = provproto.Encode(&provproto.SecureProvisionRequest{BootstrapURI: bs.URI()})
			} else {
				var k, opc provproto.Key
				_, _ = seed.Read(k[:])
				_, _ = seed.Read(opc[:])
				body, err = provproto.Encode(&provproto.BaselineProvisionRequest{DeviceID: bs.DeviceID, K: k, OPc: opc})
			}
			if err != nil {
				return res, err
			}
			status, retry := floodOne(ctx, p.Name(), pd, a.Identity, rng, i, body)
			res.Sent++
			res.ByStatus[status]++
			if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
				res.Limited++
				if retry {
					res.RetryAfter++
				}
			}
		}
		st.Emit(trace.Event{Kind: trace.KindAttack, Actor: actor, Iface: trace.IfaceAPI, Name: "flood", Detail: res.String()})
		if res.ByStatus[0] == res.Sent {
			return res, fmt.Errorf("flood: no request got an answer")
		}
		return res, nil
	})
}

// floodOne sends one request and returns the answer's status (0: none) and
// whether it carried a Retry-After.
func floodOne(ctx context.Context, name string, pd profile.PD, identity string, rng *rand.Rand, i int, body []byte) (int, bool) {
	if name == secure.Name && identity == FloodOwn {
		var rsp provproto.ProvisionResponse
		err := (secure.Client{PD: pd}).Do(ctx, cpf.OpProvision, http.MethodPost, provproto.PathTargets, body, http.StatusCreated, &rsp)
		if err == nil {
			return http.StatusCreated, false
		}
		if r, ok := err.(*profile.RefusedError); ok {
			return r.Problem.Status, r.RetryAfter > 0
		}
		return 0, false
	}
	hdr := map[string]string{}
	switch {
	case identity == FloodNone:
	case name == baseline.Name && identity == FloodOwn:
		hdr[provproto.HeaderPDIdentity] = pd.SUPI()
	case name == baseline.Name:
		hdr[provproto.HeaderPDIdentity] = fmt.Sprintf("imsi-00101%010d", rng.Uint64N(1e10))
	default:
		var mac [provproto.MACSize]byte
		for j := range mac {
			mac[j] = byte(rng.Uint32())
		}
		tid := make([]byte, 32)
		for j := range tid {
			tid[j] = byte(rng.Uint32())
		}
		akid := fmt.Sprintf("0.%s@5gc.mnc001.mcc001.3gppnetwork.org", base64.RawURLEncoding.EncodeToString(tid))
		hdr[provproto.HeaderAuthorization] = provproto.Auth{AKID: akid, Counter: uint64(i) + 1, MAC: mac}.Header()
	}
	ans, err := profile.Send(ctx, pd.HTTPClient(), http.MethodPost, pd.CPF().URL(name)+provproto.PathTargets, body, hdr)
	if err != nil {
		return 0, false
	}
	return ans.Status, ans.Header.Get(provproto.HeaderRetryAfter) != ""
}
