package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/credbed/credbed/scenarios"
)

// newListCmd builds `credbed list`.
func newListCmd() *cobra.Command { return newListCmdWith(defaultScenarioDeps()) }

// listedScenario is one scenario in `credbed list --json`.
type listedScenario struct {
	ID           string            `json:"id"`
	Suite        string            `json:"suite,omitempty"`
	Title        string            `json:"title"`
	Threats      []string          `json:"threats"`
	Requirements []string          `json:"requirements"`
	Labels       []string          `json:"labels"`
	Expect       map[string]string `json:"expect"`
	Residual     map[string]string `json:"residual_risk,omitempty"`
	File         string            `json:"file"`
}

type listedBlock struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Summary string   `json:"summary"`
	Roles   []string `json:"roles,omitempty"`
}

func newListCmdWith(deps scenarioDeps) *cobra.Command {
	var (
		asJSON, listBlocks bool
		dirs               []string
	)
	cmd := &cobra.Command{
		Use:   "list [--json] [--blocks]",
		Short: "List the scenarios (or, with --blocks, the building blocks and roles)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			scns, reg, _, err := deps.loadScenarios(dirs)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if listBlocks {
				return printBlocks(out, reg, asJSON)
			}
			return printScenarios(out, scns, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&listBlocks, "blocks", false, "list the building blocks and actor roles instead")
	cmd.Flags().StringArrayVar(&dirs, "catalogue", nil, "also load the scenarios under this folder (repeatable)")
	return cmd
}

func printScenarios(w io.Writer, scns []*scenarios.Scenario, asJSON bool) error {
	list := make([]listedScenario, 0, len(scns))
	for _, s := range scns {
		ls := listedScenario{ID: s.ID, Suite: s.Suite, Title: s.Title, Threats: nonNil(s.Threats),
			Requirements: nonNil(s.Requirements), Labels: nonNil(s.AllLabels()), Expect: map[string]string{}, File: s.File}
		for p, e := range s.Expect {
			ls.Expect[p] = e.Outcome
			if e.Residual {
				if ls.Residual == nil {
					ls.Residual = map[string]string{}
				}
				ls.Residual[p] = e.Reason
			}
		}
		list = append(list, ls)
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSUITE\tTHREATS\tREQS\tEXPECT\tTITLE")
	for _, s := range list {
		var exp []string
		for _, p := range sortedKeys(s.Expect) {
			e := p + "=" + s.Expect[p]
			if _, ok := s.Residual[p]; ok {
				e += "(residual)"
			}
			exp = append(exp, e)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, dash(s.Suite), strings.Join(s.Threats, ","),
			strings.Join(s.Requirements, ","), strings.Join(exp, " "), s.Title)
	}
	return tw.Flush()
}

func printBlocks(w io.Writer, reg *scenarios.Registry, asJSON bool) error {
	var list []listedBlock
	for _, b := range reg.Blocks() {
		list = append(list, listedBlock{Name: b.Name, Kind: b.Kind.String(), Summary: b.Summary, Roles: b.Roles})
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"blocks": list, "roles": reg.Roles()})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BLOCK\tKIND\tSUMMARY")
	for _, b := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", b.Name, b.Kind, b.Summary)
	}
	fmt.Fprintln(tw, "\nROLE\t\tDESCRIPTION")
	for _, r := range reg.Roles() {
		fmt.Fprintf(tw, "%s\t\t%s\n", r.Name, r.Description)
	}
	return tw.Flush()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
