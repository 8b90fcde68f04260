package cpf

import (
	"context"
	"crypto/ecdh"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/randx"
	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
)

// Backend is the generic part of the CPF that every profile's network half
// builds on: authentication of the PD (AKMA, or a claim the profile chooses
// to trust), admission (rate limits), and the procedures provision,
// confirm, deprovision and status with their entitlement, ownership and
// freshness checks, the UDR writes and the sealing of credentials. Every
// procedure either succeeds or returns a Refusal and changes nothing.
// It is safe for concurrent use.
type Backend struct {
	cfg     Config
	clk     clock.Clock
	rnd     *randx.Source
	log     *slog.Logger
	tr      trace.Sink
	st      store.Store
	peers   *peers
	kafs    *kafCache
	reqLim  *limiter
	failLim *limiter
	seed    maphash.Seed
	locks   [64]struct {
		sync.Mutex
		_ [56]byte
	}
}

// Principal is the provisioning device a request comes from.
type Principal struct {
	// SUPI is the PD's SUPI: from the AAnF (authenticated) or claimed.
	SUPI string
	// Ref names the PD in bindings: its A-KID, or the claimed SUPI.
	Ref string
	// Counter is the request's freshness counter; 0 means the profile
	// checks none (the baseline).
	Counter uint64
	// Authenticated is true when the AAnF vouched for SUPI and the MAC
	// verified.
	Authenticated bool
	// KAF is the PD's K_AF (zero when not authenticated); it MACs the
	// response. It prints as "[redacted]".
	KAF aka.Key256
}

// String describes p without K_AF.
func (p Principal) String() string {
	return fmt.Sprintf("Principal{SUPI:%s Ref:%s Counter:%d Authenticated:%v}", p.SUPI, p.Ref, p.Counter, p.Authenticated)
}

func (b *Backend) emit(e trace.Event) {
	e.Actor = b.cfg.Name
	if e.Iface == "" {
		e.Iface = trace.IfaceAPI
	}
	b.tr.Emit(e)
}

func (b *Backend) state(supi, name, detail string) {
	b.emit(trace.Event{Kind: trace.KindState, Name: name, SUPI: supi, Detail: detail})
}

// lock serialises the procedures of one PD (not a global lock: 64 stripes).
func (b *Backend) lock(pd string) func() {
	m := &b.locks[maphash.String(b.seed, pd)%uint64(len(b.locks))]
	m.Lock()
	return m.Unlock
}

// Config returns the CPF's configuration.
func (b *Backend) Config() Config { return b.cfg }

// Now returns the CPF clock's time.
func (b *Backend) Now() time.Time { return b.clk.Now() }

func unavailable(err error) *Refusal {
	return &Refusal{Status: http.StatusServiceUnavailable, Cause: CauseUnavailable,
		Detail: "a network function did not answer", RetryAfter: time.Second}
}

func (b *Backend) storeFailure(op string, err error) *Refusal {
	b.log.Error("cpf store failure", "op", op, "err", err)
	return &Refusal{Status: http.StatusServiceUnavailable, Cause: CauseUnavailable, Detail: "state store failure", RetryAfter: time.Second}
}

// --- authentication and admission -------------------------------------

// AuthenticateAKMA authenticates a secure request (TS 33.535 §6.1 steps as
// an AF): it asks the AAnF for K_AF and the PD's SUPI behind the A-KID
// (Naanf_AKMA_ApplicationKey_Get with the CPF's AF_ID, cached until the key
// expires) and verifies the request MAC under K_AF. An unknown A-KID is
// 401 UNAUTHENTICATED, a MAC that does not verify 401 MAC_FAILURE.
func (b *Backend) AuthenticateAKMA(ctx context.Context, a provproto.Auth, r provproto.Request) (Principal, *Refusal) {
	now := b.clk.Now()
	k, ok := b.kafs.get(a.AKID, now)
	if !ok {
		var err error
		k, err = b.peers.applicationKey(ctx, b.cfg.AFID, a.AKID)
		switch {
		case errors.Is(err, errNotFound):
			return Principal{}, refuse(http.StatusUnauthorized, CauseUnauthenticated, "the AAnF knows no such A-KID")
		case err != nil:
			b.log.Warn("cpf: AAnF", "err", err)
			return Principal{}, unavailable(err)
		}
		if _, err := ident.ParseSUPI(k.supi); err != nil {
			return Principal{}, unavailable(fmt.Errorf("AAnF SUPI: %w", err))
		}
		b.emit(trace.Event{Kind: trace.KindKey, Name: "K_AF", SUPI: k.supi, Detail: "from AAnF"})
		b.kafs.put(a.AKID, k, now)
	}
	if !provproto.VerifyRequest(k.kaf, a, r) {
		return Principal{}, refuse(http.StatusUnauthorized, CauseMACFailure, "the request MAC does not verify under K_AF")
	}
	return Principal{SUPI: k.supi, Ref: a.AKID, Counter: a.Counter, Authenticated: true, KAF: k.kaf}, nil
}

// Claimed builds the principal of a profile that trusts the identity a PD
// claims (the baseline): no AAnF, no MAC, no counter.
func (b *Backend) Claimed(supi string) (Principal, *Refusal) {
	if supi == "" {
		return Principal{}, refuse(http.StatusUnauthorized, CauseUnauthenticated, "no identity claimed")
	}
	if _, err := ident.ParseSUPI(supi); err != nil {
		return Principal{}, refuse(http.StatusUnauthorized, CauseUnauthenticated, "claimed identity is not a SUPI")
	}
	return Principal{SUPI: supi, Ref: supi}, nil
}

// Admit takes one token from the PD's request bucket (3gpp.md §6.6 S1):
// 429 TOO_MANY_REQUESTS with a Retry-After when it is empty.
func (b *Backend) Admit(pd string) *Refusal {
	ok, wait := b.reqLim.take("pd:"+pd, b.clk.Now(), false)
	if ok {
		return nil
	}
	r := refuse(http.StatusTooManyRequests, CauseRateLimited, "request rate of this provisioning device exceeded")
	r.RetryAfter = wait
	return r
}

// CheckSource refuses (429) a source whose failed authentications emptied
// its bucket, before any AAnF or MAC work (cheap checks first, S1).
func (b *Backend) CheckSource(src string) *Refusal {
	ok, wait := b.failLim.peek("src:"+src, b.clk.Now())
	if ok {
		return nil
	}
	r := refuse(http.StatusTooManyRequests, CauseRateLimited, "too many failed authentications from this source")
	r.RetryAfter = wait
	return r
}

// AuthFailed charges one failed authentication to a source.
func (b *Backend) AuthFailed(src string) {
	b.failLim.take("src:"+src, b.clk.Now(), true)
}

// checkCounter refuses a request whose counter is not above the PD's last
// accepted one (read-only; the procedures re-check and persist it).
func (b *Backend) checkCounter(p Principal) *Refusal {
	if p.Counter == 0 {
		return nil
	}
	var rec pdRecord
	err := b.st.View(func(tx store.Tx) error {
		_, err := getRec(tx, bucketPD, p.SUPI, &rec)
		return err
	})
	if err != nil {
		return b.storeFailure("checkCounter", err)
	}
	if p.Counter <= rec.Counter {
		return replay(p.Counter, rec.Counter)
	}
	return nil
}

func replay(got, last uint64) *Refusal {
	return refuse(http.StatusConflict, CauseReplay, "counter %d is not above the last accepted %d", got, last)
}

// refusalErr carries a refusal out of a store transaction (rolling it back).
type refusalErr struct{ r *Refusal }

func (e refusalErr) Error() string { return e.r.String() }

func asRefusal(err error) (*Refusal, bool) {
	var re refusalErr
	if errors.As(err, &re) {
		return re.r, true
	}
	return nil, false
}

// counterAccepted traces the persisted counter of an authenticated PD.
func (b *Backend) counterAccepted(p Principal) {
	if p.Counter != 0 {
		b.emit(trace.Event{Kind: trace.KindState, Name: "counter", SUPI: p.SUPI, Detail: "accepted " + strconv.FormatUint(p.Counter, 10)})
	}
}

// advanceCounter persists p's counter inside tx after re-checking it.
func advanceCounter(tx store.Tx, p Principal, rec *pdRecord) error {
	if _, err := getRec(tx, bucketPD, p.SUPI, rec); err != nil {
		return err
	}
	if p.Counter == 0 {
		return nil
	}
	if p.Counter <= rec.Counter {
		return refusalErr{replay(p.Counter, rec.Counter)}
	}
	rec.Counter = p.Counter
	return putRec(tx, bucketPD, p.SUPI, rec)
}

// --- provisioning ------------------------------------------------------

// ProvisionInput is what a profile asks the CPF to provision.
type ProvisionInput struct {
	// DeviceID is the target device id (its bootstrap URI's I: field).
	DeviceID string
	// TargetKey is the target's bootstrap public key: when set, the CPF
	// seals the credential package to it and returns only the sealed blob
	// (secure). When nil the network parameters are returned instead.
	TargetKey *ecdh.PublicKey
	// SUPI asks for a specific target SUPI within the PD's entitlement;
	// empty lets the CPF allocate one.
	SUPI string
	// K and OPc, when set, are the PD's (baseline); otherwise the CPF
	// draws them from its injected randomness.
	K, OPc *[credential.KeySize]byte
}

// ProvisionResult is a provisioned (pending) target.
type ProvisionResult struct {
	SUPI        string
	DeviceID    string
	OperationID string
	Binding     credential.Binding
	// Sealed is the credential package sealed to TargetKey (secure).
	Sealed []byte
	// ExpiresAt ends the pending subscription unless confirmed or used.
	ExpiresAt time.Time
	// The network parameters in the package.
	PLMN             ident.PLMN
	RoutingIndicator string
	HNKeys           []credential.HNKey
}

// Provision provisions a target for the PD p (DESIGN step 5): counter
// freshness, entitlement (device list, quota, SUPI range), ownership of the
// device and SUPI, SUPI allocation, K/OPc generation, then - persisted
// before acting - the counter, the target record and the device's binding
// counter, then the UDR subscription (state pending, owner p.SUPI, expiry
// ProvisionTTL) and the package sealed to the target. A refusal changes
// nothing; a failure after the CPF state was written undoes it (the
// counter stays consumed).
func (b *Backend) Provision(ctx context.Context, p Principal, in ProvisionInput) (ProvisionResult, *Refusal) {
	if err := credential.ValidateDeviceID(in.DeviceID); err != nil {
		return ProvisionResult{}, refuse(http.StatusBadRequest, CauseMalformed, "device id: %v", err)
	}
	defer b.lock(p.SUPI)()
	if r := b.checkCounter(p); r != nil {
		return ProvisionResult{}, r
	}
	ent, r := b.entitlement(ctx, p)
	if r != nil {
		return ProvisionResult{}, r
	}
	if len(ent.Devices) > 0 && !slices.Contains(ent.Devices, in.DeviceID) {
		return ProvisionResult{}, refuse(http.StatusForbidden, CauseNotEntitled, "device %s is not in the entitlement", in.DeviceID)
	}
	now := b.clk.Now()
	var (
		dev   deviceRecord
		cur   targetRecord
		haveC bool
		pdr   pdRecord
	)
	err := b.st.View(func(tx store.Tx) error {
		if _, err := getRec(tx, bucketPD, p.SUPI, &pdr); err != nil {
			return err
		}
		if _, err := getRec(tx, bucketDevice, in.DeviceID, &dev); err != nil || dev.SUPI == "" {
			return err
		}
		var err error
		haveC, err = getRec(tx, bucketTarget, dev.SUPI, &cur)
		return err
	})
	if err != nil {
		return ProvisionResult{}, b.storeFailure(OpProvision, err)
	}
	if haveC {
		live, err := b.live(ctx, &cur, now)
		if err != nil {
			return ProvisionResult{}, unavailable(err)
		}
		if live {
			if cur.Owner == p.SUPI {
				return ProvisionResult{}, refuse(http.StatusConflict, CauseAlreadyProvisioned, "device %s already provisioned as %s", in.DeviceID, cur.SUPI)
			}
			return ProvisionResult{}, refuse(http.StatusForbidden, CauseForeignTarget, "device %s belongs to another provisioning device", in.DeviceID)
		}
	}
	owned, err := b.countOwned(ctx, p.SUPI, now)
	if err != nil {
		return ProvisionResult{}, unavailableOr(b, err)
	}
	if owned >= ent.MaxTargets {
		return ProvisionResult{}, refuse(http.StatusForbidden, CauseQuotaExceeded, "the provisioning device owns %d of %d targets", owned, ent.MaxTargets)
	}
	supi, cursor, r := b.pickSUPI(ctx, p, ent, in.SUPI, pdr.Cursor)
	if r != nil {
		return ProvisionResult{}, r
	}

	// Build the credential.
	var k, opc [credential.KeySize]byte
	generated := in.K == nil || in.OPc == nil
	if generated {
		if _, err := b.rnd.Read(k[:]); err != nil {
			return ProvisionResult{}, unavailable(err)
		}
		if _, err := b.rnd.Read(opc[:]); err != nil {
			return ProvisionResult{}, unavailable(err)
		}
	} else {
		k, opc = *in.K, *in.OPc
	}
	defer clear(k[:])
	defer clear(opc[:])
	var nonce [16]byte
	if _, err := b.rnd.Read(nonce[:]); err != nil {
		return ProvisionResult{}, unavailable(err)
	}
	opID := base64.RawURLEncoding.EncodeToString(nonce[:])
	expires := now.Add(b.cfg.ProvisionTTL).Truncate(time.Second)
	sid, _ := ident.ParseSUPI(supi)
	pkg := credential.Package{
		SUPI: sid, K: k, OPc: opc, AMF: credential.DefaultAMF(), SQN: 0,
		HNKeys: b.cfg.HNKeys, RoutingIndicator: b.cfg.RoutingIndicator, PLMN: b.cfg.PLMN,
		Binding: credential.Binding{TargetID: in.DeviceID, PDID: p.Ref, Counter: dev.Counter + 1, Nonce: nonce[:], Expiry: expires},
	}
	defer pkg.Wipe()
	proof, err := pkg.Proof()
	if err != nil {
		// An invalid package: a SUPI outside the home PLMN, a bad PD ref.
		return ProvisionResult{}, refuse(http.StatusForbidden, CauseNotEntitled, "cannot build a credential: %v", err)
	}
	var sealed []byte
	var keyHash []byte
	if in.TargetKey != nil {
		h := credential.KeyHash(in.TargetKey)
		keyHash = h[:]
		sealed, err = credential.Seal(b.rnd, in.TargetKey, credential.SealAAD(in.DeviceID, h), pkg)
		if err != nil {
			return ProvisionResult{}, refuse(http.StatusBadRequest, CauseMalformed, "cannot seal to the target key: %v", err)
		}
	}
	rec := targetRecord{SUPI: supi, Owner: p.SUPI, OwnerRef: p.Ref, DeviceID: in.DeviceID, KeyHash: keyHash,
		Operation: opID, Proof: proof[:], Counter: pkg.Binding.Counter, State: statePending,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: expires}

	// Persist before acting.
	var prevDev deviceRecord
	err = b.st.Update(func(tx store.Tx) error {
		var pr pdRecord
		if err := advanceCounter(tx, p, &pr); err != nil {
			return err
		}
		var other targetRecord
		if ok, err := getRec(tx, bucketTarget, supi, &other); err != nil {
			return err
		} else if ok {
			return refusalErr{refuse(http.StatusConflict, CauseConflict, "SUPI %s was taken meanwhile", supi)}
		}
		var d deviceRecord
		if _, err := getRec(tx, bucketDevice, in.DeviceID, &d); err != nil {
			return err
		}
		if d.SUPI != dev.SUPI || d.Counter != dev.Counter {
			return refusalErr{refuse(http.StatusConflict, CauseConflict, "device %s changed meanwhile", in.DeviceID)}
		}
		prevDev = d
		pr.Cursor = cursor
		if err := putRec(tx, bucketPD, p.SUPI, &pr); err != nil {
			return err
		}
		if err := putRec(tx, bucketTarget, supi, &rec); err != nil {
			return err
		}
		if err := tx.Put(ownedBucket(p.SUPI), supi, nil); err != nil {
			return err
		}
		return putRec(tx, bucketDevice, in.DeviceID, &deviceRecord{SUPI: supi, Counter: rec.Counter})
	})
	if err != nil {
		if r, ok := asRefusal(err); ok {
			return ProvisionResult{}, r
		}
		return ProvisionResult{}, b.storeFailure(OpProvision, err)
	}
	b.counterAccepted(p)
	if generated {
		b.emit(trace.Event{Kind: trace.KindKey, Name: "K", SUPI: supi, Detail: "generated"})
		b.emit(trace.Event{Kind: trace.KindKey, Name: "OPc", SUPI: supi, Detail: "generated"})
	}
	sub := b.subscription(supi, k, opc, p.SUPI, expires)
	if err := b.peers.putSubscription(ctx, supi, sub); err != nil {
		b.log.Warn("cpf: UDR write failed; undoing", "supi", supi, "err", err)
		if uerr := b.st.Update(func(tx store.Tx) error {
			if err := tx.Delete(bucketTarget, supi); err != nil {
				return err
			}
			if err := tx.Delete(ownedBucket(p.SUPI), supi); err != nil {
				return err
			}
			prevDev.Counter = rec.Counter // counters only grow
			return putRec(tx, bucketDevice, in.DeviceID, &prevDev)
		}); uerr != nil {
			// The record stays pending and expires; the sweep removes it.
			b.log.Error("cpf: undo failed", "supi", supi, "err", uerr)
		}
		return ProvisionResult{}, unavailable(err)
	}
	b.state(supi, statePending, "owner="+p.SUPI+" device="+in.DeviceID+" counter="+strconv.FormatUint(rec.Counter, 10))
	return ProvisionResult{
		SUPI: supi, DeviceID: in.DeviceID, OperationID: opID, Binding: cloneBinding(pkg.Binding), Sealed: sealed,
		ExpiresAt: expires, PLMN: b.cfg.PLMN, RoutingIndicator: b.cfg.RoutingIndicator,
		HNKeys: slices.Clone(b.cfg.HNKeys),
	}, nil
}

func unavailableOr(b *Backend, err error) *Refusal {
	if errors.Is(err, errUnavailable) {
		return unavailable(err)
	}
	return b.storeFailure("read", err)
}

// entitlement reads the PD's entitlement: none, or one that allows nothing,
// is 403 NOT_ENTITLED.
func (b *Backend) entitlement(ctx context.Context, p Principal) (Entitlement, *Refusal) {
	ent, err := b.peers.entitlement(ctx, p.SUPI)
	switch {
	case errors.Is(err, errNotFound):
		return Entitlement{}, refuse(http.StatusForbidden, CauseNotEntitled, "no provisioning entitlement for %s", p.SUPI)
	case err != nil:
		return Entitlement{}, unavailable(err)
	}
	if ent.MaxTargets <= 0 || len(ent.SupiRanges) == 0 {
		return Entitlement{}, refuse(http.StatusForbidden, CauseNotEntitled, "the entitlement allows no targets")
	}
	return ent, nil
}

// live reports whether a target record still holds its SUPI and device:
// active, or pending/confirmed and not expired. For an expired record the
// UDR decides (the target may have authenticated, which made it active).
func (b *Backend) live(ctx context.Context, r *targetRecord, now time.Time) (bool, error) {
	switch {
	case r.State == stateActive:
		return true, nil
	case r.State == stateDeprovisioning:
		return false, nil
	case !r.expired(now):
		return true, nil
	}
	u, err := b.peers.subscription(ctx, r.SUPI)
	switch {
	case errors.Is(err, errNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return u.State == stateActive, nil
}

// countOwned counts the PD's live targets.
func (b *Backend) countOwned(ctx context.Context, pd string, now time.Time) (int, error) {
	var recs []targetRecord
	err := b.st.View(func(tx store.Tx) error {
		return tx.ForEach(ownedBucket(pd), func(supi string, _ []byte) error {
			var r targetRecord
			ok, err := getRec(tx, bucketTarget, supi, &r)
			if ok {
				recs = append(recs, r)
			}
			return err
		})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range recs {
		live, err := b.live(ctx, &recs[i], now)
		if err != nil {
			return 0, err
		}
		if live {
			n++
		}
	}
	return n, nil
}

// pickSUPI checks a requested SUPI or allocates one from the PD's ranges.
func (b *Backend) pickSUPI(ctx context.Context, p Principal, ent Entitlement, want string, cursor uint64) (string, uint64, *Refusal) {
	ranges := usableRanges(ent.SupiRanges, b.cfg.PLMN)
	if want != "" {
		if !inRanges(ranges, want) {
			// Reference: 3gpp.md §6.2 N2 (a SUPI outside the allowance).
			return "", cursor, refuse(http.StatusForbidden, CauseForeignTarget, "SUPI %s is outside the entitlement", want)
		}
		taken, own, r := b.taken(ctx, p, want)
		switch {
		case r != nil:
			return "", cursor, r
		case own:
			return "", cursor, refuse(http.StatusConflict, CauseAlreadyProvisioned, "SUPI %s is already provisioned by this device", want)
		case taken:
			return "", cursor, refuse(http.StatusForbidden, CauseForeignTarget, "SUPI %s is in use", want)
		}
		return want, cursor, nil
	}
	total := uint64(0)
	for _, r := range ranges {
		total += r.size
	}
	if total == 0 {
		return "", cursor, refuse(http.StatusForbidden, CauseNotEntitled, "no SUPI range in the home PLMN")
	}
	for i := 0; i < b.cfg.AllocationProbes && uint64(i) < total; i++ {
		idx := (cursor + uint64(i)) % total
		supi := nthSUPI(ranges, idx)
		taken, _, r := b.taken(ctx, p, supi)
		if r != nil {
			return "", cursor, r
		}
		if !taken {
			return supi, idx + 1, nil
		}
	}
	return "", cursor, refuse(http.StatusForbidden, CauseRangeExhausted, "no free SUPI found in the entitlement's ranges")
}

// taken reports whether supi is used (a CPF target record or a UDR
// subscription) and whether it is the PD's own live target.
func (b *Backend) taken(ctx context.Context, p Principal, supi string) (taken, own bool, r *Refusal) {
	var rec targetRecord
	var ok bool
	err := b.st.View(func(tx store.Tx) error {
		var err error
		ok, err = getRec(tx, bucketTarget, supi, &rec)
		return err
	})
	if err != nil {
		return false, false, b.storeFailure("taken", err)
	}
	if ok {
		return true, rec.Owner == p.SUPI && rec.State != stateDeprovisioning && !rec.expired(b.clk.Now()), nil
	}
	u, err := b.peers.subscription(ctx, supi)
	switch {
	case errors.Is(err, errNotFound):
		return false, false, nil
	case err != nil:
		return false, false, unavailable(err)
	}
	return true, u.Owner == p.SUPI, nil
}

type imsiRange struct {
	start, end uint64
	digits     int
	size       uint64
}

// usableRanges keeps the valid IMSI ranges inside the home PLMN.
func usableRanges(rs []SupiRange, plmn ident.PLMN) []imsiRange {
	prefix := plmn.MCC + plmn.MNC
	var out []imsiRange
	for _, r := range rs {
		if len(r.Start) != len(r.End) || len(r.Start) < 6 || len(r.Start) > 15 ||
			!strings.HasPrefix(r.Start, prefix) || !strings.HasPrefix(r.End, prefix) {
			continue
		}
		s, err1 := strconv.ParseUint(r.Start, 10, 64)
		e, err2 := strconv.ParseUint(r.End, 10, 64)
		if err1 != nil || err2 != nil || s > e {
			continue
		}
		out = append(out, imsiRange{start: s, end: e, digits: len(r.Start), size: e - s + 1})
	}
	return out
}

func inRanges(rs []imsiRange, supi string) bool {
	d, ok := strings.CutPrefix(supi, "imsi-")
	if !ok {
		return false
	}
	v, err := strconv.ParseUint(d, 10, 64)
	if err != nil {
		return false
	}
	for _, r := range rs {
		if len(d) == r.digits && v >= r.start && v <= r.end {
			return true
		}
	}
	return false
}

func nthSUPI(rs []imsiRange, idx uint64) string {
	for _, r := range rs {
		if idx < r.size {
			s := strconv.FormatUint(r.start+idx, 10)
			return "imsi-" + strings.Repeat("0", r.digits-len(s)) + s
		}
		idx -= r.size
	}
	return ""
}

// subscription builds the UDR data of a new target.
func (b *Backend) subscription(supi string, k, opc [credential.KeySize]byte, owner string, expires time.Time) *udrSubscription {
	s := subscriber.Subscription{
		SUPI: supi, PLMN: b.cfg.PLMN.MCC + b.cfg.PLMN.MNC,
		K: hex.EncodeToString(k[:]), OPc: hex.EncodeToString(opc[:]),
		AMF: subscriber.DefaultAMF, SQN: subscriber.DefaultSQN, AuthMethod: b.cfg.TargetAuthMethod,
		DNNs: b.cfg.TargetDNNs, SNSSAIs: b.cfg.TargetSNSSAIs,
	}
	auth := s.AuthenticationSubscription()
	am := s.AmData()
	sel := s.SmfSelectionData()
	return &udrSubscription{
		AuthenticationSubscription: &auth, AmData: &am, SmfSelectionData: &sel, SmData: s.SmData(),
		Provisioning: &udrProvisioning{State: statePending, Owner: owner, ExpiresAt: expires},
	}
}

// --- confirm, deprovision, status ----------------------------------------

// Target describes one target for the PD that owns it.
type Target struct {
	SUPI        string
	DeviceID    string
	State       string // provproto.StatePending, StateConfirmed, StateActive or StateRemoved
	OperationID string
	ExpiresAt   time.Time // zero when the target does not expire
}

func targetOf(r *targetRecord) Target {
	return Target{SUPI: r.SUPI, DeviceID: r.DeviceID, State: r.State, OperationID: r.Operation, ExpiresAt: r.ExpiresAt}
}

// owned loads the target supi for the PD p: 404 when unknown, 403 when
// another PD owns it. A subscription the CPF has no record of but whose
// UDR owner is p is adopted (as active).
func (b *Backend) owned(ctx context.Context, p Principal, supi string) (targetRecord, *Refusal) {
	if _, err := ident.ParseSUPI(supi); err != nil {
		return targetRecord{}, refuse(http.StatusBadRequest, CauseMalformed, "target is not a SUPI")
	}
	var rec targetRecord
	var ok bool
	err := b.st.View(func(tx store.Tx) error {
		var err error
		ok, err = getRec(tx, bucketTarget, supi, &rec)
		return err
	})
	if err != nil {
		return targetRecord{}, b.storeFailure("owned", err)
	}
	if ok {
		if rec.Owner != p.SUPI {
			// Reference: 3gpp.md §6.3 X1.
			return targetRecord{}, refuse(http.StatusForbidden, CauseForeignTarget, "the target belongs to another provisioning device")
		}
		return rec, nil
	}
	u, err := b.peers.subscription(ctx, supi)
	switch {
	case errors.Is(err, errNotFound):
		return targetRecord{}, refuse(http.StatusNotFound, CauseUnknownTarget, "no such target")
	case err != nil:
		return targetRecord{}, unavailable(err)
	case u.Owner != p.SUPI:
		return targetRecord{}, refuse(http.StatusForbidden, CauseForeignTarget, "the target belongs to another owner")
	}
	now := b.clk.Now()
	st := u.State
	if st != statePending {
		st = stateActive
	}
	return targetRecord{SUPI: supi, Owner: p.SUPI, OwnerRef: p.Ref, State: st, CreatedAt: now, UpdatedAt: now, ExpiresAt: u.ExpiresAt}, nil
}

// ConfirmInput is a confirmation of a provisioning operation.
type ConfirmInput struct {
	SUPI        string
	OperationID string
	Proof       []byte
}

// Confirm accepts the target's proof of possession relayed by the PD
// (3gpp.md §6.2 N4/N5): the operation must be the target's current one and
// the proof must verify; the target then waits up to ActivationTTL for its
// first authentication.
func (b *Backend) Confirm(ctx context.Context, p Principal, in ConfirmInput) (Target, *Refusal) {
	defer b.lock(p.SUPI)()
	if r := b.checkCounter(p); r != nil {
		return Target{}, r
	}
	rec, r := b.owned(ctx, p, in.SUPI)
	if r != nil {
		return Target{}, r
	}
	now := b.clk.Now()
	switch {
	case rec.State == stateDeprovisioning || rec.expired(now) || len(rec.Proof) == 0 && rec.State == statePending:
		return Target{}, refuse(http.StatusNotFound, CauseUnknownTarget, "no pending operation for this target")
	case rec.Operation != in.OperationID:
		return Target{}, refuse(http.StatusConflict, CauseStaleOperation, "operation is not the target's current one")
	case rec.State != statePending:
		return Target{}, refuse(http.StatusConflict, CauseStaleOperation, "operation already confirmed")
	case subtle.ConstantTimeCompare(rec.Proof, in.Proof) != 1:
		return Target{}, refuse(http.StatusForbidden, CauseProofFailed, "the proof of possession does not verify")
	}
	expires := now.Add(b.cfg.ActivationTTL).Truncate(time.Second)
	err := b.st.Update(func(tx store.Tx) error {
		var pr pdRecord
		if err := advanceCounter(tx, p, &pr); err != nil {
			return err
		}
		var cur targetRecord
		if ok, err := getRec(tx, bucketTarget, in.SUPI, &cur); err != nil {
			return err
		} else if !ok || cur.Operation != rec.Operation || cur.State != statePending {
			return refusalErr{refuse(http.StatusConflict, CauseStaleOperation, "the target changed meanwhile")}
		}
		cur.State, cur.ExpiresAt, cur.UpdatedAt = stateConfirmed, expires, now
		rec = cur
		return putRec(tx, bucketTarget, in.SUPI, &cur)
	})
	if err != nil {
		if r, ok := asRefusal(err); ok {
			return Target{}, r
		}
		return Target{}, b.storeFailure(OpConfirm, err)
	}
	b.counterAccepted(p)
	b.state(in.SUPI, stateConfirmed, statePending)
	if err := b.peers.updateProvisioning(ctx, in.SUPI, udrProvisioningUpdate{ExpiresAt: &expires}); err != nil && !errors.Is(err, errNotFound) {
		// The UDR keeps the shorter expiry: the safe direction.
		b.log.Warn("cpf: extending the pending expiry failed", "supi", in.SUPI, "err", err)
		return Target{}, unavailable(err)
	}
	return targetOf(&rec), nil
}

// Deprovision removes a target the PD owns (DESIGN step 8, 3gpp.md §6.3):
// ownership and counter freshness are checked, the counter and the
// intent are persisted before acting, then the UDR deletes the
// subscription (the UDM and the AMF follow from the UDR's notification).
func (b *Backend) Deprovision(ctx context.Context, p Principal, supi string) (Target, *Refusal) {
	defer b.lock(p.SUPI)()
	if r := b.checkCounter(p); r != nil {
		return Target{}, r
	}
	rec, r := b.owned(ctx, p, supi)
	if r != nil {
		return Target{}, r
	}
	now := b.clk.Now()
	old := rec.State
	err := b.st.Update(func(tx store.Tx) error {
		var pr pdRecord
		if err := advanceCounter(tx, p, &pr); err != nil {
			return err
		}
		var cur targetRecord
		ok, err := getRec(tx, bucketTarget, supi, &cur)
		if err != nil {
			return err
		}
		if ok && cur.Owner != p.SUPI {
			return refusalErr{refuse(http.StatusForbidden, CauseForeignTarget, "the target changed owner meanwhile")}
		}
		if !ok {
			cur = rec
			if err := tx.Put(ownedBucket(p.SUPI), supi, nil); err != nil {
				return err
			}
		}
		cur.State, cur.UpdatedAt, cur.ExpiresAt = stateDeprovisioning, now, time.Time{}
		rec = cur
		return putRec(tx, bucketTarget, supi, &cur)
	})
	if err != nil {
		if r, ok := asRefusal(err); ok {
			return Target{}, r
		}
		return Target{}, b.storeFailure(OpDeprovision, err)
	}
	b.counterAccepted(p)
	b.state(supi, stateDeprovisioning, old)
	if err := b.finishDeprovision(ctx, &rec); err != nil {
		// Persisted: Start or PurgeExpired completes it.
		return Target{}, unavailable(err)
	}
	t := targetOf(&rec)
	t.State, t.ExpiresAt = provproto.StateRemoved, time.Time{}
	return t, nil
}

// finishDeprovision deletes the subscription at the UDR and then the
// CPF's record.
func (b *Backend) finishDeprovision(ctx context.Context, rec *targetRecord) error {
	if err := b.peers.removeSubscription(ctx, rec.SUPI); err != nil {
		b.log.Warn("cpf: UDR delete failed", "supi", rec.SUPI, "err", err)
		return err
	}
	if err := b.st.Update(func(tx store.Tx) error { return removeTarget(tx, rec) }); err != nil {
		return err
	}
	b.state(rec.SUPI, provproto.StateRemoved, "owner="+rec.Owner)
	return nil
}

// Status reports a target the PD owns; with a counter it also consumes it
// (every authenticated request is fresh).
func (b *Backend) Status(ctx context.Context, p Principal, supi string) (Target, *Refusal) {
	defer b.lock(p.SUPI)()
	if r := b.checkCounter(p); r != nil {
		return Target{}, r
	}
	rec, r := b.owned(ctx, p, supi)
	if r != nil {
		return Target{}, r
	}
	now := b.clk.Now()
	if rec.State == stateDeprovisioning {
		return Target{}, refuse(http.StatusNotFound, CauseUnknownTarget, "the target is being deprovisioned")
	}
	if rec.State == statePending || rec.State == stateConfirmed {
		u, err := b.peers.subscription(ctx, supi)
		switch {
		case errors.Is(err, errNotFound):
			return Target{}, refuse(http.StatusNotFound, CauseUnknownTarget, "the target expired")
		case err != nil:
			return Target{}, unavailable(err)
		case u.State == stateActive:
			rec.State, rec.ExpiresAt = stateActive, time.Time{}
		case rec.expired(now):
			return Target{}, refuse(http.StatusNotFound, CauseUnknownTarget, "the target expired")
		}
	}
	if p.Counter != 0 {
		err := b.st.Update(func(tx store.Tx) error {
			var pr pdRecord
			return advanceCounter(tx, p, &pr)
		})
		if err != nil {
			if r, ok := asRefusal(err); ok {
				return Target{}, r
			}
			return Target{}, b.storeFailure(OpStatus, err)
		}
		b.counterAccepted(p)
	}
	return targetOf(&rec), nil
}

func cloneBinding(b credential.Binding) credential.Binding {
	b.Nonce = slices.Clone(b.Nonce)
	return b
}
