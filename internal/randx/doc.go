// Package randx shares one injected random source (Deps.Rand) among
// concurrent procedures without a global lock, and formats random NF
// instance ids as version 4 UUIDs (RFC 9562 §5.4; TS 29.510 nfInstanceId).
package randx
