package gsm_test

import (
	"testing"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/nf/smf/gsm"
)

func fuzzSeeds(f *testing.F) {
	for _, m := range []nasx.GSMMsg{
		&nasx.PDUSessionEstablishmentRequest{GSMHeader: nasx.GSMHeader{PDUSessionID: 5, PTI: 1}, PDUSessionType: 1, SSCMode: 1},
		&nasx.PDUSessionReleaseRequest{GSMHeader: nasx.GSMHeader{PDUSessionID: 5, PTI: 2}},
		&nasx.PDUSessionReleaseComplete{GSMHeader: nasx.GSMHeader{PDUSessionID: 5, PTI: 2}},
		&nasx.Status5GSM{GSMHeader: nasx.GSMHeader{PDUSessionID: 5, PTI: 2}, Cause: 98},
	} {
		b, err := m.Build()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{nasx.EPD5GSM, 5, 1, byte(nasx.MsgPDUSessionModificationRequest)})
	f.Add([]byte{nasx.EPD5GMM, 0, 0x41})
	f.Add([]byte{})
}

// FuzzClassifyN1: any N1 SM bytes give an event, and an Active session
// handles it without panicking and with a reply.
func FuzzClassifyN1(f *testing.F) {
	fuzzSeeds(f)
	m := gsm.NewMachine(gsm.Policy{})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev := gsm.ClassifyN1(b)
		if ev == nil {
			t.Fatal("nil event")
		}
		c := gsm.Context{State: gsm.Active, PDUSessionID: 5, UPSEID: 1}
		o := m.Handle(&c, ev)
		if _, ok := o.Reply(); !ok && len(o.Actions) == 0 {
			t.Fatalf("no reply and no action for %v", ev.Kind())
		}
		if o.Rule == 0 {
			t.Fatal("unclassified")
		}
	})
}

// FuzzEstablishment: any N1 bytes in a create lead to a reply or a
// subscription query, never a panic.
func FuzzEstablishment(f *testing.F) {
	fuzzSeeds(f)
	m := gsm.NewMachine(gsm.Policy{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var c gsm.Context
		o := m.Handle(&c, gsm.NewEstablishmentRequest(5, "internet", nasx.SNSSAI{SST: 1}, true, true, b))
		_, reply := o.Reply()
		if !reply && c.State != gsm.Authorizing {
			t.Fatalf("state %v without a reply", c.State)
		}
		if reply && c.State != gsm.Released {
			t.Fatalf("rejected but state %v", c.State)
		}
	})
}
