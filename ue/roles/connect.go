package roles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/ue"
)

// Connection says what Connect did and what the UE holds afterwards.
type Connection struct {
	// Registered: Connect ran a registration (false: already registered).
	Registered bool
	// Registration is that registration's result.
	Registration ue.RegResult
	// Established: Connect established a PDU session (false: one with a
	// user plane existed).
	Established bool
	// Session is the PDU session the device's traffic uses.
	Session ue.Session
}

// Skipped reports that the UE was registered with a user-plane session
// already, so Connect did nothing.
func (c Connection) Skipped() bool { return !c.Registered && !c.Established }

// Connect registers u unless it is registered and establishes a PDU
// session on dnn/snssai unless one with a user plane exists (DESIGN step 1
// for a PD, step 7 for a TD). A registration or session the network
// rejects is ErrRejected (wrapped with the cause); the result carries it.
func Connect(ctx context.Context, u *ue.UE, dnn string, snssai nasx.SNSSAI) (Connection, error) {
	var c Connection
	if !u.Registered() {
		res, err := u.Register(ctx)
		c.Registered, c.Registration = true, res
		if err != nil {
			return c, fmt.Errorf("roles: registration: %w", err)
		}
		if !res.Accepted {
			return c, fmt.Errorf("%w: registration %s %s", ErrRejected, res.Reason, res.CauseString())
		}
	}
	for _, s := range u.Sessions() {
		if s.Accepted && s.UserPlane {
			c.Session = s
			return c, nil
		}
	}
	s, err := u.EstablishSession(ctx, dnn, snssai)
	c.Established, c.Session = true, s
	if err != nil {
		return c, fmt.Errorf("roles: PDU session: %w", err)
	}
	switch {
	case !s.Accepted:
		return c, fmt.Errorf("%w: PDU session (5GSM cause %d, 5GMM cause %d)", ErrRejected, s.Cause, s.MMCause)
	case !s.UserPlane:
		return c, fmt.Errorf("%w: PDU session %d has no user plane at the serving cell", ErrRejected, s.ID)
	}
	return c, nil
}

// Echo sends payload in one UDP datagram from u's PDU session to an echo
// service at to (the data network's, internal/dn) and waits for the same
// bytes back, until ctx ends.
func Echo(ctx context.Context, u *ue.UE, to netip.AddrPort, payload []byte) error {
	conn, err := u.Dial(ctx, "udp", to.String())
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEcho, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	defer conn.Close()
	if _, err := conn.Write(payload); err != nil {
		return fmt.Errorf("%w: send: %w", ErrEcho, err)
	}
	buf := make([]byte, len(payload)+1)
	n, err := conn.Read(buf)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%w: %w", ErrEcho, err)
	}
	if !bytes.Equal(buf[:n], payload) {
		return fmt.Errorf("%w: %d bytes back, not the probe", ErrEcho, n)
	}
	return nil
}
