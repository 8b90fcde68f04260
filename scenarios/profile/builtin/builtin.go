package builtin

import (
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/baseline"
	"github.com/credbed/credbed/scenarios/profile/secure"
)

// Profiles returns fresh values of the built-in profiles.
func Profiles() []profile.Profile {
	return []profile.Profile{
		secure.New(),
		baseline.New(),
	}
}

// Registry returns a new registry holding the built-in profiles.
func Registry() (*profile.Registry, error) {
	r := profile.NewRegistry()
	for _, p := range Profiles() {
		if err := r.Register(p); err != nil {
			return nil, err
		}
	}
	return r, nil
}
