package cpf

import (
	"context"
	"errors"
	"time"

	"github.com/credbed/credbed/internal/store"
)

// SweepResult counts what one PurgeExpired did.
type SweepResult struct {
	Expired   int // pending/confirmed targets removed at the UDR and the CPF
	Activated int // targets found active at the UDR (they no longer expire)
	Resumed   int // interrupted deprovisionings completed
	Forgotten int // records whose subscription the UDR no longer has
}

// PurgeExpired walks the CPF's targets (3gpp.md §6.2 N5: a half-done
// provisioning expires): an expired pending or confirmed target that never
// authenticated is removed at the UDR and then forgotten, freeing the PD's
// quota and the device; one that authenticated becomes active; an
// interrupted deprovisioning is completed. It never leaves a subscription
// at the UDR that the CPF has forgotten. Peer failures leave a record for
// the next sweep; the first one is returned.
func (b *Backend) PurgeExpired(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	now := b.clk.Now()
	var todo []targetRecord
	err := b.st.View(func(tx store.Tx) error {
		return tx.ForEach(bucketTarget, func(_ string, v []byte) error {
			var r targetRecord
			if err := unmarshalRec(v, &r); err != nil {
				return err
			}
			if r.State == stateDeprovisioning || r.expired(now) {
				todo = append(todo, r)
			}
			return nil
		})
	})
	if err != nil {
		return res, err
	}
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	for i := range todo {
		r := &todo[i]
		unlock := b.lock(r.Owner)
		err := b.sweepOne(ctx, r, now, &res)
		unlock()
		if err != nil {
			keep(err)
		}
	}
	return res, first
}

func (b *Backend) sweepOne(ctx context.Context, r *targetRecord, now time.Time, res *SweepResult) error {
	// Re-read under the owner's lock: a request may have changed it.
	var cur targetRecord
	var ok bool
	if err := b.st.View(func(tx store.Tx) error {
		var err error
		ok, err = getRec(tx, bucketTarget, r.SUPI, &cur)
		return err
	}); err != nil {
		return err
	}
	if !ok || cur.Operation != r.Operation || cur.State != r.State {
		return nil
	}
	if cur.State == stateDeprovisioning {
		if err := b.finishDeprovision(ctx, &cur); err != nil {
			return err
		}
		res.Resumed++
		return nil
	}
	u, err := b.peers.subscription(ctx, cur.SUPI)
	switch {
	case errors.Is(err, errNotFound):
		if err := b.forget(&cur); err != nil {
			return err
		}
		res.Forgotten++
		b.state(cur.SUPI, "expired", cur.State)
		return nil
	case err != nil:
		return err
	case u.State == stateActive:
		err := b.st.Update(func(tx store.Tx) error {
			cur.State, cur.ExpiresAt, cur.UpdatedAt = stateActive, time.Time{}, now
			return putRec(tx, bucketTarget, cur.SUPI, &cur)
		})
		if err != nil {
			return err
		}
		res.Activated++
		b.state(cur.SUPI, stateActive, r.State)
		return nil
	case u.Owner != "" && u.Owner != cur.Owner:
		// Someone else's subscription now: only forget ours.
		if err := b.forget(&cur); err != nil {
			return err
		}
		res.Forgotten++
		return nil
	}
	// Still pending at the UDR and expired: remove it there first, so no
	// subscription outlives the CPF's knowledge of it.
	if err := b.peers.removeSubscription(ctx, cur.SUPI); err != nil {
		return err
	}
	if err := b.forget(&cur); err != nil {
		return err
	}
	res.Expired++
	b.state(cur.SUPI, "expired", cur.State)
	return nil
}

func (b *Backend) forget(r *targetRecord) error {
	return b.st.Update(func(tx store.Tx) error { return removeTarget(tx, r) })
}
