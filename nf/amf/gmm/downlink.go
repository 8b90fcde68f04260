package gmm

import (
	"errors"

	"github.com/credbed/credbed/internal/nasx"
)

// ErrNotConnected: the UE has no secured N2 connection to send on.
var ErrNotConnected = errors.New("gmm: UE not registered and connected with NAS security")

// Downlink protects msg (a 5GMM message, e.g. DL NAS TRANSPORT carrying a
// 5GSM message for session management) with the UE's current NAS security
// context and returns the SendNAS action with its trace (TS 24.501 §4.4.5,
// §5.4.5.3). The UE must be registered and connected with secure exchange
// established.
func (m *Machine) Downlink(u *UE, msg nasx.Msg) ([]Action, error) {
	if u.state != Registered || !u.has(flagConnected) || !u.has(flagSecured) || !u.sec.Valid() {
		return nil, ErrNotConnected
	}
	o := &out{}
	if !m.send(u, o, msg, retxProtectCurrent, false) {
		return o.acts, errors.New("gmm: downlink NAS encoding or protection failed")
	}
	return o.acts, nil
}
