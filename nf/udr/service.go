package udr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/trace"
)

// Causes used by the UDR besides those of internal/sbi.
const (
	CauseMandatoryIEMissing = "MANDATORY_IE_MISSING"
	CauseResourceNotFound   = "RESOURCE_URI_STRUCTURE_NOT_FOUND"
	CauseMethodNotAllowed   = "METHOD_NOT_ALLOWED"
	CauseModifyNotAllowed   = "MODIFICATION_NOT_ALLOWED"
	CauseSuspended          = "SUBSCRIPTION_SUSPENDED"
)

func problem(status int, cause, format string, a ...any) *models.ProblemDetails {
	return sbi.Problem(status, cause, fmt.Sprintf(format, a...))
}

func userNotFound(ueID string) *models.ProblemDetails {
	return problem(http.StatusNotFound, sbi.CauseUserNotFound, "no subscription for %s", ueID)
}

// storeProblem maps a store failure to a ProblemDetails.
func (u *NF) storeProblem(op string, err error) *models.ProblemDetails {
	if errors.Is(err, store.ErrClosed) || errors.Is(err, ErrClosed) {
		return sbi.Problem(http.StatusServiceUnavailable, sbi.CauseSystemFailure, "UDR closed")
	}
	u.deps.Logger.Error("udr store failure", "op", op, "err", err)
	return sbi.Problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "data store failure")
}

// validUeID accepts the ueId forms of TS 29.505 (SUPI or GPSI) without
// being stricter than the UDM: non-empty, printable, bounded.
func validUeID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if c <= ' ' || c == 0x7f || c == '/' {
			return false
		}
	}
	return true
}

// gate refuses a UE whose provisioning record says it may not be served:
// suspended (403) or pending past its expiry (404). A UE without an
// authentication subscription is not found.
func (u *NF) gate(tx store.Tx, ueID string) (*Provisioning, *models.ProblemDetails, error) {
	var p Provisioning
	ok, err := getJSON(tx, bucketProv, ueID, &p)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, nil
	}
	switch {
	case p.State == StateSuspended:
		return &p, problem(http.StatusForbidden, CauseSuspended, "subscription of %s is suspended", ueID), nil
	case p.expired(u.deps.Clock.Now()):
		return &p, userNotFound(ueID), nil
	}
	return &p, nil, nil
}

// QueryAuthSubsData returns the authentication subscription of ueId
// (TS 29.505 §5 AuthenticationSubscription; Nudr_DataRepository Query, TS 29.504 §5.2.2).
func (u *NF) QueryAuthSubsData(ctx context.Context, ueID string) (*models.AuthenticationSubscription, *models.ProblemDetails) {
	if !validUeID(ueID) {
		return nil, userNotFound(ueID)
	}
	var (
		out models.AuthenticationSubscription
		pd  *models.ProblemDetails
	)
	err := u.st.View(func(tx store.Tx) error {
		var err error
		if _, pd, err = u.gate(tx, ueID); err != nil || pd != nil {
			return err
		}
		ok, err := getJSON(tx, bucketAuthSubs, ueID, &out)
		if err == nil && !ok {
			pd = userNotFound(ueID)
		}
		return err
	})
	if err != nil {
		return nil, u.storeProblem("QueryAuthSubsData", err)
	}
	if pd != nil {
		return nil, pd
	}
	return &out, nil
}

// ModifyAuthenticationSubscription applies the UDM's SQN update (TS 29.505
// §5 AuthenticationSubscription PATCH, TS 29.504 §5.2.2 Update): only "replace" of
// /sequenceNumber (the whole object, with a hex sqn) or of
// /sequenceNumber/sqn is allowed; anything else is refused with 403 and
// changes nothing.
func (u *NF) ModifyAuthenticationSubscription(ctx context.Context, ueID string, items []models.PatchItem) *models.ProblemDetails {
	if !validUeID(ueID) {
		return userNotFound(ueID)
	}
	if len(items) == 0 {
		return problem(http.StatusBadRequest, CauseMandatoryIEMissing, "empty patch")
	}
	type change struct {
		whole *models.SequenceNumber
		sqn   string
	}
	changes := make([]change, 0, len(items))
	for i, it := range items {
		if it.Op != models.PatchOperation_REPLACE {
			return problem(http.StatusForbidden, CauseModifyNotAllowed, "item %d: only replace is allowed", i)
		}
		switch it.Path {
		case "/sequenceNumber":
			var sn models.SequenceNumber
			if err := remarshal(it.Value, &sn); err != nil {
				return problem(http.StatusForbidden, CauseModifyNotAllowed, "item %d: value is not a SequenceNumber", i)
			}
			sqn, ok := normSQN(sn.Sqn)
			if !ok {
				return problem(http.StatusForbidden, CauseModifyNotAllowed, "item %d: sqn must be 1 to 12 hex digits", i)
			}
			sn.Sqn = sqn
			changes = append(changes, change{whole: &sn})
		case "/sequenceNumber/sqn":
			s, _ := it.Value.(string)
			sqn, ok := normSQN(s)
			if !ok {
				return problem(http.StatusForbidden, CauseModifyNotAllowed, "item %d: sqn must be 1 to 12 hex digits", i)
			}
			changes = append(changes, change{sqn: sqn})
		default:
			return problem(http.StatusForbidden, CauseModifyNotAllowed, "item %d: path %q may not be modified", i, it.Path)
		}
	}
	var pd *models.ProblemDetails
	err := u.st.Update(func(tx store.Tx) error {
		var err error
		if _, pd, err = u.gate(tx, ueID); err != nil || pd != nil {
			return err
		}
		var a models.AuthenticationSubscription
		ok, err := getJSON(tx, bucketAuthSubs, ueID, &a)
		if err != nil {
			return err
		}
		if !ok {
			pd = userNotFound(ueID)
			return nil
		}
		for _, c := range changes {
			if c.whole != nil {
				a.SequenceNumber = c.whole
				continue
			}
			if a.SequenceNumber == nil {
				a.SequenceNumber = &models.SequenceNumber{}
			}
			a.SequenceNumber.Sqn = c.sqn
		}
		return putJSON(tx, bucketAuthSubs, ueID, &a)
	})
	if err != nil {
		return u.storeProblem("ModifyAuthenticationSubscription", err)
	}
	return pd
}

// normSQN accepts 1 to 12 hex digits and returns them as 12 lower-case
// digits (the UDM pads the same way).
func normSQN(s string) (string, bool) {
	if s == "" || len(s) > 12 {
		return "", false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return "", false
		}
	}
	return strings.Repeat("0", 12-len(s)) + strings.ToLower(s), true
}

func remarshal(in, out any) error {
	if _, ok := in.(map[string]any); !ok {
		if _, ok := in.(models.SequenceNumber); !ok {
			if _, ok := in.(*models.SequenceNumber); !ok {
				return errors.New("not an object")
			}
		}
	}
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// CreateAuthenticationStatus stores the result of the UE's last
// authentication (TS 29.505 §5 AuthenticationStatus PUT, 204). A successful one
// turns a pending subscription active in the same transaction.
func (u *NF) CreateAuthenticationStatus(ctx context.Context, ueID string, ev models.AuthEvent) *models.ProblemDetails {
	if !validUeID(ueID) {
		return userNotFound(ueID)
	}
	var (
		pd        *models.ProblemDetails
		activated bool
	)
	err := u.st.Update(func(tx store.Tx) error {
		activated = false
		p, gpd, err := u.gate(tx, ueID)
		if err != nil || gpd != nil {
			pd = gpd
			return err
		}
		if _, err := tx.Get(bucketAuthSubs, ueID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				pd = userNotFound(ueID)
				return nil
			}
			return err
		}
		if err := putJSON(tx, bucketAuthStatus, ueID, &ev); err != nil {
			return err
		}
		if p != nil && p.State == StatePending && ev.Success {
			p.State = StateActive
			p.ExpiresAt = time.Time{}
			p.UpdatedAt = u.deps.Clock.Now()
			activated = true
			return putJSON(tx, bucketProv, ueID, p)
		}
		return nil
	})
	if err != nil {
		return u.storeProblem("CreateAuthenticationStatus", err)
	}
	if activated {
		u.emit(trace.Event{Kind: trace.KindState, Name: string(StateActive), SUPI: ueID, Detail: string(StatePending)})
	}
	return pd
}

// QueryAuthenticationStatus returns the stored authentication status.
func (u *NF) QueryAuthenticationStatus(ctx context.Context, ueID string) (*models.AuthEvent, *models.ProblemDetails) {
	var ev models.AuthEvent
	pd := u.query("QueryAuthenticationStatus", ueID, bucketAuthStatus, &ev, false)
	if pd != nil {
		return nil, pd
	}
	return &ev, nil
}

// DeleteAuthenticationStatus removes the stored authentication status (204).
func (u *NF) DeleteAuthenticationStatus(ctx context.Context, ueID string) *models.ProblemDetails {
	if !validUeID(ueID) {
		return userNotFound(ueID)
	}
	var pd *models.ProblemDetails
	err := u.st.Update(func(tx store.Tx) error {
		if _, err := tx.Get(bucketAuthSubs, ueID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				pd = userNotFound(ueID)
				return nil
			}
			return err
		}
		return tx.Delete(bucketAuthStatus, ueID)
	})
	if err != nil {
		return u.storeProblem("DeleteAuthenticationStatus", err)
	}
	return pd
}

// query reads one data set of a UE: 404 USER_NOT_FOUND when the UE has no
// subscription, 404 DATA_NOT_FOUND when it lacks this data set. gated
// applies the provisioning state.
func (u *NF) query(op, ueID, bucket string, out any, gated bool) *models.ProblemDetails {
	if !validUeID(ueID) {
		return userNotFound(ueID)
	}
	var pd *models.ProblemDetails
	err := u.st.View(func(tx store.Tx) error {
		if gated {
			var err error
			if _, pd, err = u.gate(tx, ueID); err != nil || pd != nil {
				return err
			}
		}
		ok, err := getJSON(tx, bucket, ueID, out)
		if err != nil || ok {
			return err
		}
		if _, err := tx.Get(bucketAuthSubs, ueID); errors.Is(err, store.ErrNotFound) {
			pd = userNotFound(ueID)
			return nil
		}
		pd = problem(http.StatusNotFound, sbi.CauseDataNotFound, "no %s for %s", strings.TrimPrefix(bucket, "udr/"), ueID)
		return nil
	})
	if err != nil {
		return u.storeProblem(op, err)
	}
	return pd
}

// QueryAmData returns the access and mobility subscription data (TS 29.505 §5 AccessAndMobilitySubscriptionData).
func (u *NF) QueryAmData(ctx context.Context, ueID, servingPlmnID string) (*models.AccessAndMobilitySubscriptionData, *models.ProblemDetails) {
	var out models.AccessAndMobilitySubscriptionData
	if pd := u.query("QueryAmData", ueID, bucketAmData, &out, true); pd != nil {
		return nil, pd
	}
	return &out, nil
}

// QuerySmfSelectData returns the SMF selection subscription data (TS 29.505 §5 SmfSelectionSubscriptionData).
func (u *NF) QuerySmfSelectData(ctx context.Context, ueID, servingPlmnID string) (*models.SmfSelectionSubscriptionData, *models.ProblemDetails) {
	var out models.SmfSelectionSubscriptionData
	if pd := u.query("QuerySmfSelectData", ueID, bucketSmfSel, &out, true); pd != nil {
		return nil, pd
	}
	return &out, nil
}

// QuerySmData returns the session management subscription data (TS 29.505
// §5 SessionManagementSubscriptionData), filtered by S-NSSAI and DNN when given, in the
// ExtendedSmSubsData form (an object) that the openapi v1.2.4 client decodes.
func (u *NF) QuerySmData(ctx context.Context, ueID, servingPlmnID string, snssai *models.Snssai, dnn string) (*models.SmSubsData, *models.ProblemDetails) {
	var all []models.SessionManagementSubscriptionData
	if pd := u.query("QuerySmData", ueID, bucketSmData, &all, true); pd != nil {
		return nil, pd
	}
	out := &models.SmSubsData{SharedSmSubsDataIds: []string{}, IndividualSmSubsData: []models.SessionManagementSubscriptionData{}}
	for _, d := range all {
		if snssai != nil && (d.SingleNssai == nil || d.SingleNssai.Sst != snssai.Sst || !strings.EqualFold(d.SingleNssai.Sd, snssai.Sd)) {
			continue
		}
		if dnn != "" {
			cfg, ok := d.DnnConfigurations[dnn]
			if !ok {
				continue
			}
			d.DnnConfigurations = map[string]models.DnnConfiguration{dnn: cfg}
		}
		out.IndividualSmSubsData = append(out.IndividualSmSubsData, d)
	}
	return out, nil
}

// CreateAmfContext3gpp stores the AMF registration for 3GPP access (TS
// 29.505 §5 Amf3GppAccessRegistration, PUT): created reports a new
// resource (201) rather than a replacement (204).
func (u *NF) CreateAmfContext3gpp(ctx context.Context, ueID string, reg models.Amf3GppAccessRegistration) (created bool, pd *models.ProblemDetails) {
	if !validUeID(ueID) {
		return false, userNotFound(ueID)
	}
	if reg.AmfInstanceId == "" {
		return false, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "amfInstanceId is required")
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
		_, err := tx.Get(bucketAmf3gpp, ueID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			created = true
		case err != nil:
			return err
		}
		return putJSON(tx, bucketAmf3gpp, ueID, &reg)
	})
	if err != nil {
		return false, u.storeProblem("CreateAmfContext3gpp", err)
	}
	return created, pd
}

// QueryAmfContext3gpp returns the stored AMF registration for 3GPP access.
func (u *NF) QueryAmfContext3gpp(ctx context.Context, ueID string) (*models.Amf3GppAccessRegistration, *models.ProblemDetails) {
	var out models.Amf3GppAccessRegistration
	if pd := u.query("QueryAmfContext3gpp", ueID, bucketAmf3gpp, &out, false); pd != nil {
		return nil, pd
	}
	return &out, nil
}

// ModifyAmfContext3gpp applies a JSON Patch (RFC 6902) to the stored AMF
// registration (204). A patch that fails, or leaves something that is not
// an Amf3GppAccessRegistration, changes nothing (400).
func (u *NF) ModifyAmfContext3gpp(ctx context.Context, ueID string, items []models.PatchItem) *models.ProblemDetails {
	if !validUeID(ueID) {
		return userNotFound(ueID)
	}
	if len(items) == 0 {
		return problem(http.StatusBadRequest, CauseMandatoryIEMissing, "empty patch")
	}
	var pd *models.ProblemDetails
	err := u.st.Update(func(tx store.Tx) error {
		pd = nil
		raw, err := tx.Get(bucketAmf3gpp, ueID)
		if errors.Is(err, store.ErrNotFound) {
			if _, err := tx.Get(bucketAuthSubs, ueID); errors.Is(err, store.ErrNotFound) {
				pd = userNotFound(ueID)
			} else {
				pd = problem(http.StatusNotFound, sbi.CauseContextNotFound, "no AMF registration for %s", ueID)
			}
			return nil
		}
		if err != nil {
			return err
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("%w: %s", errCorruptRecord, bucketAmf3gpp)
		}
		doc, err = sbi.ApplyPatch(doc, items)
		if err != nil {
			pd = problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "%v", err)
			return nil
		}
		b, err := json.Marshal(doc)
		if err != nil {
			pd = problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "patched registration: %v", err)
			return nil
		}
		var reg models.Amf3GppAccessRegistration
		if err := json.Unmarshal(b, &reg); err != nil || reg.AmfInstanceId == "" {
			pd = problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "patched document is not an Amf3GppAccessRegistration")
			return nil
		}
		return putJSON(tx, bucketAmf3gpp, ueID, &reg)
	})
	if err != nil {
		return u.storeProblem("ModifyAmfContext3gpp", err)
	}
	return pd
}
