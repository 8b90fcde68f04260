package transport

import "errors"

// Errors added by the mem and net implementations (transport.go holds the
// ones every implementation shares).
var (
	// ErrDropped reports an SBI request or response discarded by the
	// interceptor chain; the client sees it like a reset stream
	// (RST_STREAM, RFC 9113 §6.4).
	ErrDropped = errors.New("transport: message dropped on the link")
	// ErrQueueFull reports a destination whose bounded delivery queue is full.
	ErrQueueFull = errors.New("transport: destination queue full")
	// ErrHandlerPanic reports an SBI handler that panicked in mem mode; the
	// client sees it like a reset stream, as net/http does.
	ErrHandlerPanic = errors.New("transport: SBI handler panicked")
	// ErrBadKind reports a link kind an operation does not support.
	ErrBadKind = errors.New("transport: unsupported link kind")
	// ErrBadFrame reports a malformed N2 tcp-framed frame.
	ErrBadFrame = errors.New("transport: malformed N2 frame")
)
