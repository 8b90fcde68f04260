package testbed_test

import (
	"context"
	"testing"

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
