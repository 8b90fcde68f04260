package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// Result is one run's measurements: the JSON object `credbed bench --json`
// prints. Every field is always present; a phase that did not run leaves
// its fields at zero and is named in Skipped.
type Result struct {
	Mode        string   `json:"mode"`
	Profile     string   `json:"profile"`
	Cores       int      `json:"cores"`   // GOMAXPROCS: the cores the run used
	NumCPU      int      `json:"num_cpu"` // logical CPUs of the machine
	GoVersion   string   `json:"go_version"`
	Seed        int64    `json:"seed"`
	UEs         int      `json:"ues"`
	Concurrency int      `json:"concurrency"`
	Phases      []string `json:"phases"`
	// TargetRatePerS is the requested arrival rate (0 = unlimited); RampS
	// the ramp time in seconds.
	TargetRatePerS float64 `json:"target_rate_per_s"`
	RampS          float64 `json:"ramp_s"`

	CryptoFloorPerS float64 `json:"crypto_floor_per_s"`
	CryptoFloorSets int64   `json:"crypto_floor_sets"`

	RegistrationsPerS float64 `json:"registrations_per_s"`
	// RegistrationArrivalsPerS is the achieved arrival rate.
	RegistrationArrivalsPerS float64 `json:"registration_arrivals_per_s"`
	RegistrationRatioToFloor float64 `json:"registration_ratio_to_floor"`
	RegistrationsOK          int64   `json:"registrations_ok"`
	RegistrationErrors       int64   `json:"registration_errors"`
	RegistrationSeconds      float64 `json:"registration_seconds"`
	RegistrationP50Ms        float64 `json:"registration_p50_ms"`
	RegistrationP90Ms        float64 `json:"registration_p90_ms"`
	RegistrationP99Ms        float64 `json:"registration_p99_ms"`
	RegistrationMaxMs        float64 `json:"registration_max_ms"`
	BytesPerRegisteredUE     float64 `json:"bytes_per_registered_ue"`

	// The half-rate phase: UEs registered on a fresh system with the
	// arrival rate set to half of RegistrationsPerS.
	HalfRateTargetPerS   float64 `json:"half_rate_target_per_s"`
	HalfRateArrivalsPerS float64 `json:"half_rate_arrivals_per_s"`
	HalfRateOK           int64   `json:"half_rate_ok"`
	HalfRateErrors       int64   `json:"half_rate_errors"`
	HalfRateP50Ms        float64 `json:"half_rate_p50_ms"`
	HalfRateP99Ms        float64 `json:"half_rate_p99_ms"`

	Lifecycles            int     `json:"lifecycles"`
	LifecyclesPerS        float64 `json:"lifecycles_per_s"`
	LifecycleArrivalsPerS float64 `json:"lifecycle_arrivals_per_s"`
	LifecyclesOK          int64   `json:"lifecycles_ok"`
	LifecycleErrors       int64   `json:"lifecycle_errors"`
	LifecycleP50Ms        float64 `json:"lifecycle_p50_ms"`
	LifecycleP99Ms        float64 `json:"lifecycle_p99_ms"`

	UPFPacketsPerS      float64 `json:"upf_packets_per_s"`
	UPFPacketsSent      uint64  `json:"upf_packets_sent"`
	UPFPacketsDelivered uint64  `json:"upf_packets_delivered"`
	UPFPacketsDropped   uint64  `json:"upf_packets_dropped"`

	// Errors holds sample error messages, "phase: message".
	Errors []string `json:"errors"`
	// Skipped names the phases that did not run, "phase: reason".
	Skipped []string `json:"skipped"`
}

// Failed reports whether any registration or lifecycle failed or any phase
// recorded an error.
func (r *Result) Failed() bool {
	return r.RegistrationErrors > 0 || r.HalfRateErrors > 0 || r.LifecycleErrors > 0 || len(r.Errors) > 0
}

// Targets of DESIGN.md "Performance targets" (embedded mode, 2 cores).
const (
	TargetRegistrationsPerS = 5000
	TargetRatioToFloor      = 0.5
	TargetLifecyclesPerS    = 1000
	TargetBytesPerUE        = 16 << 10
	TargetP99Ms             = 5
)

// WriteTable prints the result as an aligned table.
func (r *Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(measure, value, target string) { fmt.Fprintf(tw, "%s\t%s\t%s\n", measure, value, target) }
	rate := fmt.Sprintf("%.0f/s", r.TargetRatePerS)
	if r.TargetRatePerS == 0 {
		rate = "unlimited"
	}
	fmt.Fprintf(tw, "credbed bench: mode %s, profile %s, %d cores, %d UEs, concurrency %d, rate %s, %s\n\n",
		r.Mode, r.Profile, r.Cores, r.UEs, r.Concurrency, rate, r.GoVersion)
	row("MEASURE", "VALUE", "TARGET")
	// section prints a phase's rows, or one "skipped" row.
	section := func(p Phase, title, target string, rows func()) {
		if why, skipped := r.skipReason(p); skipped {
			row(title, "skipped: "+why, target)
			return
		}
		rows()
	}
	section(PhaseCryptoFloor, "crypto floor (registration crypto sets)", "", func() {
		row("crypto floor (registration crypto sets)", perS(r.CryptoFloorPerS), "")
	})
	section(PhaseRegistrations, "initial registrations", fmt.Sprintf(">= %d/s", TargetRegistrationsPerS), func() {
		row("initial registrations", perS(r.RegistrationsPerS), fmt.Sprintf(">= %d/s", TargetRegistrationsPerS))
		row("  achieved arrival rate", perS(r.RegistrationArrivalsPerS), "")
		row("  ratio to crypto floor", fmt.Sprintf("%.1f%%", 100*r.RegistrationRatioToFloor),
			fmt.Sprintf(">= %.0f%%", 100*TargetRatioToFloor))
		row("  latency p50 / p90 / p99 / max", fmt.Sprintf("%.2f / %.2f / %.2f / %.2f ms",
			r.RegistrationP50Ms, r.RegistrationP90Ms, r.RegistrationP99Ms, r.RegistrationMaxMs), "")
		row("  ok / errors", fmt.Sprintf("%d / %d", r.RegistrationsOK, r.RegistrationErrors), "")
		row("memory per idle registered UE", fmt.Sprintf("%.0f B", r.BytesPerRegisteredUE), fmt.Sprintf("<= %d B", TargetBytesPerUE))
	})
	section(PhaseHalfRate, "registrations at half the peak rate", fmt.Sprintf("p99 <= %d ms", TargetP99Ms), func() {
		row("registrations at half the peak rate", fmt.Sprintf("%s (achieved %s)", perS(r.HalfRateTargetPerS), perS(r.HalfRateArrivalsPerS)), "")
		row("  latency p50 / p99", fmt.Sprintf("%.2f / %.2f ms", r.HalfRateP50Ms, r.HalfRateP99Ms), fmt.Sprintf("p99 <= %d ms", TargetP99Ms))
		row("  ok / errors", fmt.Sprintf("%d / %d", r.HalfRateOK, r.HalfRateErrors), "")
	})
	section(PhaseLifecycles, "provisioning lifecycles", fmt.Sprintf(">= %d/s", TargetLifecyclesPerS), func() {
		row("provisioning lifecycles", perS(r.LifecyclesPerS), fmt.Sprintf(">= %d/s", TargetLifecyclesPerS))
		row("  achieved arrival rate", perS(r.LifecycleArrivalsPerS), "")
		row("  latency p50 / p99", fmt.Sprintf("%.2f / %.2f ms", r.LifecycleP50Ms, r.LifecycleP99Ms), "")
		row("  ok / errors", fmt.Sprintf("%d / %d", r.LifecyclesOK, r.LifecycleErrors), "")
	})
	section(PhaseUPF, "UPF uplink packets", "", func() {
		row("UPF uplink packets", perS(r.UPFPacketsPerS), "")
		row("  sent / delivered / dropped", fmt.Sprintf("%d / %d / %d", r.UPFPacketsSent, r.UPFPacketsDelivered, r.UPFPacketsDropped), "")
	})
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range r.Errors {
		if _, err := fmt.Fprintf(w, "error %s\n", e); err != nil {
			return err
		}
	}
	return nil
}

// skipReason returns why phase p did not run.
func (r *Result) skipReason(p Phase) (string, bool) {
	for _, s := range r.Skipped {
		if why, ok := strings.CutPrefix(s, string(p)+": "); ok {
			return why, true
		}
	}
	return "", false
}

func perS(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f/s", v)
}

// finite replaces NaN and infinities (which JSON cannot carry) with 0.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func (r *Result) addErrors(p Phase, msgs ...string) {
	for _, m := range msgs {
		r.Errors = append(r.Errors, string(p)+": "+oneLine(m))
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
