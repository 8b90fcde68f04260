package metrics

import "strings"

// unknownNF labels events without an Actor.
const unknownNF = "unknown"

// Label values used when a field is empty or out of range.
const (
	unspecified = "unspecified"
	otherLabel  = "_other"
)

// nfLabel normalises an Actor into the nf label: the part before the first
// "/" (per-UE actors "ue/imsi-..." count as "ue").
func nfLabel(actor string) string {
	if i := strings.IndexByte(actor, '/'); i >= 0 {
		actor = actor[:i]
	}
	if actor == "" {
		return unknownNF
	}
	return actor
}

// perInstanceActor reports whether actor names one UE-like instance
// ("ue/imsi-...", "td/td-0001").
func perInstanceActor(actor string) bool {
	i := strings.IndexByte(actor, '/')
	return i >= 0 && i < len(actor)-1
}

// statusClass maps an HTTP status to its class label.
func statusClass(status int) string {
	switch {
	case status == 0:
		return "none"
	case status >= 100 && status < 200:
		return "1xx"
	case status < 300 && status >= 200:
		return "2xx"
	case status < 400 && status >= 300:
		return "3xx"
	case status < 500 && status >= 400:
		return "4xx"
	case status < 600 && status >= 500:
		return "5xx"
	}
	return "other"
}

// endSuffixes end a context whatever the nf (case-insensitive suffix match).
var endSuffixes = [...]string{"deleted", "removed", "released", "purged", "expired"}

// orUnspecified returns s, or "unspecified" when s is empty.
func orUnspecified(s string) string {
	if s == "" {
		return unspecified
	}
	return s
}

// firstToken returns s up to its first space.
func firstToken(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
