package sbi

// What a consumer NF keeps of the producers it calls: the openapi client
// of the producer last discovered, and the ProblemDetails it answers with
// when a call fails (TS 29.500 §5.2.7.2).

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
)

// CauseUpstreamServerError is the cause of a failed call to a producer
// (TS 29.500 Table 5.2.7.2-1).
const CauseUpstreamServerError = "UPSTREAM_SERVER_ERROR"

// PeerClient is an openapi client of one producer and that producer's
// apiRoot.
type PeerClient[C any] struct {
	Root string
	API  C
	// Peer is what API was built for: the apiRoot, HTTP client and
	// User-Agent a Call to the same producer uses.
	Peer Peer
}

// ClientCache keeps the client of the producer an NF called last and
// builds a new one when the producer's apiRoot changes (a new discovery,
// TS 29.510 §5.3.2.2). It is safe for concurrent use; the zero value is
// empty.
type ClientCache[C any] struct {
	cur atomic.Pointer[PeerClient[C]]
}

// Get returns the cached client when it is for p.APIRoot, otherwise
// builds one with build(p) (e.g. NewUDRDataRepositoryClient) and caches it.
func (c *ClientCache[C]) Get(p Peer, build func(Peer) (C, error)) (*PeerClient[C], error) {
	if cur := c.cur.Load(); cur != nil && cur.Root == p.APIRoot {
		return cur, nil
	}
	api, err := build(p)
	if err != nil {
		return nil, err
	}
	pc := &PeerClient[C]{Root: p.APIRoot, API: api, Peer: p}
	c.cur.Store(pc)
	return pc, nil
}

// Cached returns the cached client, or nil.
func (c *ClientCache[C]) Cached() *PeerClient[C] { return c.cur.Load() }

// Reset drops the cached client (at Close: the next Start has another
// outbound HTTP client).
func (c *ClientCache[C]) Reset() { c.cur.Store(nil) }

// relayedStatuses are the error statuses the openapi v1.2.4 clients of
// the services decode; UpstreamProblem answers a relayed ProblemDetails
// with another status as 500, its cause kept.
var relayedStatuses = [...]int{400, 403, 404, 500, 501, 503}

// UpstreamProblem turns the error of an openapi client call to target
// into the ProblemDetails to answer with: the peer's own ProblemDetails
// when it sent one (relayed as is, TS 29.500 §5.2.7.2, with a status in
// allowed, by default the statuses the openapi v1.2.4 clients decode, or
// else 500), otherwise a 500 UPSTREAM_SERVER_ERROR. unreachable reports
// that the call got no HTTP answer: the caller then drops its cached
// discovery of target.
func UpstreamProblem(err error, target models.NrfNfManagementNfType, allowed ...int) (pd *models.ProblemDetails, unreachable bool) {
	var oe openapi.GenericOpenAPIError
	if !errors.As(err, &oe) {
		return Problem(http.StatusInternalServerError, CauseUpstreamServerError, fmt.Sprintf("%s not reachable", target)), true
	}
	var relayed models.ProblemDetails
	if json.Unmarshal(oe.RawBody, &relayed) != nil || (relayed.Cause == "" && relayed.Status == 0) {
		return Problem(http.StatusInternalServerError, CauseUpstreamServerError, fmt.Sprintf("%s answered %d", target, oe.ErrorStatus)), false
	}
	if relayed.Status == 0 {
		relayed.Status = int32(oe.ErrorStatus)
	}
	if len(allowed) == 0 {
		allowed = relayedStatuses[:]
	}
	for _, s := range allowed {
		if int(relayed.Status) == s {
			return &relayed, false
		}
	}
	relayed.Status = http.StatusInternalServerError
	relayed.Title = http.StatusText(http.StatusInternalServerError)
	return &relayed, false
}
