package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/testbed"
)

func main() {
	mode := os.Args[1]
	subs, _ := subscriber.Generate(1, 7, subscriber.GenOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := testbed.New(ctx, testbed.Topology{Mode: mode, Subscribers: subs, Seed: 7})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	u, err := b.NewUE(subs[0])
	if err != nil {
		panic(err)
	}
	if _, err := u.Register(ctx); err != nil {
		panic(err)
	}
	s, err := u.EstablishSession(ctx, "internet", nasx.SNSSAI{SST: 1})
	if err != nil || !s.Accepted {
		panic(fmt.Sprint(err, s))
	}
	t0 := time.Now()
	c, err := u.Dial(ctx, "tcp", netip.AddrPortFrom(b.DN.Addr(), 7).String())
	if err != nil {
		panic(err)
	}
	dial := time.Since(t0)
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte("hello"))
	buf := make([]byte, 5)
	_, err = io.ReadFull(c, buf)
	c.Close()
	st := b.UPF.Stats()
	fmt.Printf("%s: dial %v, echo %v (%q, err %v); UPF dl fwd %d buffered %d released %d drops %v\n", mode, dial, time.Since(t0), buf, err,
		st.DownlinkForwarded, 0, 0, st.Drops)
	for _, e := range b.Trace.Events() {
		if e.Actor == "upf" && (e.Kind == "drop" || strings.Contains(e.Name, "buffer") || strings.Contains(e.Name, "Modification")) || strings.Contains(e.Name, "SYN") {
			fmt.Printf("  %s %s %s %s %s %s\n", e.At.Format("15:04:05.000000"), e.Kind, e.Iface, e.Name, e.Cause, e.Detail)
		}
	}
}
