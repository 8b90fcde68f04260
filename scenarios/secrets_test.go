package scenarios_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/reports"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/bedenv"
	"github.com/credbed/credbed/ue"
)

// secretEnv collects a bed's secrets when the runner closes it.
type secretEnv struct {
	*bedenv.Env
	actors []scenarios.ActorSpec
	add    func(name string, b []byte)
}

func (e *secretEnv) Close() error {
	bed := e.Bed
	for _, s := range bed.Topo.Subscribers {
		for _, h := range []string{s.K, s.OPc} {
			if b, err := hex.DecodeString(h); err == nil && len(b) > 0 {
				e.add(s.SUPI+" K/OPc", b)
			}
		}
	}
	for _, a := range e.actors {
		v, err := e.Actor(a.Name)
		if err != nil {
			continue
		}
		if c, ok := v.(interface {
			Credential() (credential.Package, bool)
		}); ok {
			if p, ok := c.Credential(); ok {
				e.add(a.Name+" credential K", p.K[:])
				e.add(a.Name+" credential OPc", p.OPc[:])
			}
		}
		if u, ok := v.(interface{ UE() *ue.UE }); ok && u.UE() != nil {
			if kausf, ok := u.UE().KAUSF(); ok {
				e.add(a.Name+" KAUSF", kausf[:])
				if kseaf, err := aka.KSEAF(kausf, bed.ServingNetworkName()); err == nil {
					e.add(a.Name+" KSEAF", kseaf[:])
				}
			}
		}
	}
	return e.Env.Close()
}

// encodings returns the forms a secret may take in a file.
func encodings(b []byte) [][]byte {
	h := hex.EncodeToString(b)
	return [][]byte{
		[]byte(h), []byte(strings.ToUpper(h)), b,
		[]byte(base64.StdEncoding.EncodeToString(b)), []byte(base64.RawStdEncoding.EncodeToString(b)),
		[]byte(base64.URLEncoding.EncodeToString(b)), []byte(base64.RawURLEncoding.EncodeToString(b)),
	}
}

var _ = Describe("secrets in captures and reports", Ordered, func() {
	// Reference: TS 33.501 §5.2.4, §6.1.3 (keys never leave their entity); issue "Reports" items 4-5
	It("shows no K, OPc, KAUSF or KSEAF outside captures marked as carrying plaintext secrets", func() {
		GinkgoWriter.Printf("seed %d\n", GinkgoRandomSeed())
		Expect(catalogueErr).NotTo(HaveOccurred())
		var slice []*scenarios.Scenario
		for _, s := range catalogueScenarios {
			if slices.Contains([]string{"L0", "D1", "K0", "X5"}, s.ID) {
				slice = append(slice, s)
			}
		}
		Expect(slice).NotTo(BeEmpty())

		var mu sync.Mutex
		secrets := map[string][]byte{}
		add := func(name string, b []byte) {
			mu.Lock()
			defer mu.Unlock()
			if !bytes.Equal(b, make([]byte, len(b))) {
				secrets[name+" "+hex.EncodeToString(b[:2])] = bytes.Clone(b)
			}
		}
		real, err := bedenv.Factory(bedenv.Options{})
		Expect(err).NotTo(HaveOccurred())
		factory := func(ctx context.Context, cfg scenarios.EnvConfig) (scenarios.Env, error) {
			env, err := real(ctx, cfg)
			if err != nil {
				return env, err
			}
			be, ok := env.(*bedenv.Env)
			if !ok {
				return env, nil
			}
			return &secretEnv{Env: be, actors: cfg.Actors, add: add}, nil
		}

		dir := GinkgoT().TempDir()
		capDir := filepath.Join(dir, "captures")
		r := &scenarios.Runner{NewEnv: factory, Seed: GinkgoRandomSeed(), CaptureDir: capDir, CapturePrefix: "captures"}
		jobs := scenarios.Jobs(slice, []string{"baseline", "secure"})
		Expect(jobs).NotTo(BeEmpty())
		results := r.Run(context.Background(), jobs)
		run := &reports.Run{Schema: 1, Tool: "credbed", Seed: GinkgoRandomSeed(), Mode: "mem",
			Profiles: []string{"baseline", "secure"}, Scenarios: results}
		for name, write := range map[string]func(*os.File, *reports.Run) error{
			"report.json": func(f *os.File, r *reports.Run) error { return reports.WriteJSON(f, r) },
			"junit.xml":   func(f *os.File, r *reports.Run) error { return reports.WriteJUnit(f, r) },
			"summary.md":  func(f *os.File, r *reports.Run) error { return reports.WriteMarkdown(f, r) },
			"report.html": func(f *os.File, r *reports.Run) error { return reports.WriteHTML(f, r) },
		} {
			f, err := os.Create(filepath.Join(dir, name))
			Expect(err).NotTo(HaveOccurred())
			Expect(write(f, run)).To(Succeed(), name)
			Expect(f.Close()).To(Succeed())
		}
		var log bytes.Buffer
		for _, res := range results {
			b, err := json.Marshal(res.Trace)
			Expect(err).NotTo(HaveOccurred())
			log.Write(b)
			log.WriteByte('\n')
		}
		Expect(os.WriteFile(filepath.Join(dir, "log"), log.Bytes(), 0o644)).To(Succeed())

		allowed := map[string]bool{} // capture files whose result is marked
		unmarked := 0
		for _, res := range results {
			if res.Capture != "" && res.CaptureSecrets {
				allowed[filepath.Base(res.Capture)] = true
			} else if res.Capture != "" {
				unmarked++
			}
		}
		Expect(unmarked).To(BeNumerically(">", 0), "no unmarked capture to scan")
		Expect(secrets).NotTo(BeEmpty(), "the beds held no secrets to look for")
		AddReportEntry("secrets looked for", len(secrets))

		var leaks []string
		err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if filepath.Dir(path) == capDir && allowed[d.Name()] {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for name, s := range secrets {
				for _, enc := range encodings(s) {
					if bytes.Contains(data, enc) {
						leaks = append(leaks, d.Name()+": "+name)
						break
					}
				}
			}
			return nil
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(leaks).To(BeEmpty())
	})
})
