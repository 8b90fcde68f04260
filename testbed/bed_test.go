package testbed_test

import (
	"context"
	"testing"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/testbed"
)

func TestBedStartsAndStops(t *testing.T) {
	subs, err := subscriber.Generate(3, 1, subscriber.GenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"mem", "net"} {
		b, err := testbed.New(context.Background(), testbed.Topology{Mode: mode, Subscribers: subs})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if err := b.Close(); err != nil {
			t.Fatalf("%s close: %v", mode, err)
		}
	}
}

func TestRegisterOneUE(t *testing.T) {
	subs, err := subscriber.Generate(2, 1, subscriber.GenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"mem", "net"} {
		b, err := testbed.New(context.Background(), testbed.Topology{Mode: mode, Subscribers: subs})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		u, err := b.NewUE(subs[0])
		if err != nil {
			t.Fatal(err)
		}
		res, err := u.Register(context.Background())
		if err != nil || !res.Accepted {
			t.Fatalf("%s: %v %+v", mode, err, res)
		}
		s, err := u.EstablishSession(context.Background(), "internet", nasx.SNSSAI{SST: 1})
		t.Logf("%s session: %+v err=%v", mode, s, err)
		b.Close()
	}
}
