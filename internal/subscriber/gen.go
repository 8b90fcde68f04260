package subscriber

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
)

// GenOptions shape Generate's output. Empty fields take the package defaults.
type GenOptions struct {
	PLMN string
	// StartMSIN is the first MSIN (digits); the default is 1, padded to
	// 15 - len(PLMN) digits.
	StartMSIN  string
	AMF        string
	SQN        string
	AuthMethod string
	DNNs       []string
	SNSSAIs    []SNSSAI
	AKMA       bool
}

// Generate returns count subscribers with sequential SUPIs from
// opts.StartMSIN and K/OPc drawn from a ChaCha8 stream seeded by seed: the
// same arguments always give the same subscribers.
func Generate(count int, seed int64, opts GenOptions) ([]Subscription, error) {
	if count < 0 {
		return nil, fmt.Errorf("%w: count %d is negative", ErrInvalid, count)
	}
	d := Defaults{PLMN: opts.PLMN, AMF: opts.AMF, SQN: opts.SQN, AuthMethod: opts.AuthMethod, DNNs: opts.DNNs, SNSSAIs: opts.SNSSAIs}
	plmn := d.PLMN
	if plmn == "" {
		plmn = DefaultPLMN
	}
	if !isDigits(plmn) || (len(plmn) != 5 && len(plmn) != 6) {
		return nil, &FieldError{Index: -1, Field: "plmn", Msg: fmt.Sprintf("must be MCC+MNC, 5 or 6 digits, got %q", plmn)}
	}
	width := 15 - len(plmn)
	start := uint64(1)
	if opts.StartMSIN != "" {
		if !isDigits(opts.StartMSIN) || len(opts.StartMSIN) > width {
			return nil, &FieldError{Index: -1, Field: "start-msin", Msg: fmt.Sprintf("must be 1 to %d digits, got %q", width, opts.StartMSIN)}
		}
		start, _ = strconv.ParseUint(opts.StartMSIN, 10, 64)
	}
	limit := uint64(1)
	for i := 0; i < width; i++ {
		limit *= 10
	}
	if start+uint64(count) > limit {
		return nil, &FieldError{Index: -1, Field: "count", Msg: fmt.Sprintf("%d subscribers from MSIN %d overflow %d digits", count, start, width)}
	}

	var key [32]byte
	copy(key[:], "credbed/subscriber/gen/v1")
	binary.BigEndian.PutUint64(key[24:], uint64(seed))
	rng := rand.NewChaCha8(key)
	out := make([]Subscription, count)
	buf := make([]byte, 32)
	for i := range out {
		_, _ = rng.Read(buf)
		s := Subscription{
			SUPI: fmt.Sprintf("imsi-%s%0*d", plmn, width, start+uint64(i)),
			PLMN: plmn,
			K:    hex.EncodeToString(buf[:16]),
			OPc:  hex.EncodeToString(buf[16:]),
			AKMA: opts.AKMA,
		}
		s.ApplyDefaults(d)
		if err := s.validate(i); err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}
