package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/suci"
)

func newKeysCmd() *cobra.Command {
	return groupCmd("keys", "Home network SUCI key pairs", newKeysGenCmd())
}

func newKeysGenCmd() *cobra.Command {
	var (
		schemeFlag string
		out        string
		force      bool
	)
	cmd := &cobra.Command{
		Use:   "gen --scheme A|B [--out FILE]",
		Short: "Generate a home network key pair for SUCI Profile A or B",
		Long: "Generates a home network private/public key pair in the TS 33.501 C.4 encodings\n" +
			"(Profile A: 32-octet X25519 keys; Profile B: 32-octet P-256 scalar, 33-octet\n" +
			"compressed public key). With --out the private key is written as hex to FILE\n" +
			"(mode 0600) and only the public key is printed; without it both are printed.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			scheme, err := parseECIESScheme(schemeFlag)
			if err != nil {
				return err
			}
			key, err := suci.GenerateKey(scheme, rand.Reader)
			if err != nil {
				return err
			}
			privHex := hex.EncodeToString(key.Bytes())
			pubHex := hex.EncodeToString(key.Public().Bytes())
			if out != "" {
				if err := writePrivateKeyFile(out, privHex, force); err != nil {
					return err
				}
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "scheme: %s\n", scheme)
			if out == "" {
				fmt.Fprintf(w, "private-key (secret, keep it safe): %s\n", privHex)
			} else {
				fmt.Fprintf(w, "private-key-file: %s\n", out)
			}
			fmt.Fprintf(w, "public-key: %s\n", pubHex)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&schemeFlag, "scheme", "", "protection scheme: A (X25519) or B (P-256) (required)")
	f.StringVar(&out, "out", "", "write the private key (hex) to this file, mode 0600")
	f.BoolVar(&force, "force", false, "overwrite an existing --out file")
	return cmd
}

// parseECIESScheme accepts A or B (and the other spellings of
// ident.ParseProtectionScheme) and rejects everything else as bad input.
func parseECIESScheme(s string) (ident.ProtectionScheme, error) {
	if s == "" {
		return 0, badInput("--scheme is required (A or B)")
	}
	scheme, err := ident.ParseProtectionScheme(s)
	if err != nil || (scheme != ident.SchemeProfileA && scheme != ident.SchemeProfileB) {
		return 0, badInput("--scheme %q: want A or B", s)
	}
	return scheme, nil
}

// writePrivateKeyFile writes keyHex and a newline to path with mode 0600. It
// refuses to replace an existing file unless force is set.
func writePrivateKeyFile(path, keyHex string, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return badInput("--out %s already exists (use --force to overwrite)", path)
	}
	if err != nil {
		return fmt.Errorf("writing private key: %w", err)
	}
	if err := f.Chmod(0o600); err != nil { // an overwritten file keeps its old mode otherwise
		f.Close()
		return fmt.Errorf("writing private key: %w", err)
	}
	if _, err := f.WriteString(keyHex + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("writing private key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing private key: %w", err)
	}
	return nil
}
