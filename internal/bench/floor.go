package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/suci"
)

// ErrCryptoMismatch reports a crypto floor set whose two sides disagree
// (a broken primitive: the floor would measure nothing meaningful).
var ErrCryptoMismatch = errors.New("bench: crypto floor sides disagree")

// FloorStats is what the crypto floor measured.
type FloorStats struct {
	Sets    int64
	Elapsed time.Duration
	Workers int
}

// PerSecond is complete per-registration crypto sets per second.
func (s FloorStats) PerSecond() float64 { return perSecond(s.Sets, s.Elapsed) }

// CryptoFloor runs complete per-registration cryptography sets on
// GOMAXPROCS goroutines for opts.Duration (or exactly opts.CryptoSets sets)
// and returns sets per second: the ceiling no registration path can beat.
func CryptoFloor(ctx context.Context, opts Options) (float64, error) {
	st, err := MeasureCryptoFloor(ctx, opts)
	return st.PerSecond(), err
}

// MeasureCryptoFloor is CryptoFloor with the counts.
func MeasureCryptoFloor(ctx context.Context, opts Options) (FloorStats, error) {
	if err := opts.Validate(); err != nil {
		return FloorStats{}, err
	}
	workers := runtime.GOMAXPROCS(0)
	if opts.CryptoSets > 0 {
		workers = min(workers, opts.CryptoSets)
		opts.phase(PhaseCryptoFloor, int64(opts.CryptoSets))
	} else {
		opts.phase(PhaseCryptoFloor, -1)
	}
	seed := newSeeder(opts.Seed, "crypto-floor")
	ring, hnPub, err := homeNetworkKey(seed)
	if err != nil {
		return FloorStats{}, err
	}
	kits := make([]*cryptoKit, workers)
	for w := range kits {
		if kits[w], err = newCryptoKit(w, ring, hnPub, seed.stream(uint64(w)+1)); err != nil {
			return FloorStats{}, err
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		sets     atomic.Int64
		budget   atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	budget.Store(int64(opts.CryptoSets))
	clk := opts.Clock
	start := clk.Now()
	var deadline time.Time
	if opts.CryptoSets == 0 {
		deadline = start.Add(opts.Duration)
	}
	wg.Add(workers)
	for _, kit := range kits {
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				if opts.CryptoSets > 0 {
					if budget.Add(-1) < 0 {
						return
					}
				} else if n&7 == 0 && !clk.Now().Before(deadline) {
					return
				}
				if err := kit.set(); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				sets.Add(1)
				opts.add(1)
			}
		}()
	}
	wg.Wait()
	st := FloorStats{Sets: sets.Load(), Elapsed: clk.Now().Sub(start), Workers: workers}
	if firstErr != nil {
		return st, firstErr
	}
	return st, context.Cause(ctx)
}

// homeNetworkKey draws the SIDF's Profile A key pair (key id 1).
func homeNetworkKey(seed seeder) (suci.KeyRing, *suci.PublicKey, error) {
	hn, err := suci.GenerateKey(ident.SchemeProfileA, seed.stream(0))
	if err != nil {
		return nil, nil, fmt.Errorf("bench: home network key: %w", err)
	}
	ring := suci.KeyRing{}
	if err := ring.Add(1, hn); err != nil {
		return nil, nil, err
	}
	return ring, hn.Public(), nil
}

// floorNAS are the six protected 5GMM messages of an initial registration
// after authentication, sized like credbed's: SECURITY MODE COMMAND,
// SECURITY MODE COMPLETE (carrying the full REGISTRATION REQUEST),
// REGISTRATION ACCEPT, REGISTRATION COMPLETE, CONFIGURATION UPDATE COMMAND
// and CONFIGURATION UPDATE COMPLETE (TS 24.501 §8.2).
var floorNAS = []struct {
	msgType byte
	size    int
	hdr     uint8
	uplink  bool
}{
	{0x5d, 16, nassec.HdrIntegrityNew, false},
	{0x5e, 96, nassec.HdrIntegrityCipheredNew, true},
	{0x42, 64, nassec.HdrIntegrityCiphered, false},
	{0x43, 3, nassec.HdrIntegrityCiphered, true},
	{0x54, 32, nassec.HdrIntegrityCiphered, false},
	{0x55, 3, nassec.HdrIntegrityCiphered, true},
}

// cryptoKit is one worker's subscriber and scratch state.
type cryptoKit struct {
	ring   suci.KeyRing
	params suci.Params
	supi   ident.SUPI
	k, opc []byte
	rng    *rand.ChaCha8
	sqnHE  aka.SQN
	usim   aka.SQNArray
	snn    string
	nas    [][]byte
}

func newCryptoKit(w int, ring suci.KeyRing, hnPub *suci.PublicKey, rng *rand.ChaCha8) (*cryptoKit, error) {
	plmn, err := ident.NewPLMN("001", "01")
	if err != nil {
		return nil, err
	}
	supi, err := ident.NewIMSI(plmn, fmt.Sprintf("%010d", w+1))
	if err != nil {
		return nil, err
	}
	c := &cryptoKit{
		ring:   ring,
		params: suci.Params{Scheme: ident.SchemeProfileA, HomeNetworkKey: hnPub, KeyID: 1, MNCLength: 2},
		supi:   supi,
		k:      make([]byte, aka.KLen),
		rng:    rng,
		snn:    plmn.ServingNetworkName(),
	}
	_, _ = rng.Read(c.k)
	op := make([]byte, aka.OPLen)
	_, _ = rng.Read(op)
	opc, err := aka.OPc(c.k, op)
	if err != nil {
		return nil, err
	}
	c.opc = opc[:]
	for _, m := range floorNAS {
		b := make([]byte, m.size)
		b[0], b[1], b[2] = nassec.EPD5GMM, nassec.HdrPlain, m.msgType
		_, _ = rng.Read(b[3:])
		c.nas = append(c.nas, b)
	}
	return c, nil
}

// set runs the cryptography of one initial registration, both sides, and
// checks that the sides agree.
func (c *cryptoKit) set() error {
	// UE: SUCI (TS 33.501 §6.12.2). SIDF: de-concealment (§6.12.5).
	s, err := suci.Conceal(c.supi, c.params, c.rng)
	if err != nil {
		return err
	}
	got, err := suci.Deconceal(s, c.ring)
	if err != nil {
		return err
	}
	if got != c.supi {
		return fmt.Errorf("%w: SUCI de-concealed to another SUPI", ErrCryptoMismatch)
	}
	supi := got.String()

	// ARPF: vector; AUSF: XRES*, KAUSF, HXRES*, KSEAF (§6.1.3.2 steps 1-5).
	var rnd [aka.RANDLen]byte
	binary.LittleEndian.PutUint64(rnd[:8], c.rng.Uint64())
	binary.LittleEndian.PutUint64(rnd[8:], c.rng.Uint64())
	c.sqnHE = aka.NextSQN(c.sqnHE)
	v, err := aka.GenerateVector(c.k, c.opc, rnd[:], c.sqnHE, aka.AMF5G)
	if err != nil {
		return err
	}
	he, err := v.HEAV(c.snn)
	if err != nil {
		return err
	}
	hxres := he.HXRESStar()
	kseafHN, err := aka.KSEAF(he.KAUSF, c.snn)
	if err != nil {
		return err
	}

	// UE: AUTN check, SQN freshness, RES*, KAUSF, KSEAF, KAMF, NAS keys (steps 6-7).
	r, err := aka.CheckAUTN(c.k, c.opc, rnd[:], v.AUTN[:])
	if err != nil {
		return err
	}
	if err := c.usim.CheckAndAccept(r.SQN); err != nil {
		return err
	}
	resStar, err := aka.RESStar(r.CK, r.IK, c.snn, rnd, r.RES[:])
	if err != nil {
		return err
	}
	var sqnXorAK [aka.AKLen]byte
	copy(sqnXorAK[:], v.AUTN[:aka.AKLen])
	kausfUE, err := aka.KAUSF(r.CK, r.IK, c.snn, sqnXorAK)
	if err != nil {
		return err
	}
	kseafUE, err := aka.KSEAF(kausfUE, c.snn)
	if err != nil {
		return err
	}
	kamfUE, err := aka.KAMF(kseafUE, supi, aka.ABBAInitial)
	if err != nil {
		return err
	}
	encUE, intUE, err := aka.NASKeys(kamfUE, uint8(nassec.NEA2), uint8(nassec.NIA2))
	if err != nil {
		return err
	}

	// SEAF: HRES* against HXRES*; AUSF: RES* against XRES*; AMF: KAMF, NAS keys, KgNB (steps 9-11, A.7-A.9).
	if aka.HRESStar(rnd, resStar) != hxres || resStar != he.XRESStar {
		return fmt.Errorf("%w: RES* does not verify", ErrCryptoMismatch)
	}
	kamf, err := aka.KAMF(kseafHN, supi, aka.ABBAInitial)
	if err != nil {
		return err
	}
	enc, integ, err := aka.NASKeys(kamf, uint8(nassec.NEA2), uint8(nassec.NIA2))
	if err != nil {
		return err
	}
	if _, err := aka.KgNB(kamf, 0, aka.Access3GPP); err != nil {
		return err
	}

	// NAS security mode and the protected messages that follow (§6.4, §6.7.2).
	ue, err := nassec.New(nassec.Config{Side: nassec.SideUE, KNASEnc: encUE, KNASInt: intUE, Enc: nassec.NEA2, Int: nassec.NIA2})
	if err != nil {
		return err
	}
	nw, err := nassec.New(nassec.Config{Side: nassec.SideNetwork, KNASEnc: enc, KNASInt: integ, Enc: nassec.NEA2, Int: nassec.NIA2})
	if err != nil {
		return err
	}
	for i, m := range floorNAS {
		tx, rx := &nw, &ue
		if m.uplink {
			tx, rx = &ue, &nw
		}
		pdu, err := tx.Protect(c.nas[i], m.hdr)
		if err != nil {
			return err
		}
		plain, _, err := rx.Unprotect(pdu)
		if err != nil {
			return err
		}
		if !bytes.Equal(plain, c.nas[i]) {
			return fmt.Errorf("%w: NAS message %d does not round-trip", ErrCryptoMismatch, i)
		}
	}
	return nil
}

// seeder derives independent deterministic random streams from a run seed.
type seeder struct {
	seed  int64
	label string
}

func newSeeder(seed int64, label string) seeder { return seeder{seed: seed, label: label} }

func (s seeder) stream(i uint64) *rand.ChaCha8 {
	var k [32]byte
	binary.LittleEndian.PutUint64(k[0:], uint64(s.seed))
	binary.LittleEndian.PutUint64(k[8:], i)
	copy(k[16:], s.label)
	return rand.NewChaCha8(k)
}
