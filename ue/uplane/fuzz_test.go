package uplane_test

import (
	"context"
	"net/netip"
	"testing"

	gtpie "github.com/wmnsk/go-gtp/gtpv1/ie"
	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"

	"github.com/credbed/credbed/ue/uplane"
)

type nopSender struct{}

func (nopSender) Send(context.Context, netip.AddrPort, []byte) error { return nil }

// FuzzUplaneN3 feeds arbitrary GTP-U to the RAN side. Invariant: no panic.
func FuzzUplaneN3(f *testing.F) {
	inner := make([]byte, 28)
	inner[0], inner[3], inner[9] = 0x45, 28, 17
	copy(inner[16:20], ue.AsSlice())
	for _, b := range [][]byte{
		must(gtpmsg.NewTPDU(dlTEID, inner).Marshal()),
		must(gtpmsg.NewTPDUWithExtentionHeader(dlTEID, inner,
			gtpmsg.NewExtensionHeader(gtpmsg.ExtHeaderTypePDUSessionContainer, []byte{0, qfi}, 0)).Marshal()),
		must(gtpmsg.NewEchoRequest(1).Marshal()),
		must(gtpmsg.NewErrorIndication(0, 0, gtpie.NewTEIDDataI(ulTEID), gtpie.NewGSNAddress("127.0.0.8")).Marshal()),
		{0x34, 0xff, 0, 8, 0, 0, 1, 0, 0, 0, 0, 0x85, 0, 0, 0, 0},
		{},
	} {
		f.Add(b)
	}
	p, err := uplane.New(uplane.Config{}, uplane.Deps{N3: nopSender{}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = p.Close() })
	if err := p.AddSession(ue, ulTEID, upfN3, dlTEID, qfi); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p.HandleN3(upfN3, b)
	})
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
