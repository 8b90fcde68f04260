package transport_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/transport"
)

func noopHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
}

// echo is what the echo handler saw.
type echo struct {
	Method     string `json:"method"`
	Path       string `json:"path"`
	Query      string `json:"query"`
	ID         string `json:"id"`
	Body       string `json:"body"`
	ProtoMajor int    `json:"protoMajor"`
	Proto      string `json:"proto"`
	RemoteAddr string `json:"remoteAddr"`
	CType      string `json:"ctype"`
}

// echoHandler answers /echo/{id} with what it saw and counts calls.
func echoHandler(calls *atomic.Int64) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo/{id}", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		e := echo{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ID: r.PathValue("id"),
			Body: string(b), ProtoMajor: r.ProtoMajor, Proto: r.Proto, RemoteAddr: r.RemoteAddr,
			CType: r.Header.Get("Content-Type"),
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "/echo/"+e.ID)
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusCreated
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(e)
	})
	mux.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("/abort", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	mux.HandleFunc("/plain", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "hello") })
	return mux
}

func do(c *http.Client, method, url, body string) (*http.Response, echo, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, rd)
	if err != nil {
		return nil, echo{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rsp, err := c.Do(req)
	if err != nil {
		return nil, echo{}, err
	}
	defer rsp.Body.Close()
	var e echo
	b, err := io.ReadAll(rsp.Body)
	if err != nil {
		return rsp, e, err
	}
	if len(b) > 0 && strings.HasPrefix(rsp.Header.Get("Content-Type"), "application/json") {
		err = json.Unmarshal(b, &e)
	}
	return rsp, e, err
}

var _ = Describe("SBI", func() {
	for _, m := range modes {
		Context("in "+m.name+" mode", func() {
			var (
				nw      transport.Network
				apiRoot string
				client  *http.Client
				calls   atomic.Int64
				from    = ap("127.0.0.51:0")
			)

			BeforeEach(func() {
				nw = m.make()
				DeferCleanup(nw.Close)
				calls.Store(0)
				var closer func() error
				var err error
				apiRoot, closer, err = nw.ServeSBI(ap("127.0.0.50:0"), echoHandler(&calls))
				Expect(err).NotTo(HaveOccurred())
				DeferCleanup(closer)
				client = nw.SBIClient(from)
			})

			It("returns the real apiRoot", func() {
				Expect(apiRoot).To(HavePrefix("http://127.0.0.50:"))
				Expect(apiRoot).NotTo(HaveSuffix(":0"))
			})

			// Reference: TS 29.500 §5.2.2 (HTTP/2 shall be used; h2c with
			// prior knowledge when TLS is not used) and §6.1 (methods).
			DescribeTable("carry every method over HTTP/2 to the real handler",
				func(method, body string, status int) {
					rsp, e, err := do(client, method, apiRoot+"/echo/abc?x=1&y=2", body)
					Expect(err).NotTo(HaveOccurred())
					Expect(rsp.StatusCode).To(Equal(status))
					Expect(rsp.ProtoMajor).To(Equal(2))
					Expect(rsp.Header.Get("Location")).To(Equal("/echo/abc"))
					Expect(e.ProtoMajor).To(Equal(2))
					Expect(e.Proto).To(Equal("HTTP/2.0"))
					Expect(e.Method).To(Equal(method))
					Expect(e.ID).To(Equal("abc"))
					Expect(e.Query).To(Equal("x=1&y=2"))
					Expect(e.Body).To(Equal(body))
					ra, err := netip.ParseAddrPort(e.RemoteAddr)
					Expect(err).NotTo(HaveOccurred())
					Expect(ra.Addr()).To(Equal(from.Addr()))
				},
				Entry("GET", http.MethodGet, "", http.StatusOK),
				Entry("POST", http.MethodPost, `{"a":1}`, http.StatusCreated),
				Entry("PUT", http.MethodPut, `{"b":2}`, http.StatusOK),
				Entry("PATCH", http.MethodPatch, `[{"op":"replace","path":"/x","value":1}]`, http.StatusOK),
				Entry("DELETE", http.MethodDelete, "", http.StatusOK),
			)

			It("sniffs a Content-Type the handler did not set, like net/http", func() {
				rsp, _, err := do(client, http.MethodGet, apiRoot+"/plain", "")
				Expect(err).NotTo(HaveOccurred())
				Expect(rsp.Header.Get("Content-Type")).To(HavePrefix("text/plain"))
			})

			It("passes request and response through the chain with socket addresses", func() {
				var seen []transport.Packet
				remove := nw.Chain().Add("obs", func(p transport.Packet) []transport.Packet {
					seen = append(seen, p.Clone())
					return []transport.Packet{p}
				})
				DeferCleanup(remove)
				_, _, err := do(client, http.MethodPost, apiRoot+"/echo/z", `{"k":"v"}`)
				Expect(err).NotTo(HaveOccurred())
				Expect(seen).To(HaveLen(2))
				req, rsp := seen[0], seen[1]
				Expect(req.Kind).To(Equal(transport.SBI))
				Expect(req.Response).To(BeFalse())
				Expect(req.Method).To(Equal(http.MethodPost))
				Expect(req.Path).To(Equal("/echo/z"))
				Expect(string(req.Payload)).To(Equal(`{"k":"v"}`))
				Expect(req.Header.Get("Content-Type")).To(Equal("application/json"))
				Expect(req.To.String()).To(Equal(strings.TrimPrefix(apiRoot, "http://")))
				Expect(req.From.Addr()).To(Equal(from.Addr()))
				if m.name == "net" {
					Expect(req.From.Port()).NotTo(BeZero()) // the real ephemeral port
				}
				Expect(rsp.Response).To(BeTrue())
				Expect(rsp.Status).To(Equal(http.StatusCreated))
				Expect(rsp.From).To(Equal(req.To))
				Expect(rsp.To).To(Equal(req.From))
				Expect(string(rsp.Payload)).To(ContainSubstring(`"id":"z"`))
			})

			It("turns a dropped request into a client error and never calls the handler", func() {
				DeferCleanup(nw.Chain().Add("drop", func(p transport.Packet) []transport.Packet {
					if p.Kind == transport.SBI && !p.Response {
						return nil
					}
					return []transport.Packet{p}
				}))
				_, _, err := do(client, http.MethodGet, apiRoot+"/echo/a", "")
				Expect(err).To(MatchError(transport.ErrDropped))
				Expect(calls.Load()).To(BeZero())
			})

			It("turns a dropped response into a client error after the handler ran", func() {
				DeferCleanup(nw.Chain().Add("drop", func(p transport.Packet) []transport.Packet {
					if p.Response {
						return nil
					}
					return []transport.Packet{p}
				}))
				_, _, err := do(client, http.MethodGet, apiRoot+"/echo/a", "")
				Expect(err).To(MatchError(transport.ErrDropped))
				Expect(calls.Load()).To(Equal(int64(1)))
			})

			It("delivers a modified request and a modified response", func() {
				DeferCleanup(nw.Chain().Add("mod", func(p transport.Packet) []transport.Packet {
					q := p.Clone()
					if !p.Response {
						q.Path = "/echo/forged?f=1"
						q.Payload = []byte(`{"forged":true}`)
					} else {
						q.Status = http.StatusTeapot
						q.Header.Set("X-Attacker", "1")
					}
					return []transport.Packet{q}
				}))
				rsp, e, err := do(client, http.MethodPut, apiRoot+"/echo/real", `{"real":true}`)
				Expect(err).NotTo(HaveOccurred())
				Expect(rsp.StatusCode).To(Equal(http.StatusTeapot))
				Expect(rsp.Header.Get("X-Attacker")).To(Equal("1"))
				Expect(e.ID).To(Equal("forged"))
				Expect(e.Query).To(Equal("f=1"))
				Expect(e.Body).To(Equal(`{"forged":true}`))
			})

			It("serves a duplicated request twice and answers the original", func() {
				DeferCleanup(nw.Chain().Add("dup", func(p transport.Packet) []transport.Packet {
					if p.Response {
						return []transport.Packet{p}
					}
					d := p.Clone()
					d.Injected = true
					return []transport.Packet{p, d}
				}))
				rsp, e, err := do(client, http.MethodPost, apiRoot+"/echo/d", `{}`)
				Expect(err).NotTo(HaveOccurred())
				Expect(rsp.StatusCode).To(Equal(http.StatusCreated))
				Expect(e.ID).To(Equal("d"))
				Expect(calls.Load()).To(Equal(int64(2)))
			})

			It("injects an attacker-made request and returns its response", func() {
				var injected []bool
				DeferCleanup(nw.Chain().Add("obs", func(p transport.Packet) []transport.Packet {
					injected = append(injected, p.Injected)
					return []transport.Packet{p}
				}))
				to, err := netip.ParseAddrPort(strings.TrimPrefix(apiRoot, "http://"))
				Expect(err).NotTo(HaveOccurred())
				p := transport.Packet{
					Kind: transport.SBI, From: ap("127.0.0.66:0"), To: to,
					Method: http.MethodPost, Path: "/echo/evil", Payload: []byte(`{"x":1}`),
					Header: http.Header{"Content-Type": {"application/json"}},
				}
				rp, err := nw.(transport.SBIInjector).InjectSBI(context.Background(), p)
				Expect(err).NotTo(HaveOccurred())
				Expect(rp.Status).To(Equal(http.StatusCreated))
				var e echo
				Expect(json.Unmarshal(rp.Payload, &e)).To(Succeed())
				Expect(e.Body).To(Equal(`{"x":1}`))
				Expect(netip.MustParseAddrPort(e.RemoteAddr).Addr()).To(Equal(netip.MustParseAddr("127.0.0.66")))
				Expect(injected).To(Equal([]bool{true, false}))
				Expect(nw.Inject(context.Background(), p)).To(Succeed())
				Expect(calls.Load()).To(Equal(int64(2)))
			})

			It("reports an unknown host as ErrNoRoute", func() {
				_, _, err := do(client, http.MethodGet, "http://127.0.0.59:81/echo/a", "")
				Expect(err).To(MatchError(transport.ErrNoRoute))
				_, _, err = do(client, http.MethodGet, "http://nrf.invalid/echo/a", "")
				Expect(err).To(MatchError(transport.ErrNoRoute))
			})

			It("refuses a non-loopback server address", func() {
				if m.name == "mem" {
					Skip("mem routes by address only: a non-loopback host has no server and is ErrNoRoute")
				}
				_, _, err := do(client, http.MethodGet, "http://10.1.2.3:80/echo/a", "")
				Expect(err).To(MatchError(transport.ErrNotLoopback))
			})

			It("stops serving when the closer is called", func() {
				root, closer, err := nw.ServeSBI(ap("127.0.0.52:0"), echoHandler(&calls))
				Expect(err).NotTo(HaveOccurred())
				_, _, err = do(client, http.MethodGet, root+"/echo/a", "")
				Expect(err).NotTo(HaveOccurred())
				Expect(closer()).To(Succeed())
				_, _, err = do(nw.SBIClient(ap("127.0.0.53:0")), http.MethodGet, root+"/echo/a", "")
				Expect(err).To(HaveOccurred())
			})
		})
	}

	Context("in mem mode", func() {
		It("turns a handler panic into a client error and counts it", func() {
			nw := transport.NewMem(transport.MemOptions{})
			DeferCleanup(nw.Close)
			var calls atomic.Int64
			root, _, err := nw.ServeSBI(ap("127.0.0.54:80"), echoHandler(&calls))
			Expect(err).NotTo(HaveOccurred())
			Expect(root).To(Equal("http://127.0.0.54:80"))
			c := nw.SBIClient(ap("127.0.0.55:0"))
			_, _, err = do(c, http.MethodGet, root+"/panic", "")
			Expect(err).To(MatchError(transport.ErrHandlerPanic))
			_, _, err = do(c, http.MethodGet, root+"/abort", "")
			Expect(err).To(MatchError(transport.ErrDropped))
			Expect(nw.Stats().HandlerPanics).To(Equal(uint64(1)))
		})

		It("gives the handler RemoteAddr = the client's address exactly", func() {
			nw := transport.NewMem(transport.MemOptions{})
			DeferCleanup(nw.Close)
			var calls atomic.Int64
			root, _, err := nw.ServeSBI(ap("127.0.0.56:80"), echoHandler(&calls))
			Expect(err).NotTo(HaveOccurred())
			_, e, err := do(nw.SBIClient(ap("127.0.0.57:80")), http.MethodGet, root+"/echo/a", "")
			Expect(err).NotTo(HaveOccurred())
			Expect(e.RemoteAddr).To(Equal("127.0.0.57:80"))
		})

		// Reference: TS 29.500 §5.2 (each request is its own HTTP/2 stream):
		// the handler's context ends with the client's request, as a
		// net/http server's does when the stream is reset, but carries none
		// of the client's context values.
		It("gives the handler the client's deadline and cancellation, not its context values", func() {
			type key struct{}
			nw := transport.NewMem(transport.MemOptions{})
			DeferCleanup(nw.Close)
			ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "client"), time.Hour)
			defer cancel()
			var value any
			var hasDeadline bool
			var errBefore, errAfter, derivedErr error
			root, _, err := nw.ServeSBI(ap("127.0.0.59:80"), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				value = r.Context().Value(key{})
				_, hasDeadline = r.Context().Deadline()
				derived, stop := context.WithCancel(r.Context())
				defer stop()
				errBefore = r.Context().Err()
				cancel() // the client goes away
				errAfter = r.Context().Err()
				<-derived.Done() // contexts derived in the handler end too (asynchronously)
				derivedErr = derived.Err()
				w.WriteHeader(http.StatusNoContent)
			}))
			Expect(err).NotTo(HaveOccurred())
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, root+"/x", nil)
			Expect(err).NotTo(HaveOccurred())
			_, _ = nw.SBIClient(ap("127.0.0.57:80")).Do(req)
			Expect(value).To(BeNil())
			Expect(hasDeadline).To(BeTrue())
			Expect(errBefore).NotTo(HaveOccurred())
			Expect(errAfter).To(MatchError(context.Canceled))
			Expect(derivedErr).To(MatchError(context.Canceled))
		})

		It("uses default port 80 for an apiRoot without a port", func() {
			nw := transport.NewMem(transport.MemOptions{})
			DeferCleanup(nw.Close)
			var calls atomic.Int64
			_, _, err := nw.ServeSBI(ap("127.0.0.58:80"), echoHandler(&calls))
			Expect(err).NotTo(HaveOccurred())
			rsp, _, err := do(nw.SBIClient(ap("127.0.0.57:80")), http.MethodGet, "http://127.0.0.58/echo/a", "")
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.StatusCode).To(Equal(http.StatusOK))
		})
	})
})
