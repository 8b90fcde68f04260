package testbed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/amf"
	amfgmm "github.com/credbed/credbed/nf/amf/gmm"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/smf"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/ue/gmm"
)

// Invariant names (Violation.Name).
const (
	// InvNASIntegrity: once a UE's (or the AMF's) 5G NAS security context
	// exists, every NAS message it accepts is integrity protected, except
	// the messages TS 24.501 §4.4.4.2 (UE) and §4.4.4.3 (AMF) list.
	InvNASIntegrity = "nas-integrity-after-security-mode"
	// InvKSEAFAfterRES: the AUSF derives KSEAF only after a RES* that
	// matched XRES* (its result confirmation with success=true, TS 33.501
	// §6.1.3.2 steps 9-12), and the AMF holds a KSEAF only after the AUSF
	// derived one for that SUPI.
	InvKSEAFAfterRES = "kseaf-after-successful-res-star"
	// InvSessionAuthenticated: the SMF creates a PDU session only for a
	// SUPI that the AMF authenticated and holds registered (TS 23.502
	// §4.3.2.2.1, TS 33.501 §6.1.1).
	InvSessionAuthenticated = "session-needs-authenticated-supi"
	// InvNoCredentialAfterDeprovisioning: after the UDR removed the
	// subscription of a SUPI, no vector, KAUSF, KSEAF, NAS key or
	// REGISTRATION ACCEPT exists for it until it is provisioned again
	// (TR 33.899 KI #12.2 R3), and the UDR no longer holds it.
	InvNoCredentialAfterDeprovisioning = "no-credential-after-deprovisioning"
	// InvTraceComplete: the invariants need every event; a bed without a
	// trace, or whose recorder hit its limit, cannot be checked.
	InvTraceComplete = "trace-complete"
)

// Violation is one broken invariant: its name and what broke, with the
// sequence numbers of the trace events involved.
type Violation struct {
	Name   string `json:"name"`
	Detail string `json:"detail"`
}

func (v Violation) String() string { return v.Name + ": " + v.Detail }

// TraceCheck is one invariant evaluated on a trace alone.
type TraceCheck struct {
	Name string
	// Ref is the clause the invariant comes from.
	Ref string
	// Check returns the violations found in events (emission order).
	Check func(events []trace.Event) []Violation
}

// TraceChecks returns the trace invariants in a fixed order. They read the
// events the NFs and UEs of a bed emit under their default actor names
// ("amf", "ausf", "udm", "udr", "smf"; UEs are the actors that exchange N1
// messages with peer "amf").
func TraceChecks() []TraceCheck {
	return []TraceCheck{
		{InvNASIntegrity, "TS 24.501 §4.4.4.2, §4.4.4.3; TS 33.501 §6.4.3", checkNASIntegrity},
		{InvKSEAFAfterRES, "TS 33.501 §6.1.3.2", checkKSEAF},
		{InvSessionAuthenticated, "TS 23.502 §4.3.2.2.1; TS 33.501 §6.1.1", checkSessions},
		{InvNoCredentialAfterDeprovisioning, "TR 33.899 KI #12.2 R3; TS 23.502 §4.2.2.3.3", checkDeprovisioned},
	}
}

// CheckTrace runs every trace invariant over events (in emission order).
func CheckTrace(events []trace.Event) []Violation {
	var out []Violation
	for _, c := range TraceChecks() {
		out = append(out, c.Check(events)...)
	}
	return out
}

// CheckInvariants evaluates the invariants on the bed's trace and state: the
// trace checks (TraceChecks) and, while the bed runs, that the UDR no longer
// holds a subscription the trace shows removed. An empty result means every
// invariant holds. A bed without a complete trace is itself a violation:
// nothing could be checked.
func (b *Bed) CheckInvariants() []Violation {
	if b.Topo.NoTrace {
		return []Violation{{InvTraceComplete, "the bed runs with NoTrace: no invariant can be evaluated"}}
	}
	var out []Violation
	if n := b.Trace.Dropped(); n > 0 {
		out = append(out, Violation{InvTraceComplete,
			fmt.Sprintf("%d events beyond the trace limit %d were not kept: the invariants saw part of the run", n, b.Topo.TraceLimit)})
	}
	events := b.Trace.Events()
	out = append(out, CheckTrace(events)...)
	if !b.closed {
		out = append(out, b.checkRemovedState(events)...)
	}
	return out
}

// checkRemovedState asks the UDR for every SUPI whose last provisioning
// event in the trace is a removal: the subscription must be gone.
func (b *Bed) checkRemovedState(events []trace.Event) []Violation {
	removed := map[string]uint64{}
	for _, e := range events {
		if e.Actor != actorUDR || e.Kind != trace.KindState || e.SUPI == "" {
			continue
		}
		switch {
		case removal(e):
			removed[e.SUPI] = e.Seq
		case provisioning(e):
			delete(removed, e.SUPI)
		}
	}
	var out []Violation
	for supi, seq := range removed {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := b.UDR.Get(ctx, supi)
		cancel()
		switch {
		case err == nil:
			out = append(out, Violation{InvNoCredentialAfterDeprovisioning,
				fmt.Sprintf("the UDR still holds the subscription of %s removed at seq %d", supi, seq)})
		case errors.Is(err, udr.ErrNotFound):
		default:
			out = append(out, Violation{InvNoCredentialAfterDeprovisioning,
				fmt.Sprintf("cannot read the UDR for %s (removed at seq %d): %v", supi, seq, err)})
		}
	}
	return out
}

// Actor names of the bed's NFs in trace events.
const (
	actorAMF  = amf.DefaultName
	actorAUSF = ausf.DefaultName
	actorUDM  = udm.DefaultName
	actorUDR  = udr.DefaultName
	actorSMF  = smf.DefaultName
)

// Trace vocabulary shared by the NFs (see nf/amf/gmm, ue/gmm, nf/udr).
const (
	noteSecurityActivated = gmm.NoteSecurityActivated // UE (and AMF, amf.NoteSecurityActivated): a new context taken into use
	stateContextDeleted   = amf.StateContextDeleted   // AMF: context and keys gone
	detailSuperseded      = amf.DetailSuperseded      // AMF: an older context of the SUPI deleted
	keyKSEAF              = ausf.KeyKSEAF
)

var (
	stateRegistered   = amfgmm.Registered.String()
	stateWaitComplete = amfgmm.WaitRegistrationComplete.String()
)

// superseded: a CONTEXT-DELETED of an older context of the SUPI.
func superseded(e trace.Event) bool { return strings.Contains(e.Detail, detailSuperseded) }

// Messages the UE processes without integrity protection (TS 24.501
// §4.4.4.2; IDENTITY REQUEST only for the SUCI, REGISTRATION and SERVICE
// REJECT only without #76/#78: the trace does not carry the IEs, so the
// names are allowed).
var ueUnprotectedAllowed = names(nasx.MsgIdentityRequest, nasx.MsgAuthenticationRequest,
	nasx.MsgAuthenticationResult, nasx.MsgAuthenticationReject, nasx.MsgRegistrationReject,
	nasx.MsgDeregistrationAcceptUEOriginating, nasx.MsgServiceReject)

// Messages the AMF processes without a successful integrity check (TS
// 24.501 §4.4.4.3).
var amfUnprotectedAllowed = names(nasx.MsgRegistrationRequest, nasx.MsgIdentityResponse,
	nasx.MsgAuthenticationResponse, nasx.MsgAuthenticationFailure, nasx.MsgSecurityModeReject,
	nasx.MsgDeregistrationRequestUEOriginating, nasx.MsgDeregistrationAcceptUETerminated,
	nasx.MsgServiceRequest)

func names(ts ...nasx.MessageType) map[string]bool {
	m := make(map[string]bool, len(ts))
	for _, t := range ts {
		m[t.String()] = true
	}
	return m
}

// parseUEDownlink reads the Detail "dl sht=<n>" of a NAS message a UE
// accepted.
func parseUEDownlink(d string) (sht int, ok bool) {
	rest, ok := strings.CutPrefix(d, "dl sht=")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// parseAMFUplink reads the Detail "ul sht=<n> verified=<bool>"
// (amfgmm.DetailUplink) of a NAS message the AMF decoded.
func parseAMFUplink(d string) (sht int, verified, ok bool) {
	n, err := fmt.Sscanf(d, amfgmm.DetailUplink, &sht, &verified)
	return sht, verified, err == nil && n == 2
}

func isUEMessage(e trace.Event) bool {
	return e.Kind == trace.KindMessage && e.Iface == trace.IfaceN1 && e.Peer == gmm.PeerAMF && e.Actor != actorAMF
}

// checkNASIntegrity: per UE actor, after its "NAS security activated" and
// until its context goes (USIM invalid, credential installed), every
// downlink message it accepts has a security header type other than 0
// unless §4.4.4.2 allows it plain. Per SUPI at the AMF, after "NAS security
// activated" and until the context is deleted, every uplink message the AMF
// decoded without a successful integrity check is either on the §4.4.4.3
// list or dropped at once.
func checkNASIntegrity(events []trace.Event) []Violation {
	var out []Violation
	ues := map[string]bool{}
	ueSecured := map[string]uint64{}
	amfSecured := map[string]uint64{}
	pending := map[string]trace.Event{} // SUPI -> unverified uplink message awaiting its drop
	amfAccepted := func(p trace.Event) {
		out = append(out, Violation{InvNASIntegrity, fmt.Sprintf(
			"the AMF processed %s of %s without a successful integrity check (seq %d, %q) after NAS security was activated (seq %d)",
			p.Name, p.SUPI, p.Seq, p.Detail, amfSecured[p.SUPI])})
	}
	for _, e := range events {
		if e.Actor == actorAMF {
			if e.SUPI == "" {
				continue
			}
			if p, ok := pending[e.SUPI]; ok {
				delete(pending, e.SUPI)
				if e.Kind != trace.KindDrop || e.Name != p.Name {
					amfAccepted(p)
				}
			}
			switch {
			case e.Kind == trace.KindNote && e.Name == amf.NoteSecurityActivated:
				amfSecured[e.SUPI] = e.Seq
			case e.Kind == trace.KindState && e.Name == stateContextDeleted && !superseded(e):
				delete(amfSecured, e.SUPI)
			case e.Kind == trace.KindMessage && e.Iface == trace.IfaceN1:
				_, verified, ok := parseAMFUplink(e.Detail)
				if _, secured := amfSecured[e.SUPI]; ok && secured && !verified && !amfUnprotectedAllowed[e.Name] {
					pending[e.SUPI] = e
				}
			}
			continue
		}
		if isUEMessage(e) || strings.HasPrefix(e.Actor, "ue/") {
			ues[e.Actor] = true
		}
		if !ues[e.Actor] {
			continue
		}
		switch {
		case e.Kind == trace.KindNote && e.Name == noteSecurityActivated:
			ueSecured[e.Actor] = e.Seq
		case e.Kind == trace.KindNote && e.Name == gmm.NoteUSIMInvalid,
			e.Kind == trace.KindKey && e.Name == "K":
			delete(ueSecured, e.Actor)
		case isUEMessage(e):
			sht, ok := parseUEDownlink(e.Detail)
			since, secured := ueSecured[e.Actor]
			if ok && secured && sht == 0 && !ueUnprotectedAllowed[e.Name] {
				out = append(out, Violation{InvNASIntegrity, fmt.Sprintf(
					"%s accepted %s without integrity protection (seq %d) after NAS security was activated (seq %d)",
					e.Actor, e.Name, e.Seq, since)})
			}
		}
	}
	for _, p := range pending {
		amfAccepted(p)
	}
	return out
}

// checkKSEAF pairs every AUSF KSEAF with an earlier successful result
// confirmation (the AUSF confirms success to the UDM only after RES*
// matched XRES*) and every AMF KSEAF with an earlier AUSF KSEAF, per SUPI.
func checkKSEAF(events []trace.Event) []Violation {
	var out []Violation
	confirmed := map[string]int{}
	derived := map[string]int{}
	for _, e := range events {
		switch {
		case e.Actor == actorAUSF && e.Kind == trace.KindRequest && e.Name == ausf.OpUDMAuthEvent && e.Detail == "success=true":
			confirmed[e.SUPI]++
		case e.Actor == actorAUSF && e.Kind == trace.KindReject && e.Name == ausf.OpUDMAuthEvent:
			if confirmed[e.SUPI] > 0 {
				confirmed[e.SUPI]-- // refused by the UDM: no KSEAF follows
			}
		case e.Actor == actorAUSF && e.Kind == trace.KindKey && e.Name == keyKSEAF:
			if confirmed[e.SUPI] == 0 {
				out = append(out, Violation{InvKSEAFAfterRES, fmt.Sprintf(
					"the AUSF derived KSEAF for %q (seq %d) without a successful RES* check before it", e.SUPI, e.Seq)})
				continue
			}
			confirmed[e.SUPI]--
			derived[e.SUPI]++
		case e.Actor == actorAMF && e.Kind == trace.KindKey && e.Name == keyKSEAF:
			if derived[e.SUPI] == 0 {
				out = append(out, Violation{InvKSEAFAfterRES, fmt.Sprintf(
					"the AMF holds a KSEAF for %q (seq %d) that the AUSF did not derive after a successful RES* check", e.SUPI, e.Seq)})
				continue
			}
			derived[e.SUPI]--
		}
	}
	return out
}

// checkSessions: every SM context the SMF created (2xx) belongs to a SUPI
// for which the AMF received a KSEAF and whose AMF context is registered.
func checkSessions(events []trace.Event) []Violation {
	var out []Violation
	state := map[string]string{}
	authenticated := map[string]bool{}
	for _, e := range events {
		switch {
		case e.Actor == actorAMF && e.SUPI != "" && e.Kind == trace.KindState:
			if e.Name == stateContextDeleted && superseded(e) {
				continue // an older context of the SUPI, not the current one
			}
			state[e.SUPI] = e.Name
		case e.Actor == actorAMF && e.SUPI != "" && e.Kind == trace.KindKey && e.Name == keyKSEAF:
			authenticated[e.SUPI] = true
		case e.Actor == actorSMF && e.Kind == trace.KindResponse && e.Name == smf.OpCreateSMContext &&
			e.Status >= 200 && e.Status < 300:
			s := state[e.SUPI]
			switch {
			case e.SUPI == "":
				out = append(out, Violation{InvSessionAuthenticated, fmt.Sprintf(
					"the SMF created an SM context for no SUPI (seq %d)", e.Seq)})
			case !authenticated[e.SUPI]:
				out = append(out, Violation{InvSessionAuthenticated, fmt.Sprintf(
					"the SMF created an SM context for %s (seq %d), which the AMF never authenticated", e.SUPI, e.Seq)})
			case s != stateRegistered && s != stateWaitComplete:
				out = append(out, Violation{InvSessionAuthenticated, fmt.Sprintf(
					"the SMF created an SM context for %s (seq %d) while its AMF context is %q", e.SUPI, e.Seq, orNone(s))})
			}
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

// removal: the UDR deleted a subscription (deprovisioning, or a pending
// credential that expired).
func removal(e trace.Event) bool { return e.Name == "removed" || e.Name == "expired" }

// provisioning: the UDR created or replaced a subscription.
func provisioning(e trace.Event) bool {
	return strings.HasPrefix(e.Detail, "provisioned") || strings.HasPrefix(e.Detail, "replaced")
}

// Keys that make a credential usable in the network.
var credentialKeys = map[string]bool{
	udm.KeyKAUSF: true, udm.KeyCKPrime: true, udm.KeyIKPrime: true, keyKSEAF: true, ausf.KeyKAKMA: true,
	"KAMF": true, "KNASint": true, "KNASenc": true, "KgNB": true,
}

// checkDeprovisioned: after the UDR's removal of SUPI X and before X is
// provisioned again, no network function derives a key for X and nobody
// sends or accepts a REGISTRATION ACCEPT for X.
func checkDeprovisioned(events []trace.Event) []Violation {
	var out []Violation
	removed := map[string]uint64{}
	accept := nasx.MsgRegistrationAccept.String()
	for _, e := range events {
		if e.SUPI == "" {
			continue
		}
		if e.Actor == actorUDR && e.Kind == trace.KindState {
			switch {
			case removal(e):
				removed[e.SUPI] = e.Seq
			case provisioning(e):
				delete(removed, e.SUPI)
			}
			continue
		}
		at, ok := removed[e.SUPI]
		if !ok {
			continue
		}
		network := e.Actor == actorUDM || e.Actor == actorAUSF || e.Actor == actorAMF
		switch {
		case network && e.Kind == trace.KindKey && credentialKeys[e.Name]:
			out = append(out, Violation{InvNoCredentialAfterDeprovisioning, fmt.Sprintf(
				"%s derived %s for %s (seq %d) after the UDR removed the subscription (seq %d)", e.Actor, e.Name, e.SUPI, e.Seq, at)})
		case e.Kind == trace.KindMessage && e.Iface == trace.IfaceN1 && e.Name == accept:
			out = append(out, Violation{InvNoCredentialAfterDeprovisioning, fmt.Sprintf(
				"%s: REGISTRATION ACCEPT for %s (seq %d, %s) after the UDR removed the subscription (seq %d)", e.Actor, e.SUPI, e.Seq, e.Detail, at)})
		}
	}
	return out
}
