package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ErrNotLoopback is returned by Serve for an address outside 127.0.0.0/8
// and ::1.
var ErrNotLoopback = errors.New("metrics: address is not loopback")

// MetricsPath is where Serve exposes the metrics.
const MetricsPath = "/metrics"

// Handler returns the text exposition of the Collector's registry.
func (c *Collector) Handler() http.Handler {
	if c.regErr != nil {
		err := c.regErr
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "metrics: registry: "+err.Error(), http.StatusInternalServerError)
		})
	}
	return promhttp.HandlerFor(c.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Serve listens on addr, a loopback address ("127.0.0.1:9090", "[::1]:0",
// "localhost:0"; port 0 picks one), serves Handler at MetricsPath until ctx
// is done, and returns the address actually bound.
func (c *Collector) Serve(ctx context.Context, addr string) (string, error) {
	if err := checkLoopback(addr); err != nil {
		return "", err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("metrics: listen %s: %w", addr, err)
	}
	if ta, ok := ln.Addr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
		_ = ln.Close()
		return "", fmt.Errorf("%w: %q bound %v", ErrNotLoopback, addr, ln.Addr())
	}
	mux := http.NewServeMux()
	mux.Handle(MetricsPath, c.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return ln.Addr().String(), nil
}

// checkLoopback accepts host:port where host is "localhost" or a loopback IP.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrNotLoopback, addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.Unmap().IsLoopback() {
		return fmt.Errorf("%w: %q", ErrNotLoopback, addr)
	}
	return nil
}
