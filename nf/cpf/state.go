package cpf

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/credbed/credbed/internal/store"
)

// Buckets of the CPF's store. Every record is JSON; none holds K or OPc.
//
//	cpf/pd          PD SUPI   -> pdRecord      last accepted counter, allocation cursor
//	cpf/target      SUPI      -> targetRecord  one provisioned target
//	cpf/owned/<pd>  SUPI      -> ""            index of a PD's targets (quota, listing)
//	cpf/device      device id -> deviceRecord  its current SUPI and last binding counter
const (
	bucketPD          = "cpf/pd"
	bucketTarget      = "cpf/target"
	bucketDevice      = "cpf/device"
	bucketOwnedPrefix = "cpf/owned/"
)

// Target states kept by the CPF (the wire states of provproto plus
// deprovisioning, a deprovisioning persisted but not yet applied at the UDR).
const (
	statePending        = "pending"
	stateConfirmed      = "confirmed"
	stateActive         = "active"
	stateDeprovisioning = "deprovisioning"
)

// pdRecord is a provisioning device's freshness state.
type pdRecord struct {
	// Counter is the highest counter accepted from the PD; a request is
	// fresh only with a greater one (3gpp.md §5.4 item 6).
	Counter uint64 `json:"counter"`
	// Cursor is the next allocation index in the PD's SUPI ranges.
	Cursor uint64 `json:"cursor"`
}

// targetRecord is one target provisioned through the CPF.
type targetRecord struct {
	SUPI     string `json:"supi"`
	Owner    string `json:"owner"`    // the PD's SUPI
	OwnerRef string `json:"ownerRef"` // the binding's PD id (A-KID, or the claimed SUPI)
	DeviceID string `json:"deviceId"`
	KeyHash  []byte `json:"keyHash,omitempty"` // bootstrap key hash (secure)
	// Operation is the provisioning operation id (the binding nonce,
	// base64url): a confirmation must name it.
	Operation string `json:"operation"`
	// Proof is the expected proof of possession (credential.Package.Proof):
	// a verifier derived from K and OPc, never K or OPc themselves.
	Proof     []byte    `json:"proof,omitempty"`
	Counter   uint64    `json:"counter"` // binding counter
	State     string    `json:"state"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// ExpiresAt ends a pending or confirmed target that never
	// authenticated (zero once active).
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// expired reports whether r has outlived its expiry at now (active and
// deprovisioning targets do not expire).
func (r *targetRecord) expired(now time.Time) bool {
	return (r.State == statePending || r.State == stateConfirmed) && !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt)
}

// deviceRecord is what the CPF knows of one target device id.
type deviceRecord struct {
	// SUPI is the target currently provisioned on the device ("" when none).
	SUPI string `json:"supi,omitempty"`
	// Counter is the highest binding counter issued for the device. It
	// only grows, also across deprovisioning, so the TD's replay check
	// (counter above the last installed) holds for every new package.
	Counter uint64 `json:"counter"`
}

var errCorrupt = errors.New("cpf: stored record does not decode")

func getRec(tx store.Tx, bucket, key string, v any) (bool, error) {
	b, err := tx.Get(bucket, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("%w: %s/%s", errCorrupt, bucket, key)
	}
	return true, nil
}

func putRec(tx store.Tx, bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cpf: encode %s: %w", bucket, err)
	}
	return tx.Put(bucket, key, b)
}

func ownedBucket(pd string) string { return bucketOwnedPrefix + pd }

// removeTarget deletes a target's record, its owner index entry and its
// device's current mapping (when it still points at it).
func removeTarget(tx store.Tx, rec *targetRecord) error {
	if err := tx.Delete(bucketTarget, rec.SUPI); err != nil {
		return err
	}
	if err := tx.Delete(ownedBucket(rec.Owner), rec.SUPI); err != nil {
		return err
	}
	var dev deviceRecord
	ok, err := getRec(tx, bucketDevice, rec.DeviceID, &dev)
	if err != nil || !ok || dev.SUPI != rec.SUPI {
		return err
	}
	dev.SUPI = ""
	return putRec(tx, bucketDevice, rec.DeviceID, &dev)
}

func unmarshalRec(v []byte, r any) error {
	if err := json.Unmarshal(v, r); err != nil {
		return errCorrupt
	}
	return nil
}
