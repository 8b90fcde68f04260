package nrf_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestNRF(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "nrf")
}

// serveH2C serves h over loopback with HTTP/1.1 and prior-knowledge h2c,
// as free5gc's own servers do, and returns its apiRoot.
func serveH2C(h http.Handler) string {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	DeferCleanup(srv.Close)
	return srv.URL
}

// h2cClient speaks only prior-knowledge h2c, like free5gc's clients.
func h2cClient() *http.Client {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: p}
	DeferCleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}
