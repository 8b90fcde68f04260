package udr

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/credbed/credbed/internal/store"
)

// Buckets: one per data set, keyed by ueId (the SUPI).
const (
	bucketAuthSubs   = "udr/authentication-subscription"
	bucketAuthStatus = "udr/authentication-status"
	bucketAmData     = "udr/am-data"
	bucketSmfSel     = "udr/smf-selection-subscription-data"
	bucketSmData     = "udr/sm-data"
	bucketAmf3gpp    = "udr/amf-3gpp-access"
	bucketProv       = "udr/provisioning"
)

// ueBuckets are every bucket holding per-UE data.
var ueBuckets = [...]string{bucketAuthSubs, bucketAuthStatus, bucketAmData, bucketSmfSel, bucketSmData, bucketAmf3gpp, bucketProv, bucketEntitlement}

// errCorruptRecord marks a stored value that does not decode.
var errCorruptRecord = errors.New("udr: stored record does not decode")

// getJSON decodes the value at key into v; it reports false when absent.
func getJSON(tx store.Tx, bucket, key string, v any) (bool, error) {
	b, err := tx.Get(bucket, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("%w: %s", errCorruptRecord, bucket)
	}
	return true, nil
}

func putJSON(tx store.Tx, bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("udr: encode %s: %w", bucket, err)
	}
	return tx.Put(bucket, key, b)
}
