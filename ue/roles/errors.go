package roles

import "errors"

// Errors.
var (
	// ErrConfig reports an invalid configuration or missing dependency.
	ErrConfig = errors.New("roles: invalid config")
	// ErrNoAKMA: the PD holds no KAUSF (not authenticated yet), so it has
	// no AKMA keys (TS 33.535 §6.1).
	ErrNoAKMA = errors.New("roles: no AKMA context (no primary authentication)")
	// ErrNotStarted: the PD's direct-link endpoint is not bound (Start).
	ErrNotStarted = errors.New("roles: direct-link endpoint not bound")
	// ErrClosed: the device was closed.
	ErrClosed = errors.New("roles: device closed")
	// ErrBusy: an exchange with that target is already running.
	ErrBusy = errors.New("roles: a direct-link exchange with that peer is running")
	// ErrRejected: the network rejected a registration or a PDU session.
	ErrRejected = errors.New("roles: rejected by the network")
	// ErrCounter: the counter store failed or the counter is exhausted.
	ErrCounter = errors.New("roles: counter")
	// ErrEcho: the data network did not echo the probe.
	ErrEcho = errors.New("roles: no echo from the data network")
	// ErrSlotFilled: a target device needs a UE with an empty slot.
	ErrSlotFilled = errors.New("roles: the target's UE already holds a credential")
)
