package udr

// The provisioning-device entitlement (credbed resource, not in TS 29.505):
// what a provisioning device (PD) may do at the CPF, kept beside its own
// subscription and removed with it (TR 33.899 KI #12.2 R2: the network
// authorises the PD; 3gpp.md §5.4 item 4: max targets, allowed SUPI range).
//
//	PUT    /nudr-dr/v2/subscription-data/{ueId}/provisioning-entitlement   body Entitlement; 201 (new) or 204
//	GET    /nudr-dr/v2/subscription-data/{ueId}/provisioning-entitlement   200 Entitlement; 404 DATA_NOT_FOUND
//	DELETE /nudr-dr/v2/subscription-data/{ueId}/provisioning-entitlement   204
//
// The PD must be a subscriber (404 USER_NOT_FOUND otherwise). Which targets
// a PD owns is not stored here: it is the owner field of the targets'
// provisioning records (GET /nudr-dr/v2/subscription-data?owner=).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/store"
)

// bucketEntitlement holds one Entitlement per PD SUPI.
const bucketEntitlement = "udr/provisioning-entitlement"

// Operation names of the entitlement resource.
const (
	OpPutEntitlement    = "PutProvisioningEntitlement"
	OpGetEntitlement    = "QueryProvisioningEntitlement"
	OpDeleteEntitlement = "DeleteProvisioningEntitlement"
)

// MaxEntitlementRanges bounds the SUPI ranges of one entitlement.
const MaxEntitlementRanges = 16

// Entitlement is what a provisioning device may provision.
type Entitlement struct {
	// MaxTargets bounds how many targets the PD may own at once (pending,
	// confirmed or active). 0 allows none.
	MaxTargets int `json:"maxTargets"`
	// SupiRanges are the IMSI ranges the PD's targets get their SUPIs
	// from (TS 29.510 SupiRange members start/end: IMSI digits of equal
	// length, start <= end).
	SupiRanges []SupiRange `json:"supiRanges"`
	// Devices, when not empty, lists the only target device ids the PD
	// may provision.
	Devices []string `json:"devices,omitempty"`
}

// SupiRange is an inclusive range of IMSI digit strings.
type SupiRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Validate checks the entitlement.
func (e Entitlement) Validate() error {
	if e.MaxTargets < 0 {
		return errors.New("maxTargets is negative")
	}
	if len(e.SupiRanges) > MaxEntitlementRanges {
		return fmt.Errorf("%d supiRanges, limit %d", len(e.SupiRanges), MaxEntitlementRanges)
	}
	for i, r := range e.SupiRanges {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("supiRanges[%d]: %w", i, err)
		}
	}
	if len(e.Devices) > 1024 {
		return errors.New("more than 1024 devices")
	}
	for i, d := range e.Devices {
		if d == "" || len(d) > 64 || strings.ContainsAny(d, " ;") {
			return fmt.Errorf("devices[%d] is not a device id", i)
		}
	}
	return nil
}

// Validate checks one range.
func (r SupiRange) Validate() error {
	if len(r.Start) < 6 || len(r.Start) > 15 || len(r.End) != len(r.Start) || !digits(r.Start) || !digits(r.End) {
		return errors.New("start and end must be IMSI digit strings of equal length (6 to 15)")
	}
	if r.Start > r.End {
		return errors.New("start is after end")
	}
	return nil
}

// Contains reports whether the IMSI SUPI ("imsi-<digits>" or the digits)
// lies in r.
func (r SupiRange) Contains(supi string) bool {
	d := strings.TrimPrefix(supi, "imsi-")
	return len(d) == len(r.Start) && digits(d) && d >= r.Start && d <= r.End
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// PutEntitlement creates or replaces the entitlement of the PD ueID.
func (u *NF) PutEntitlement(ctx context.Context, ueID string, e Entitlement) (created bool, pd *models.ProblemDetails) {
	if !validUeID(ueID) {
		return false, userNotFound(ueID)
	}
	if err := e.Validate(); err != nil {
		return false, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "entitlement: %v", err)
	}
	err := u.st.Update(func(tx store.Tx) error {
		created, pd = false, nil
		if _, err := tx.Get(bucketAuthSubs, ueID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				pd = userNotFound(ueID)
				return nil
			}
			return err
		}
		_, err := tx.Get(bucketEntitlement, ueID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			created = true
		case err != nil:
			return err
		}
		return putJSON(tx, bucketEntitlement, ueID, &e)
	})
	if err != nil {
		return false, u.storeProblem(OpPutEntitlement, err)
	}
	return created, pd
}

// GetEntitlement returns the entitlement of the PD ueID: 404 USER_NOT_FOUND
// without a subscription, 404 DATA_NOT_FOUND without an entitlement.
func (u *NF) GetEntitlement(ctx context.Context, ueID string) (*Entitlement, *models.ProblemDetails) {
	var e Entitlement
	if pd := u.query(OpGetEntitlement, ueID, bucketEntitlement, &e, false); pd != nil {
		return nil, pd
	}
	return &e, nil
}

// DeleteEntitlement removes the entitlement of the PD ueID (204 also when
// there was none; 404 without a subscription).
func (u *NF) DeleteEntitlement(ctx context.Context, ueID string) *models.ProblemDetails {
	if !validUeID(ueID) {
		return userNotFound(ueID)
	}
	var pd *models.ProblemDetails
	err := u.st.Update(func(tx store.Tx) error {
		pd = nil
		if _, err := tx.Get(bucketAuthSubs, ueID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				pd = userNotFound(ueID)
				return nil
			}
			return err
		}
		return tx.Delete(bucketEntitlement, ueID)
	})
	if err != nil {
		return u.storeProblem(OpDeleteEntitlement, err)
	}
	return pd
}

// SetEntitlement is PutEntitlement for the Go API (the testbed).
func (u *NF) SetEntitlement(ctx context.Context, supi string, e Entitlement) error {
	_, pd := u.PutEntitlement(ctx, supi, e)
	return pdErr(pd)
}

// Entitlement is GetEntitlement for the Go API.
func (u *NF) Entitlement(ctx context.Context, supi string) (Entitlement, error) {
	e, pd := u.GetEntitlement(ctx, supi)
	if pd != nil {
		return Entitlement{}, pdErr(pd)
	}
	return *e, nil
}

// entitlementRoutes are appended to the UDR's route table.
func (u *NF) entitlementRoutes() []struct {
	method, path, op string
	h                func(*http.Request) reply
} {
	p := PathRoot + "/subscription-data/{ueId}/provisioning-entitlement"
	return []struct {
		method, path, op string
		h                func(*http.Request) reply
	}{
		{"PUT", p, OpPutEntitlement, u.httpPutEntitlement},
		{"GET", p, OpGetEntitlement, u.httpGetEntitlement},
		{"DELETE", p, OpDeleteEntitlement, u.httpDeleteEntitlement},
	}
}

func (u *NF) httpPutEntitlement(r *http.Request) reply {
	var e Entitlement
	if pd := sbi.DecodeJSON(r, &e); pd != nil {
		return fail(pd)
	}
	created, pd := u.PutEntitlement(r.Context(), r.PathValue("ueId"), e)
	if pd != nil {
		return fail(pd)
	}
	if created {
		return reply{status: http.StatusCreated, body: e, location: u.apiRoot(r) + r.URL.EscapedPath()}
	}
	return noContent()
}

func (u *NF) httpGetEntitlement(r *http.Request) reply {
	e, pd := u.GetEntitlement(r.Context(), r.PathValue("ueId"))
	if pd != nil {
		return fail(pd)
	}
	return ok(e)
}

func (u *NF) httpDeleteEntitlement(r *http.Request) reply {
	if pd := u.DeleteEntitlement(r.Context(), r.PathValue("ueId")); pd != nil {
		return fail(pd)
	}
	return noContent()
}
