package dlink

import "strconv"

// Status is a DPP status code (Wi-Fi Easy Connect §8.3.4, hostapd dpp.h)
// extended with credbed's provisioning codes from 0x80.
type Status uint8

// DPP status codes.
const (
	StatusOK               Status = 0
	StatusNotCompatible    Status = 1
	StatusAuthFailure      Status = 2
	StatusUnwrapFailure    Status = 3 // DPP "BAD_CODE / UNWRAP_FAILURE"
	StatusBadGroup         Status = 4
	StatusConfigureFailure Status = 5
	StatusResponsePending  Status = 6
	StatusInvalidConnector Status = 7
	StatusNoMatch          Status = 8
	StatusConfigRejected   Status = 9
	StatusNoAP             Status = 10
	StatusConfigurePending Status = 11
	StatusCSRNeeded        Status = 12
	StatusCSRBad           Status = 13
	StatusNewKeyNeeded     Status = 14
)

// credbed provisioning status codes.
const (
	StatusAlreadyProvisioned Status = 0x80 // the TD holds a credential and refuses another (threat D9)
	StatusReplay             Status = 0x81 // package counter not above the last installed one (D5)
	StatusExpired            Status = 0x82 // package binding expired
	StatusBindingMismatch    Status = 0x83 // binding names another device or differs from the sealed one
	StatusRateLimited        Status = 0x84 // too many handshake attempts (D10)
	StatusTimeout            Status = 0x85 // local only: no answer in time
)

var statusNames = map[Status]string{
	StatusOK: "OK", StatusNotCompatible: "NOT_COMPATIBLE", StatusAuthFailure: "AUTH_FAILURE",
	StatusUnwrapFailure: "UNWRAP_FAILURE", StatusBadGroup: "BAD_GROUP",
	StatusConfigureFailure: "CONFIGURE_FAILURE", StatusResponsePending: "RESPONSE_PENDING",
	StatusInvalidConnector: "INVALID_CONNECTOR", StatusNoMatch: "NO_MATCH",
	StatusConfigRejected: "CONFIG_REJECTED", StatusNoAP: "NO_AP",
	StatusConfigurePending: "CONFIGURE_PENDING", StatusCSRNeeded: "CSR_NEEDED", StatusCSRBad: "CSR_BAD",
	StatusNewKeyNeeded: "NEW_KEY_NEEDED", StatusAlreadyProvisioned: "ALREADY_PROVISIONED",
	StatusReplay: "REPLAY", StatusExpired: "EXPIRED", StatusBindingMismatch: "BINDING_MISMATCH",
	StatusRateLimited: "RATE_LIMITED", StatusTimeout: "TIMEOUT",
}

// String returns the DPP-style name, e.g. "AUTH_FAILURE".
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return "STATUS_" + strconv.Itoa(int(s))
}
