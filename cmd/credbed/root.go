package main

import (
	"github.com/spf13/cobra"
)

// newRootCmd builds the credbed command tree.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "credbed",
		Short: "5G core and UE emulator and security test harness for remote credential provisioning",
		Long: "credbed emulates 5G core network functions and UEs and runs threat scenarios against\n" +
			"remote credential provisioning and deprovisioning (3GPP TR 33.899 KI #12.2).",
		SilenceErrors: true, // run prints errors as one line
		SilenceUsage:  true,
		Args:          noSubcommand,
		RunE:          showHelp,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return asBadInput(err) })

	root.AddCommand(
		newRunCmd(),
		newListCmd(),
		newKeysCmd(),
		newSUCICmd(),
		newSubscribersCmd(),
		newBenchCmd(),
		newVersionCmd(),
	)

	markRunFailures(root)
	return root
}

// noSubcommand is the Args check of commands that only group subcommands: a
// positional argument there is an unknown subcommand.
func noSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return badInput("unknown command %q for %q (see '%s --help')", args[0], cmd.CommandPath(), cmd.CommandPath())
	}
	return nil
}

// noArgs rejects positional arguments as bad input.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return badInput("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// showHelp is the RunE of grouping commands.
func showHelp(cmd *cobra.Command, _ []string) error { return cmd.Help() }

// groupCmd returns a command that only groups subcommands.
func groupCmd(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Args: noSubcommand, RunE: showHelp}
	c.AddCommand(subs...)
	return c
}
