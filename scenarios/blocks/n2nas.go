package blocks

import (
	"fmt"
	"strings"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/transport"
)

// N2View is what an N2 packet shows without keys: its NGAP message, the UE
// NGAP IDs and the NAS-PDU it carries (if any) with its header.
type N2View struct {
	NGAP   string // "InitialUEMessage", "DownlinkNASTransport"...
	IDs    ngapx.UEIDs
	NAS    []byte
	Header nasx.Header
	HasNAS bool
}

// NASName is the NAS message type name, "" when none or ciphered.
func (v N2View) NASName() string {
	if !v.HasNAS || !v.Header.MessageTypeKnown {
		return ""
	}
	return v.Header.MessageType.String()
}

// ViewN2 parses an N2 packet's NGAP (and peeks at its NAS-PDU).
func ViewN2(p transport.Packet) (N2View, bool) {
	if p.Kind != transport.N2 {
		return N2View{}, false
	}
	m, err := ngapx.Parse(p.Payload)
	if err != nil {
		return N2View{}, false
	}
	v := N2View{NGAP: strings.TrimPrefix(fmt.Sprintf("%T", m), "*ngapx.")}
	if ua, ok := m.(ngapx.UEAssociated); ok {
		v.IDs = ua.UEIDs()
	}
	switch x := m.(type) {
	case *ngapx.InitialUEMessage:
		v.NAS = x.NASPDU
	case *ngapx.UplinkNASTransport:
		v.NAS = x.NASPDU
	case *ngapx.DownlinkNASTransport:
		v.NAS = x.NASPDU
	case *ngapx.InitialContextSetupRequest:
		v.NAS = x.NASPDU
	}
	if len(v.NAS) > 0 {
		if h, err := nasx.PeekHeader(v.NAS); err == nil {
			v.Header, v.HasNAS = h, true
		}
	}
	return v, true
}
