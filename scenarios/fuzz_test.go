package scenarios_test

import (
	"io/fs"
	"testing"

	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/scenarios/catalogue"
	"github.com/credbed/credbed/scenarios/scenariotest"
)

// FuzzParse: scenario files come from researchers and CI checkouts; no
// input may panic the loader, and it returns a scenario or an error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(valid))
	f.Add([]byte(completed))
	f.Add([]byte("id: x\n"))
	f.Add([]byte("steps: [{action: drop, with: {iface: [n2, {a: b}]}}]\n"))
	f.Add([]byte("a: &x [*x]\n"))
	_ = fs.WalkDir(catalogue.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if data, err := fs.ReadFile(catalogue.FS(), p); err == nil {
				f.Add(data)
			}
		}
		return nil
	})
	reg, err := scenariotest.Registry(blocks.Default())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenarios.Parse("fuzz.yaml", data, reg, scenarios.LoadOptions{})
		if (s == nil) == (err == nil) {
			t.Fatalf("Parse returned %v and %v", s, err)
		}
		if s != nil {
			_ = s.AllLabels()
			_ = scenarios.Jobs([]*scenarios.Scenario{s}, []string{"secure"})
		}
	})
}
