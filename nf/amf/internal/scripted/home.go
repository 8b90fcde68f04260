package scripted

import (
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/suci"
)

// Subscriber is one subscription of the home network.
type Subscriber struct {
	SUPI ident.SUPI
	K    [16]byte
	OPc  [16]byte
	// SQN is the home network's SQN_HE; the next vector uses NextSQN(SQN).
	SQN aka.SQN
	// NSSAI are the subscribed S-NSSAIs as "SST" or "SST-SD" strings (empty:
	// none named).
	NSSAI []string
}

// Problem is an SBI failure answer (status and ProblemDetails cause).
type Problem struct {
	Status int
	Cause  string
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s", p.Status, p.Cause) }

// AV is what the AUSF gives the SEAF (TS 33.501 §6.1.3.2 step 5).
type AV struct {
	CtxID     string
	RAND      [16]byte
	AUTN      [16]byte
	HXRESStar [16]byte
}

type authCtx struct {
	supi     string
	suci     string
	rand     [16]byte
	xres     [16]byte
	kausf    aka.Key256
	snn      string
	done     bool
	resyncOf string
}

// Home is an in-memory AUSF+UDM: subscriptions, authentication contexts,
// UECM registrations. Safe for concurrent use.
type Home struct {
	mu       sync.Mutex
	rand     io.Reader
	snns     map[string]bool
	subs     map[string]*Subscriber
	ctxs     map[string]*authCtx
	bySUCI   map[string]string // last context id per SUCI/SUPI (resync needs the RAND)
	uecm     map[string]string // SUPI -> deregCallbackUri
	next     int
	vectors  int
	kseafs   int
	failNext *Problem
}

// NewHome returns a home network serving the given serving network names;
// rand supplies RAND values.
func NewHome(rand io.Reader, snns ...string) *Home {
	h := &Home{rand: rand, snns: map[string]bool{}, subs: map[string]*Subscriber{},
		ctxs: map[string]*authCtx{}, bySUCI: map[string]string{}, uecm: map[string]string{}}
	for _, s := range snns {
		h.snns[s] = true
	}
	return h
}

// Add stores a subscription.
func (h *Home) Add(s Subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := s
	h.subs[s.SUPI.String()] = &c
}

// Remove deletes a subscription (deprovisioning).
func (h *Home) Remove(supi string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, supi)
}

// FailNext makes the next Authenticate answer p.
func (h *Home) FailNext(p *Problem) {
	h.mu.Lock()
	h.failNext = p
	h.mu.Unlock()
}

// Vectors returns how many authentication vectors were generated.
func (h *Home) Vectors() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.vectors
}

// KSEAFs returns how many KSEAF were handed out.
func (h *Home) KSEAFs() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.kseafs
}

// SQN returns the subscription's SQN_HE.
func (h *Home) SQN(supi string) aka.SQN {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.subs[supi]; s != nil {
		return s.SQN
	}
	return 0
}

func (h *Home) resolve(supiOrSuci string) (string, *Problem) {
	switch {
	case strings.HasPrefix(supiOrSuci, "imsi-"), strings.HasPrefix(supiOrSuci, "nai-"):
		return supiOrSuci, nil
	case strings.HasPrefix(supiOrSuci, "suci-"):
		s, err := suci.DeconcealString(supiOrSuci, suci.KeyRing{})
		if err != nil {
			return "", &Problem{Status: http.StatusForbidden, Cause: "AUTHENTICATION_REJECTED"}
		}
		return s.String(), nil
	default:
		return "", &Problem{Status: http.StatusBadRequest, Cause: "MANDATORY_IE_INCORRECT"}
	}
}

// Authenticate is Nausf_UEAuthentication_Authenticate with the UDM's
// generate-auth-data behind it. resyncRAND/auts are set for a
// resynchronisation.
func (h *Home) Authenticate(supiOrSuci, snn string, resyncRAND, auts []byte) (AV, *Problem) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.failNext; p != nil {
		h.failNext = nil
		return AV{}, p
	}
	if !h.snns[snn] {
		return AV{}, &Problem{Status: http.StatusForbidden, Cause: "SERVING_NETWORK_NOT_AUTHORIZED"}
	}
	supi, p := h.resolve(supiOrSuci)
	if p != nil {
		return AV{}, p
	}
	sub := h.subs[supi]
	if sub == nil {
		return AV{}, &Problem{Status: http.StatusNotFound, Cause: "USER_NOT_FOUND"}
	}
	if auts != nil {
		prev := h.ctxs[h.bySUCI[supiOrSuci]]
		if prev == nil {
			return AV{}, &Problem{Status: http.StatusForbidden, Cause: "AUTHENTICATION_REJECTED"}
		}
		r := prev.rand[:]
		if resyncRAND != nil {
			r = resyncRAND
		}
		sqnMS, err := aka.CheckAUTS(sub.K[:], sub.OPc[:], r, auts)
		if err != nil {
			return AV{}, &Problem{Status: http.StatusForbidden, Cause: "AUTHENTICATION_REJECTED"}
		}
		sub.SQN = aka.ResyncSQN(sqnMS)
	} else {
		sub.SQN = aka.NextSQN(sub.SQN)
	}
	var rnd [16]byte
	if _, err := io.ReadFull(h.rand, rnd[:]); err != nil {
		return AV{}, &Problem{Status: http.StatusInternalServerError, Cause: "SYSTEM_FAILURE"}
	}
	v, err := aka.GenerateVector(sub.K[:], sub.OPc[:], rnd[:], sub.SQN, aka.AMF5G)
	if err != nil {
		return AV{}, &Problem{Status: http.StatusInternalServerError, Cause: "SYSTEM_FAILURE"}
	}
	he, err := v.HEAV(snn)
	if err != nil {
		return AV{}, &Problem{Status: http.StatusInternalServerError, Cause: "SYSTEM_FAILURE"}
	}
	h.vectors++
	h.next++
	id := fmt.Sprintf("ctx%d", h.next)
	h.ctxs[id] = &authCtx{supi: supi, suci: supiOrSuci, rand: he.RAND, xres: he.XRESStar, kausf: he.KAUSF, snn: snn}
	h.bySUCI[supiOrSuci] = id
	return AV{CtxID: id, RAND: he.RAND, AUTN: he.AUTN, HXRESStar: he.HXRESStar()}, nil
}

// Confirm is the 5g-aka-confirmation: RES* against XRES*, then KSEAF.
func (h *Home) Confirm(ctxID string, resStar []byte) (ok bool, supi string, kseaf aka.Key256, p *Problem) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.ctxs[ctxID]
	if c == nil || c.done {
		return false, "", kseaf, &Problem{Status: http.StatusNotFound, Cause: "CONTEXT_NOT_FOUND"}
	}
	c.done = true
	if len(resStar) != 16 || subtle.ConstantTimeCompare(resStar, c.xres[:]) != 1 {
		return false, "", kseaf, nil
	}
	k, err := aka.KSEAF(c.kausf, c.snn)
	if err != nil {
		return false, "", kseaf, &Problem{Status: http.StatusInternalServerError, Cause: "SYSTEM_FAILURE"}
	}
	h.kseafs++
	return true, c.supi, k, nil
}

// Subscribed reports whether supi has a subscription.
func (h *Home) Subscribed(supi string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subs[supi] != nil
}

// NSSAI returns the subscribed S-NSSAI strings of supi.
func (h *Home) NSSAI(supi string) ([]string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.subs[supi]
	if s == nil {
		return nil, false
	}
	return s.NSSAI, true
}

// RegisterAMF records the UECM registration of supi with its callback.
func (h *Home) RegisterAMF(supi, callback string) *Problem {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[supi] == nil {
		return &Problem{Status: http.StatusNotFound, Cause: "USER_NOT_FOUND"}
	}
	h.uecm[supi] = callback
	return nil
}

// DeregisterAMF forgets the UECM registration.
func (h *Home) DeregisterAMF(supi string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.uecm, supi)
}

// Callback returns the registered deregCallbackUri of supi.
func (h *Home) Callback(supi string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.uecm[supi]
	return c, ok
}
