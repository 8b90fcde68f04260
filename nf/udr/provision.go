package udr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
)

// ProblemError is a ProblemDetails returned by the Go API as an error; it
// matches ErrNotFound (404), ErrInvalid (400) and ErrClosed (503).
type ProblemError struct{ Problem *models.ProblemDetails }

func (e *ProblemError) Error() string {
	return fmt.Sprintf("udr: %d %s: %s", e.Problem.Status, e.Problem.Cause, e.Problem.Detail)
}

// Is maps the status to the package's sentinel errors.
func (e *ProblemError) Is(target error) bool {
	switch e.Problem.Status {
	case http.StatusNotFound:
		return target == ErrNotFound
	case http.StatusBadRequest:
		return target == ErrInvalid
	case http.StatusServiceUnavailable:
		return target == ErrClosed
	}
	return false
}

func pdErr(pd *models.ProblemDetails) error {
	if pd == nil {
		return nil
	}
	return &ProblemError{Problem: pd}
}

// Data returns the UDR data sets of a validated subscription.
func Data(sub subscriber.Subscription, rec Provisioning) SubscriptionData {
	auth := sub.AuthenticationSubscription()
	am := sub.AmData()
	sel := sub.SmfSelectionData()
	return SubscriptionData{
		AuthenticationSubscription: &auth,
		AmData:                     &am,
		SmfSelectionData:           &sel,
		SmData:                     sub.SmData(),
		Provisioning:               &rec,
	}
}

// Provision stores sub as an active subscription, replacing any earlier
// one of the same SUPI, in one transaction (used by the testbed to load
// subscriber files).
func (u *NF) Provision(ctx context.Context, sub subscriber.Subscription) error {
	return u.ProvisionWith(ctx, sub, Provisioning{State: StateActive})
}

// ProvisionWith stores sub with the given provisioning record (state,
// owner, expiry; the timestamps are set by the UDR).
func (u *NF) ProvisionWith(ctx context.Context, sub subscriber.Subscription, rec Provisioning) error {
	if err := sub.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	_, _, pd := u.PutSubscription(ctx, sub.SUPI, Data(sub, rec))
	return pdErr(pd)
}

// Get returns every data set of supi and its provisioning record.
func (u *NF) Get(ctx context.Context, supi string) (SubscriptionData, error) {
	d, pd := u.GetSubscription(ctx, supi)
	if pd != nil {
		return SubscriptionData{}, pdErr(pd)
	}
	return *d, nil
}

// Remove deletes every data set of supi in one transaction (ErrNotFound
// when there was none).
func (u *NF) Remove(ctx context.Context, supi string) error {
	return pdErr(u.RemoveSubscription(ctx, supi))
}

// SetState changes the provisioning state of supi.
func (u *NF) SetState(ctx context.Context, supi string, state State) (Provisioning, error) {
	p, pd := u.UpdateProvisioning(ctx, supi, ProvisioningUpdate{State: &state})
	if pd != nil {
		return Provisioning{}, pdErr(pd)
	}
	return *p, nil
}

// checkData validates and normalises a provisioning body for ueID.
func checkData(ueID string, d *SubscriptionData) *models.ProblemDetails {
	bad := func(format string, a ...any) *models.ProblemDetails {
		return problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, format, a...)
	}
	a := d.AuthenticationSubscription
	if a == nil {
		return problem(http.StatusBadRequest, CauseMandatoryIEMissing, "authenticationSubscription is required")
	}
	switch a.AuthenticationMethod {
	case models.AuthMethod__5_G_AKA, models.AuthMethod_EAP_AKA_PRIME:
	case "":
		return problem(http.StatusBadRequest, CauseMandatoryIEMissing, "authenticationSubscription.authenticationMethod is required")
	default:
		return bad("authenticationSubscription.authenticationMethod must be 5G_AKA or EAP_AKA_PRIME")
	}
	if !isHex(a.EncPermanentKey, 32) {
		return bad("authenticationSubscription.encPermanentKey must be 32 hex digits")
	}
	if !isHex(a.EncOpcKey, 32) {
		return bad("authenticationSubscription.encOpcKey must be 32 hex digits")
	}
	if !isHex(a.AuthenticationManagementField, 4) {
		return bad("authenticationSubscription.authenticationManagementField must be 4 hex digits")
	}
	if a.SequenceNumber == nil {
		a.SequenceNumber = &models.SequenceNumber{SqnScheme: models.SqnScheme_NON_TIME_BASED, Sqn: "000000000000"}
	}
	sqn, ok := normSQN(a.SequenceNumber.Sqn)
	if !ok {
		return bad("authenticationSubscription.sequenceNumber.sqn must be 1 to 12 hex digits")
	}
	a.SequenceNumber.Sqn = sqn
	if a.Supi == "" {
		a.Supi = ueID
	}
	if a.Supi != ueID {
		return bad("authenticationSubscription.supi differs from the resource's ueId")
	}
	if d.Provisioning == nil {
		d.Provisioning = &Provisioning{State: StateActive}
	}
	if !d.Provisioning.State.Valid() {
		return bad("provisioning.state must be pending, active or suspended")
	}
	return nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// PutSubscription creates or replaces every data set of ueID and its
// provisioning record in one transaction (credbed provisioning resource
// PUT). A replacement drops the stale authentication status and keeps the
// AMF registration.
func (u *NF) PutSubscription(ctx context.Context, ueID string, d SubscriptionData) (created bool, rec Provisioning, pd *models.ProblemDetails) {
	if !validUeID(ueID) {
		return false, rec, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "ueId is not valid")
	}
	if pd := checkData(ueID, &d); pd != nil {
		return false, rec, pd
	}
	now := u.deps.Clock.Now()
	err := u.st.Update(func(tx store.Tx) error {
		rec = *d.Provisioning
		var old Provisioning
		existed, err := getJSON(tx, bucketProv, ueID, &old)
		if err != nil {
			return err
		}
		if !existed {
			_, err := tx.Get(bucketAuthSubs, ueID)
			existed = err == nil
		}
		created = !existed
		rec.CreatedAt, rec.UpdatedAt = now, now
		if existed && !old.CreatedAt.IsZero() {
			rec.CreatedAt = old.CreatedAt
		}
		if err := putJSON(tx, bucketAuthSubs, ueID, d.AuthenticationSubscription); err != nil {
			return err
		}
		for _, set := range []struct {
			bucket string
			v      any
			ok     bool
		}{
			{bucketAmData, d.AmData, d.AmData != nil},
			{bucketSmfSel, d.SmfSelectionData, d.SmfSelectionData != nil},
			{bucketSmData, d.SmData, d.SmData != nil},
		} {
			if !set.ok {
				if err := tx.Delete(set.bucket, ueID); err != nil {
					return err
				}
				continue
			}
			if err := putJSON(tx, set.bucket, ueID, set.v); err != nil {
				return err
			}
		}
		if err := tx.Delete(bucketAuthStatus, ueID); err != nil {
			return err
		}
		return putJSON(tx, bucketProv, ueID, &rec)
	})
	if err != nil {
		return false, Provisioning{}, u.storeProblem("ProvisionSubscription", err)
	}
	detail := "replaced"
	if created {
		detail = "provisioned"
	}
	if rec.Owner != "" {
		detail += " by " + rec.Owner
	}
	u.emit(trace.Event{Kind: trace.KindState, Name: string(rec.State), SUPI: ueID, Detail: detail})
	return created, rec, nil
}

// GetSubscription returns every data set of ueID (credbed provisioning
// resource GET), whatever its state.
func (u *NF) GetSubscription(ctx context.Context, ueID string) (*SubscriptionData, *models.ProblemDetails) {
	if !validUeID(ueID) {
		return nil, userNotFound(ueID)
	}
	var d SubscriptionData
	var pd *models.ProblemDetails
	err := u.st.View(func(tx store.Tx) error {
		var a models.AuthenticationSubscription
		ok, err := getJSON(tx, bucketAuthSubs, ueID, &a)
		if err != nil {
			return err
		}
		if !ok {
			pd = userNotFound(ueID)
			return nil
		}
		d.AuthenticationSubscription = &a
		var am models.AccessAndMobilitySubscriptionData
		if ok, err := getJSON(tx, bucketAmData, ueID, &am); err != nil {
			return err
		} else if ok {
			d.AmData = &am
		}
		var sel models.SmfSelectionSubscriptionData
		if ok, err := getJSON(tx, bucketSmfSel, ueID, &sel); err != nil {
			return err
		} else if ok {
			d.SmfSelectionData = &sel
		}
		if _, err := getJSON(tx, bucketSmData, ueID, &d.SmData); err != nil {
			return err
		}
		p := Provisioning{State: StateActive}
		if _, err := getJSON(tx, bucketProv, ueID, &p); err != nil {
			return err
		}
		d.Provisioning = &p
		return nil
	})
	if err != nil {
		return nil, u.storeProblem("QuerySubscription", err)
	}
	if pd != nil {
		return nil, pd
	}
	return &d, nil
}

// RemoveSubscription deletes every data set of ueID, including its
// authentication status and AMF registration, in one transaction
// (credbed provisioning resource DELETE). Deprovisioning is this call.
func (u *NF) RemoveSubscription(ctx context.Context, ueID string) *models.ProblemDetails {
	if !validUeID(ueID) {
		return userNotFound(ueID)
	}
	found := false
	var amfReg []byte // the deleted AMF registration, for the data-change notification
	err := u.st.Update(func(tx store.Tx) error {
		found, amfReg = false, nil
		for _, b := range ueBuckets {
			if v, err := tx.Get(b, ueID); err == nil {
				found = true
				if b == bucketAmf3gpp {
					amfReg = v
				}
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := tx.Delete(b, ueID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return u.storeProblem("RemoveSubscription", err)
	}
	if !found {
		return userNotFound(ueID)
	}
	u.emit(trace.Event{Kind: trace.KindState, Name: "removed", SUPI: ueID, Detail: "subscription deleted"})
	u.notifyRemoved(ctx, ueID, amfReg)
	return nil
}

// UpdateProvisioning changes the state, owner or expiry of ueID's
// provisioning record (credbed provisioning resource PATCH).
func (u *NF) UpdateProvisioning(ctx context.Context, ueID string, upd ProvisioningUpdate) (*Provisioning, *models.ProblemDetails) {
	if !validUeID(ueID) {
		return nil, userNotFound(ueID)
	}
	if upd.State != nil && !upd.State.Valid() {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "state must be pending, active or suspended")
	}
	var (
		p   Provisioning
		old State
		pd  *models.ProblemDetails
	)
	now := u.deps.Clock.Now()
	err := u.st.Update(func(tx store.Tx) error {
		pd = nil
		if _, err := tx.Get(bucketAuthSubs, ueID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				pd = userNotFound(ueID)
				return nil
			}
			return err
		}
		p = Provisioning{State: StateActive, CreatedAt: now}
		if _, err := getJSON(tx, bucketProv, ueID, &p); err != nil {
			return err
		}
		old = p.State
		if upd.State != nil {
			p.State = *upd.State
		}
		if upd.Owner != nil {
			p.Owner = *upd.Owner
		}
		if upd.ExpiresAt != nil {
			p.ExpiresAt = *upd.ExpiresAt
		}
		if p.State != StatePending {
			p.ExpiresAt = time.Time{}
		}
		p.UpdatedAt = now
		return putJSON(tx, bucketProv, ueID, &p)
	})
	if err != nil {
		return nil, u.storeProblem("UpdateProvisioning", err)
	}
	if pd != nil {
		return nil, pd
	}
	if p.State != old {
		u.emit(trace.Event{Kind: trace.KindState, Name: string(p.State), SUPI: ueID, Detail: string(old)})
	}
	return &p, nil
}

// ProvisioningRecords lists the provisioning records, of one owner when
// owner is not empty, in SUPI order.
func (u *NF) ProvisioningRecords(ctx context.Context, owner string) ([]ProvisioningRecord, error) {
	out := []ProvisioningRecord{}
	err := u.st.View(func(tx store.Tx) error {
		return tx.ForEach(bucketProv, func(k string, v []byte) error {
			var p Provisioning
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("%w: %s", errCorruptRecord, bucketProv)
			}
			if owner == "" || p.Owner == owner {
				out = append(out, ProvisioningRecord{Supi: k, Provisioning: p})
			}
			return nil
		})
	})
	if err != nil {
		if errors.Is(err, store.ErrClosed) {
			return nil, ErrClosed
		}
		return nil, fmt.Errorf("udr: list: %w", err)
	}
	return out, nil
}

// PurgeExpired removes every pending subscription past its expiry and
// returns how many it removed. The UDR has no timer of its own: the
// testbed or CPF calls this when it wants.
func (u *NF) PurgeExpired(ctx context.Context) (int, error) {
	recs, err := u.ProvisioningRecords(ctx, "")
	if err != nil {
		return 0, err
	}
	now := u.deps.Clock.Now()
	n := 0
	for _, r := range recs {
		if !r.Provisioning.expired(now) {
			continue
		}
		removed := false
		var amfReg []byte // for the data-change notification
		err := u.st.Update(func(tx store.Tx) error {
			removed, amfReg = false, nil
			var p Provisioning
			if ok, err := getJSON(tx, bucketProv, r.Supi, &p); err != nil || !ok || !p.expired(now) {
				return err // re-checked inside the transaction
			}
			if v, err := tx.Get(bucketAmf3gpp, r.Supi); err == nil {
				amfReg = v
			}
			for _, b := range ueBuckets {
				if err := tx.Delete(b, r.Supi); err != nil {
					return err
				}
			}
			removed = true
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("udr: purge: %w", err)
		}
		if removed {
			n++
			u.emit(trace.Event{Kind: trace.KindState, Name: "expired", SUPI: r.Supi, Detail: string(StatePending)})
			u.notifyRemoved(ctx, r.Supi, amfReg)
		}
	}
	return n, nil
}
