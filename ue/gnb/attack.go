package gnb

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
)

// The methods in this file are ATTACKER CAPABILITIES: they let a scenario use
// a gNB value as a rogue or compromised cell. Every use is traced as
// trace.KindAttack. Production paths of the gNB never call them.

// DeliverDownlinkNAS is an ATTACKER CAPABILITY: it hands pdu to the terminal
// t as if the AMF had sent it through this gNB (a forged or replayed
// downlink NAS message from a rogue cell). t need not be camped on g.
func (g *GNB) DeliverDownlinkNAS(t Terminal, pdu []byte) {
	g.emit(trace.Event{Kind: trace.KindAttack, Iface: trace.IfaceN1, Name: "deliver downlink NAS",
		Detail: fmt.Sprintf("%d octets from rogue cell %s", len(pdu), g.cfg.Name)})
	if t != nil {
		t.ReceiveNAS(append([]byte(nil), pdu...))
	}
}

// SendUplinkNAS is an ATTACKER CAPABILITY: it sends pdu to the AMF as uplink
// NAS of the link l (INITIAL UE MESSAGE under a fresh RAN UE NGAP ID when l
// has no N2 context, else UPLINK NAS TRANSPORT). With a link from
// Connect(nil) this forges a UE that does not exist.
func (g *GNB) SendUplinkNAS(ctx context.Context, l *Link, pdu []byte) error {
	g.emit(trace.Event{Kind: trace.KindAttack, Iface: trace.IfaceN1, Name: "send uplink NAS",
		Detail: fmt.Sprintf("%d octets via %s", len(pdu), g.cfg.Name)})
	if l == nil || l.g != g {
		return fmt.Errorf("gnb: SendUplinkNAS: link of another gNB")
	}
	return l.SendNAS(ctx, pdu)
}

// SendNGAP is an ATTACKER CAPABILITY: it sends raw NGAP bytes (crafted,
// replayed or malformed) to the AMF on the gNB's N2 association.
func (g *GNB) SendNGAP(ctx context.Context, stream uint16, pdu []byte) error {
	g.emit(trace.Event{Kind: trace.KindAttack, Iface: trace.IfaceN2, Name: "send NGAP",
		Detail: fmt.Sprintf("%d octets on stream %d", len(pdu), stream)})
	return g.sendRaw(ctx, stream, pdu)
}
