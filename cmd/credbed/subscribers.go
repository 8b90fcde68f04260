package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/credbed/credbed/internal/subscriber"
)

// newSubscribersCmd builds `credbed subscribers`: generate and check
// subscriber files (the YAML format of internal/subscriber).
func newSubscribersCmd() *cobra.Command {
	return groupCmd("subscribers", "Generate and check subscriber files",
		newSubscribersGenCmd(), newSubscribersCheckCmd())
}

func newSubscribersGenCmd() *cobra.Command {
	var (
		count int
		seed  int64
		out   string
		force bool
		opts  subscriber.GenOptions
		sst   int
		sd    string
	)
	cmd := &cobra.Command{
		Use:   "gen --count N [--seed S] [--out FILE] [--plmn 00101] [--start-msin 1]",
		Short: "Write N subscribers with sequential SUPIs and seeded K/OPc",
		Long: "Writes a subscriber file (YAML) to stdout, or to --out with mode 0600 since it holds\n" +
			"K and OPc. SUPIs are imsi-<PLMN><MSIN> from --start-msin on; K and OPc come from a\n" +
			"generator seeded by --seed, so the same flags always give the same file.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("count") {
				return badInput("--count is required")
			}
			opts.SNSSAIs = []subscriber.SNSSAI{{SST: sst, SD: sd}}
			subs, err := subscriber.Generate(count, seed, opts)
			if err != nil {
				return asBadInput(err)
			}
			data, err := subscriber.Marshal(subs)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(data)
				return err
			}
			if err := writeSecretFile(out, data, force); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d subscribers to %s (seed %d)\n", len(subs), out, seed)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&count, "count", 0, "number of subscribers (required)")
	f.Int64Var(&seed, "seed", 1, "seed of the K/OPc generator")
	f.StringVarP(&out, "out", "o", "", "output file, mode 0600 (stdout when empty or -)")
	f.BoolVar(&force, "force", false, "overwrite an existing --out file")
	f.StringVar(&opts.PLMN, "plmn", subscriber.DefaultPLMN, "home PLMN, MCC+MNC digits")
	f.StringVar(&opts.StartMSIN, "start-msin", "1", "first MSIN")
	f.StringVar(&opts.AMF, "amf", subscriber.DefaultAMF, "authentication management field, 4 hex digits")
	f.StringVar(&opts.SQN, "sqn", subscriber.DefaultSQN, "initial SQN, 12 hex digits")
	f.StringSliceVar(&opts.DNNs, "dnn", []string{subscriber.DefaultDNN}, "subscribed DNNs")
	f.IntVar(&sst, "sst", subscriber.DefaultSST, "slice/service type of the subscribed S-NSSAI")
	f.StringVar(&sd, "sd", "", "slice differentiator, 6 hex digits (none when empty)")
	f.BoolVar(&opts.AKMA, "akma", false, "allow AKMA for every subscriber")
	return cmd
}

func newSubscribersCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a subscriber file (- reads stdin)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return badInput("%s takes one file argument", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var (
				data []byte
				err  error
			)
			if args[0] == "-" {
				data, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<30))
			} else {
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return err
			}
			subs, err := subscriber.Parse(data)
			if err != nil {
				return badInput("%s: %v", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d subscribers, valid\n", args[0], len(subs))
			return nil
		},
	}
}

// writeSecretFile writes data to path with mode 0600 through a temporary
// file in the same directory, so no reader sees a partial file. It refuses
// to replace an existing file unless force is set.
func writeSecretFile(path string, data []byte, force bool) error {
	if _, err := os.Lstat(path); err == nil && !force {
		return badInput("--out %s already exists (use --force to overwrite)", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("writing subscribers: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing subscribers: %w", err)
	}
	name := tmp.Name()
	defer os.Remove(name) // a no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing subscribers: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing subscribers: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing subscribers: %w", err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("writing subscribers: %w", err)
	}
	return nil
}
