package blocks

import (
	"context"
	"fmt"
	"slices"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// ForgedNAS describes a forged downlink 5GMM message.
type ForgedNAS struct {
	// Message is the forged downlink 5GMM message: registration_reject,
	// authentication_reject, deregistration_request (UE terminated) or raw.
	Message string `yaml:"message"`
	// Cause is the 5GMM cause (reject, deregistration; default 3).
	Cause int `yaml:"cause"`
	// ReRegistrationRequired sets the deregistration's re-registration flag.
	ReRegistrationRequired bool `yaml:"reregistration_required"`
	// Raw is the plain NAS message for message: raw.
	Raw Bytes `yaml:"raw"`
	// FakeMAC wraps the message in an integrity-protected header with a
	// made-up MAC and sequence number (a forger without the NAS keys);
	// otherwise it goes out plain (security header type 0).
	FakeMAC bool `yaml:"fake_mac"`
}

// InjectNASArgs are the arguments of inject_nas.
type InjectNASArgs struct {
	ForgedNAS `yaml:",inline"`
	// FromTap is the save name of a tap on N2 that saw the UE's context:
	// the UE NGAP IDs and the gNB/AMF addresses come from the last
	// UE-associated downlink message it recorded (Index picks another:
	// 0 = first, -1 = last).
	FromTap scenarios.Ref `yaml:"from_tap"`
	Index   *int          `yaml:"index"`
}

func injectNASMessages() []string {
	return []string{"registration_reject", "authentication_reject", "deregistration_request", "raw"}
}

// Validate checks the message and fills the default cause.
func (a *ForgedNAS) Validate() error {
	if !slices.Contains(injectNASMessages(), a.Message) {
		return fmt.Errorf("message %q: want one of %v", a.Message, injectNASMessages())
	}
	if (a.Message == "raw") != (len(a.Raw) > 0) {
		return fmt.Errorf("raw bytes go with message: raw (and only with it)")
	}
	if a.Cause == 0 {
		a.Cause = int(nasx.CauseIllegalUE)
	}
	if a.Cause < 0 || a.Cause > 255 {
		return fmt.Errorf("cause %d out of range", a.Cause)
	}
	return nil
}

// Validate checks the arguments.
func (a *InjectNASArgs) Validate() error {
	if err := a.ForgedNAS.Validate(); err != nil {
		return err
	}
	if a.FromTap == "" {
		return fmt.Errorf("from_tap is required (a tap on n2 that saw the UE's downlink)")
	}
	return nil
}

// Ifaces are N1 inside N2.
func (a *ForgedNAS) Ifaces() []string { return []string{trace.IfaceN1, trace.IfaceN2} }

// Build returns the plain (or fake-MAC protected) NAS-PDU.
func (a *ForgedNAS) Build() ([]byte, error) {
	cause := uint8(a.Cause)
	var plain []byte
	var err error
	switch a.Message {
	case "registration_reject":
		plain, err = (&nasx.RegistrationReject{Cause: cause}).Build()
	case "authentication_reject":
		plain, err = (&nasx.AuthenticationReject{}).Build()
	case "deregistration_request":
		plain, err = (&nasx.DeregistrationRequestUETerminated{ReRegistrationRequired: a.ReRegistrationRequired,
			AccessType: nasx.Access3GPP, Cause: &cause}).Build()
	default:
		plain = append([]byte(nil), a.Raw...)
	}
	if err != nil || !a.FakeMAC {
		return plain, err
	}
	// EPD, security header type 1, MAC, SQN, then the plain message.
	return append([]byte{nasx.EPD5GMM, nasx.SecHdrIntegrity, 0xde, 0xad, 0xbe, 0xef, 0x2a}, plain...), nil
}

// InjectNAS is the fake network (rogue gNB / false base station) sending a
// forged downlink NAS message to a UE through its serving cell: a
// DOWNLINK NAS TRANSPORT for the UE's context, seemingly from the AMF. It
// models reference/3gpp.md §6.3 X3 (forged deregistration) and X4 (spoofed
// reject). The UE must discard what it cannot verify.
func InjectNAS() *scenarios.Block {
	return scenarios.NewCapability("inject_nas", scenarios.Spec{
		Summary: "fake network: send a forged downlink NAS message (reject, deregistration) to a UE via its gNB",
		Roles:   attackerRoles(),
	}, func(ctx context.Context, st *scenarios.State, actor string, a *InjectNASArgs) (any, error) {
		v, err := st.Value(a.FromTap)
		if err != nil {
			return nil, err
		}
		tap, ok := v.(*Tapped)
		if !ok {
			return nil, fmt.Errorf("%q is not a tap (%T)", a.FromTap, v)
		}
		type ctxSeen struct {
			p   transport.Packet
			ids ngapx.UEIDs
		}
		var seen []ctxSeen
		for _, p := range tap.Packets() {
			if view, ok := ViewN2(p); ok && view.IDs.HasAMF && view.IDs.HasRAN &&
				(view.NGAP == "DownlinkNASTransport" || view.NGAP == "InitialContextSetupRequest") {
				seen = append(seen, ctxSeen{p, view.IDs})
			}
		}
		if len(seen) == 0 {
			return nil, fmt.Errorf("tap %q saw no downlink UE context (of %d packets)", a.FromTap, tap.Len())
		}
		i := len(seen) - 1
		if a.Index != nil {
			i = *a.Index
			if i < 0 {
				i += len(seen)
			}
			if i < 0 || i >= len(seen) {
				return nil, fmt.Errorf("index %d out of %d UE contexts seen", *a.Index, len(seen))
			}
		}
		nas, err := a.Build()
		if err != nil {
			return nil, err
		}
		b, err := (&ngapx.DownlinkNASTransport{AMFUENGAPID: seen[i].ids.AMF, RANUENGAPID: seen[i].ids.RAN, NASPDU: nas}).Build()
		if err != nil {
			return nil, err
		}
		orig := seen[i].p
		p := transport.Packet{Kind: transport.N2, From: orig.From, To: orig.To, Stream: orig.Stream, Payload: b}
		st.Emit(trace.Event{Kind: trace.KindAttack, Actor: attackerName(actor), Iface: trace.IfaceN1, Name: "inject_nas",
			Detail: fmt.Sprintf("%s to RAN UE NGAP ID %d", a.describe(), seen[i].ids.RAN)})
		return nil, st.Inject(ctx, p)
	})
}

func (a *ForgedNAS) describe() string {
	how := "plain"
	if a.FakeMAC {
		how = "fake MAC"
	}
	return fmt.Sprintf("forged %s (cause #%d, %s)", a.Message, a.Cause, how)
}

func attackerName(actor string) string {
	if actor == "" {
		return "attacker"
	}
	return actor
}
