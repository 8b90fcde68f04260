package amf

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/nf/amf/gmm"
)

// Deregister runs network-initiated de-registration of the UE with supi
// (TS 24.501 §5.5.2.3), as a SUBSCRIPTION_WITHDRAWN notification would:
// DEREGISTRATION REQUEST (UE terminated) with cause (0: the configured
// Config.DeregistrationCause) when the UE is connected, else the context
// is deleted at once. It returns once the request is sent (or the context
// deleted); the de-registration then completes on the UE's answer or T3522.
func (n *NF) Deregister(ctx context.Context, supi string, cause uint8) error {
	if n.state.Load() != 1 {
		return ErrNotStarted
	}
	id, ok := n.ues.bySUPI.load(supi)
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownUE, supi)
	}
	done := make(chan error, 1)
	ev := gmm.NetworkDeregister{Cause: cause, Reason: "operator request"}
	if !n.post(id, func() { n.deregisterID(id, supi, ev, done) }) {
		return ErrClosed
	}
	select {
	case err, ok := <-done:
		if ok && err != nil {
			return fmt.Errorf("%w: %s", err, supi)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ReleaseConnection releases the N2 connection of the UE with supi (AN
// release, TS 23.502 §4.2.6; UE CONTEXT RELEASE COMMAND with cause
// radio-network/user-inactivity, TS 38.413 §8.3.3): a registered UE then
// stays registered in CM-IDLE and comes back with its 5G-GUTI. It returns
// once the command is sent; ok is false when the UE was not connected.
func (n *NF) ReleaseConnection(ctx context.Context, supi string) (ok bool, err error) {
	if n.state.Load() != 1 {
		return false, ErrNotStarted
	}
	id, found := n.ues.bySUPI.load(supi)
	if !found {
		return false, fmt.Errorf("%w: %s", ErrUnknownUE, supi)
	}
	done := make(chan bool, 1)
	if !n.post(id, func() {
		e, found := n.ues.byID.load(id)
		sent := false
		if found {
			e.mu.Lock()
			if !e.gone && e.hasRAN && e.supi == supi {
				n.sendRelease(e, ngapx.CauseRadioNetworkUserInactivity)
				sent = true
			}
			e.mu.Unlock()
		}
		done <- sent
	}) {
		return false, ErrClosed
	}
	select {
	case ok := <-done:
		return ok, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}
