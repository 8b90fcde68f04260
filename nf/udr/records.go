package udr

import (
	"fmt"
	"time"

	"github.com/free5gc/openapi/models"
)

// State is the provisioning state of a subscription (DESIGN: pending until
// the device first authenticates, then active; suspended refuses service).
type State string

// Provisioning states.
const (
	StatePending   State = "pending"
	StateActive    State = "active"
	StateSuspended State = "suspended"
)

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	return s == StatePending || s == StateActive || s == StateSuspended
}

// Provisioning is the record kept beside each subscription, written in
// the same transaction as its data.
type Provisioning struct {
	State State `json:"state"`
	// Owner is who provisioned it (a provisioning device's SUPI, a CPF id).
	Owner     string    `json:"owner,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	// ExpiresAt ends a pending subscription that never authenticated.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// expired reports whether a pending record is past its expiry at now.
func (p Provisioning) expired(now time.Time) bool {
	return p.State == StatePending && !p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt)
}

// SubscriptionData is the body of the credbed provisioning resource
// PUT/GET /nudr-dr/v2/subscription-data/{ueId}: every data set of one UE.
type SubscriptionData struct {
	AuthenticationSubscription *models.AuthenticationSubscription         `json:"authenticationSubscription"`
	AmData                     *models.AccessAndMobilitySubscriptionData  `json:"amData,omitempty"`
	SmfSelectionData           *models.SmfSelectionSubscriptionData       `json:"smfSelectionSubscriptionData,omitempty"`
	SmData                     []models.SessionManagementSubscriptionData `json:"smData,omitempty"`
	Provisioning               *Provisioning                              `json:"provisioning,omitempty"`
}

// String describes d without K and OPc.
func (d SubscriptionData) String() string {
	state := State("")
	if d.Provisioning != nil {
		state = d.Provisioning.State
	}
	supi := ""
	if d.AuthenticationSubscription != nil {
		supi = d.AuthenticationSubscription.Supi
	}
	return fmt.Sprintf("SubscriptionData{supi:%s state:%s amData:%v smfSelection:%v smData:%d keys:[redacted]}",
		supi, state, d.AmData != nil, d.SmfSelectionData != nil, len(d.SmData))
}

// GoString is String, so %#v does not print K and OPc either.
func (d SubscriptionData) GoString() string { return d.String() }

// ProvisioningUpdate is the body of PATCH …/{ueId}/provisioning: the
// fields present are changed.
type ProvisioningUpdate struct {
	State     *State     `json:"state,omitempty"`
	Owner     *string    `json:"owner,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// ProvisioningRecord is one entry of GET /nudr-dr/v2/subscription-data?owner=.
type ProvisioningRecord struct {
	Supi         string       `json:"supi"`
	Provisioning Provisioning `json:"provisioning"`
}
