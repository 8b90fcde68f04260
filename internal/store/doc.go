// Package store is credbed's embedded persistent key-value store: named
// buckets of byte keys and values, read in View transactions and written in
// atomic multi-key Update transactions. Two implementations share the same
// semantics: Open (bbolt, durable on disk) and NewMem (in memory, for the
// embedded testbed and tests). Values are always copied in and out, so callers
// may keep or change the slices they pass or receive.
//
// The UDR keeps subscription data here (TS 29.504 §5.2, TS 29.505 §5.2) and
// the CPF its provisioning state.
//
// Usage:
//
//	st, err := store.Open("udr.db", store.Options{Timeout: time.Second})
//	err = st.Update(func(tx store.Tx) error {
//		if err := tx.Put("auth", "imsi-001010000000001", rec); err != nil {
//			return err
//		}
//		return tx.Put("prov", "imsi-001010000000001", state)
//	})
package store
