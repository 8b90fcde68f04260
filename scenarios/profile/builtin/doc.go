// Package builtin lists credbed's built-in solution profiles. A researcher
// who adds a profile in its own package registers it here (one line) or on
// the registry their test builds.
package builtin
