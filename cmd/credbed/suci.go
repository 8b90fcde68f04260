package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/suci"
)

func newSUCICmd() *cobra.Command {
	return groupCmd("suci", "Conceal a SUPI into a SUCI and de-conceal it (TS 33.501 §6.12, Annex C)",
		newSUCIConcealCmd(), newSUCIDeconcealCmd())
}

func newSUCIConcealCmd() *cobra.Command {
	var (
		supiFlag, schemeFlag, hnPubHex, ri, ephHex string
		keyID                                      uint8
		mncLen                                     int
		nas                                        bool
	)
	cmd := &cobra.Command{
		Use:   "conceal --supi SUPI --scheme null|A|B [--hn-public-key HEX --key-id N]",
		Short: "Print the SUCI of a SUPI",
		Long: "Conceals an IMSI (imsi-<digits>) or NAI (nai-<user>@<realm>) SUPI with the null scheme\n" +
			"or ECIES Profile A/B and prints the SUCI string (suci-0-... for an IMSI, the NAI form\n" +
			"type1.rid...@realm for a NAI). --ephemeral-private-key reproduces a known SUCI\n" +
			"(for example the TS 33.501 C.4 test data); otherwise a fresh ephemeral key is drawn.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if supiFlag == "" {
				return badInput("--supi is required")
			}
			supi, err := ident.ParseSUPI(supiFlag)
			if err != nil {
				return badInput("--supi: %w", err)
			}
			if schemeFlag == "" {
				return badInput("--scheme is required (null, A or B)")
			}
			scheme, err := ident.ParseProtectionScheme(schemeFlag)
			if err != nil || scheme > ident.SchemeProfileB {
				return badInput("--scheme %q: want null, A or B", schemeFlag)
			}
			if mncLen != 2 && mncLen != 3 {
				return badInput("--mnc-length %d: want 2 or 3", mncLen)
			}
			p := suci.Params{Scheme: scheme, KeyID: keyID, RoutingIndicator: ri, MNCLength: mncLen}
			if scheme == ident.SchemeNull {
				if hnPubHex != "" || ephHex != "" {
					return badInput("the null scheme takes no --hn-public-key or --ephemeral-private-key")
				}
			} else {
				if hnPubHex == "" {
					return badInput("--hn-public-key is required for scheme %s", schemeFlag)
				}
				if !cmd.Flags().Changed("key-id") {
					return badInput("--key-id is required for scheme %s", schemeFlag)
				}
				raw, err := decodeHexFlag("--hn-public-key", hnPubHex)
				if err != nil {
					return err
				}
				if p.HomeNetworkKey, err = suci.NewPublicKey(scheme, raw); err != nil {
					return badInput("--hn-public-key: %w", err)
				}
				if ephHex != "" {
					raw, err := decodeHexFlag("--ephemeral-private-key", ephHex)
					if err != nil {
						return err
					}
					if p.Ephemeral, err = suci.NewPrivateKey(scheme, raw); err != nil {
						return badInput("--ephemeral-private-key: %w", err)
					}
				}
			}
			s, err := suci.Conceal(supi, p, rand.Reader)
			if err != nil {
				if isSUCIError(err) {
					return asBadInput(err)
				}
				return err
			}
			if nas {
				b, err := s.MarshalNAS()
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), hex.EncodeToString(b))
				return nil
			}
			fmt.Fprintln(cmd.OutOrStdout(), s.String())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&supiFlag, "supi", "", "SUPI: imsi-<digits> or nai-<user>@<realm> (required)")
	f.StringVar(&schemeFlag, "scheme", "", "protection scheme: null, A or B (required)")
	f.StringVar(&hnPubHex, "hn-public-key", "", "home network public key, hex (Profile B: compressed or uncompressed)")
	f.Uint8Var(&keyID, "key-id", 0, "home network public key identifier 0..255 (required for A and B)")
	f.StringVar(&ri, "routing-indicator", "0000", "routing indicator, 1 to 4 digits")
	f.StringVar(&ephHex, "ephemeral-private-key", "", "fixed ECIES ephemeral private key, hex (reproduces a SUCI)")
	f.IntVar(&mncLen, "mnc-length", 2, "MNC length of an IMSI SUPI: 2 or 3")
	f.BoolVar(&nas, "nas", false, "print the 5GS mobile identity value (TS 24.501 §9.11.3.4) as hex instead")
	return cmd
}

func newSUCIDeconcealCmd() *cobra.Command {
	var suciFlag, suciNASHex, privHex, privFile string
	cmd := &cobra.Command{
		Use:   "deconceal --suci SUCI [--hn-private-key HEX | --hn-private-key-file FILE]",
		Short: "Print the SUPI inside a SUCI",
		Long: "De-conceals a SUCI (string form, or --suci-nas with the 5GS mobile identity value in hex)\n" +
			"with the home network private key, as the SIDF does. The scheme and key id come from\n" +
			"the SUCI; the null scheme needs no key.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var (
				s   ident.SUCI
				err error
			)
			switch {
			case suciFlag != "" && suciNASHex != "":
				return badInput("give --suci or --suci-nas, not both")
			case suciFlag != "":
				if s, err = ident.ParseSUCI(suciFlag); err != nil {
					return badInput("bad SUCI: %w", err)
				}
			case suciNASHex != "":
				raw, err := decodeHexFlag("--suci-nas", suciNASHex)
				if err != nil {
					return err
				}
				if s, err = ident.ParseSUCINAS(raw); err != nil {
					return badInput("bad SUCI: %w", err)
				}
			default:
				return badInput("--suci is required")
			}
			if privHex != "" && privFile != "" {
				return badInput("give --hn-private-key or --hn-private-key-file, not both")
			}
			ring := suci.KeyRing{}
			switch s.Scheme {
			case ident.SchemeNull:
			case ident.SchemeProfileA, ident.SchemeProfileB:
				keyHex := privHex
				flag := "--hn-private-key"
				if privFile != "" {
					flag = "--hn-private-key-file"
					data, err := os.ReadFile(privFile)
					if err != nil {
						return badInput("--hn-private-key-file: %w", err)
					}
					keyHex = strings.TrimSpace(string(data))
				}
				if keyHex == "" {
					return badInput("a %s SUCI needs --hn-private-key or --hn-private-key-file", s.Scheme)
				}
				raw, err := decodeHexFlag(flag, keyHex)
				if err != nil {
					return err
				}
				key, err := suci.NewPrivateKey(s.Scheme, raw)
				if err != nil {
					return badInput("%s: %w", flag, err)
				}
				if err := ring.Add(s.KeyID, key); err != nil {
					return err
				}
			default:
				return badInput("bad SUCI: %w: %s", suci.ErrUnknownScheme, s.Scheme)
			}
			supi, err := suci.Deconceal(s, ring)
			if err != nil {
				if errors.Is(err, suci.ErrMACMismatch) {
					return badInput("bad SUCI: %w (wrong home network key, or the SUCI was altered)", err)
				}
				return badInput("bad SUCI: %w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), supi.String())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&suciFlag, "suci", "", "SUCI string: suci-0-<mcc>-<mnc>-<ri>-<scheme>-<key id>-<output> or type1.rid...@realm")
	f.StringVar(&suciNASHex, "suci-nas", "", "SUCI as the 5GS mobile identity value, hex (instead of --suci)")
	f.StringVar(&privHex, "hn-private-key", "", "home network private key, hex")
	f.StringVar(&privFile, "hn-private-key-file", "", "file holding the home network private key in hex (as written by keys gen --out)")
	return cmd
}

// decodeHexFlag decodes a hex flag value (a 0x prefix and surrounding spaces
// are allowed).
func decodeHexFlag(flag, v string) ([]byte, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "0x")
	b, err := hex.DecodeString(v)
	if err != nil || len(b) == 0 {
		return nil, badInput("%s: not a hex string", flag)
	}
	return b, nil
}

// isSUCIError reports whether err is one of internal/suci's input errors.
func isSUCIError(err error) bool {
	for _, s := range []error{suci.ErrOffCurve, suci.ErrMACMismatch, suci.ErrLength, suci.ErrUnknownKeyID,
		suci.ErrUnknownScheme, suci.ErrMalformed, suci.ErrInvalidParams} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
