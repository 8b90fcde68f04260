package aanf

import "time"

// AkmaKeyInfo is the Naanf_AKMA_AnchorKey_Register body (TS 29.535
// §6.1.6.2.2): the SUPI, the A-KID and K_AKMA (64 hex digits).
type AkmaKeyInfo struct {
	Supi              string `json:"supi"`
	AKId              string `json:"aKId"`
	KAkma             string `json:"kAkma,omitempty"`
	SupportedFeatures string `json:"supportedFeatures,omitempty"`
}

// String describes k without K_AKMA.
func (k AkmaKeyInfo) String() string {
	return "AkmaKeyInfo{supi:" + k.Supi + " aKId:" + k.AKId + " kAkma:[redacted]}"
}

// GoString is String.
func (k AkmaKeyInfo) GoString() string { return k.String() }

// AkmaAfKeyRequest is the Naanf_AKMA_ApplicationKey_Get body (TS 29.535
// §6.1.6.2.3): the AF's identifier and the A-KID the UE gave it.
type AkmaAfKeyRequest struct {
	AfID              string `json:"afId"`
	AKId              string `json:"aKId"`
	SupportedFeatures string `json:"supportedFeatures,omitempty"`
}

// AkmaAfKeyData is the Naanf_AKMA_ApplicationKey_Get answer (TS 29.535
// §6.1.6.2.4): K_AF (64 hex digits), its expiry and the SUPI.
type AkmaAfKeyData struct {
	Kaf    string    `json:"kaf"`
	Expiry time.Time `json:"expiry"`
	Supi   string    `json:"supi,omitempty"`
}

// String describes d without K_AF.
func (d AkmaAfKeyData) String() string {
	return "AkmaAfKeyData{supi:" + d.Supi + " expiry:" + d.Expiry.Format(time.RFC3339) + " kaf:[redacted]}"
}

// GoString is String.
func (d AkmaAfKeyData) GoString() string { return d.String() }

// CtxRemove is the Naanf_AKMA_Context_Remove body (TS 29.535 §6.1.6.2.5).
type CtxRemove struct {
	Supi string `json:"supi"`
}
