// Command credbed is the command line of the credential-provisioning testbed:
// it runs scenario suites and benchmarks, and offers the SUCI and key tools
// that researchers use by hand.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed (IO, randomness, a failed run)
	exitUsage   = 2 // bad flags, arguments or input values
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status. Errors are
// printed to stderr as one line.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if err != nil {
		where := "credbed"
		if cmd != nil {
			where = cmd.CommandPath()
		}
		fmt.Fprintf(stderr, "%s: %s\n", where, oneLine(err.Error()))
	}
	return exitCode(err)
}

// inputError marks a usage or bad-input error (exit status 2): a bad flag
// value, a malformed SUCI, a key that does not decode. Commands return it via
// badInput or asBadInput; any other error a command returns exits with 1.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// badInput returns a formatted inputError.
func badInput(format string, args ...any) error {
	return &inputError{fmt.Errorf(format, args...)}
}

// asBadInput marks err (if not nil) as bad input.
func asBadInput(err error) error {
	if err == nil {
		return nil
	}
	return &inputError{err}
}

// runFailure marks an error returned from inside a command's RunE that is not
// an inputError (exit status 1). newRootCmd wraps every RunE to add it, so
// errors cobra raises before any command runs (unknown flags or commands,
// missing required flags, bad argument counts) are told apart as usage errors.
type runFailure struct{ err error }

func (e *runFailure) Error() string { return e.err.Error() }
func (e *runFailure) Unwrap() error { return e.err }

// exitCode maps an Execute error to the exit status.
func exitCode(err error) int {
	var in *inputError
	var rf *runFailure
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &in):
		return exitUsage
	case errors.As(err, &rf):
		return exitFailure
	default: // raised by cobra while parsing the command line
		return exitUsage
	}
}

// markRunFailures wraps the RunE of c and of every command below it so that
// errors they return that are not inputErrors become runFailures.
func markRunFailures(c *cobra.Command) {
	if runE := c.RunE; runE != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := runE(cmd, args)
			var in *inputError
			if err == nil || errors.As(err, &in) {
				return err
			}
			return &runFailure{err}
		}
	}
	for _, sub := range c.Commands() {
		markRunFailures(sub)
	}
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
