//go:build !unix

package transport

import "syscall"

// reusePort is a no-op where SO_REUSEPORT is unavailable: N2 associations
// then come from an ephemeral port.
func reusePort(_, _ string, _ syscall.RawConn) error { return nil }
