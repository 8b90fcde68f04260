package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// execute runs credbed in-process and returns stdout, stderr and the exit status.
func execute(args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// TS 33.501 C.4 test data (see /work/shared/reference/3gpp.md §3.3).
const (
	c4APriv    = "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d"
	c4APub     = "5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650"
	c4AEph     = "c80949f13ebe61af4ebdbd293ea4f942696b9e815d7e8f0096bbf6ed7de62256"
	c4AOutput  = "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457dcb02352410cddd9e730ef3fa87"
	c4BPriv    = "f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda"
	c4BPub     = "0272da71976234ce833a6907425867b82e074d44ef907dfb4b3e21c1c2256ebcd1"
	c4BEph     = "99798858a1dc6a2c68637149a4b1dbfd1fdff5addd62a2142f06699ed7602529"
	c4BOutput  = "039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d146a33fc2716ac7dae96aa30a4d"
	c4BNAIEph  = "90a5898bd29ffa3f261e00e980067c70a2b1b992a21f5b4fef6d4df69fe804ad"
	c4IMSI     = "imsi-274012001002086"
	c4NAI      = "nai-verylongusername1@3gpp.com"
	c4ASUCI    = "suci-0-274-012-0-1-1-" + c4AOutput
	c4BSUCI    = "suci-0-274-012-0-2-2-" + c4BOutput
	c4BNAISUCI = "type1.rid0.schid2.hnkey2.ecckey03759BB22C563D9F4A6B3C1419E543FC2F39D6823F02A9D71162B39399218B244B.cipBE22D8B9F856A52ED381CD7EAF4CF2D525.mac3CDDC61A0A7882EB@3gpp.com"
)

var _ = Describe("credbed suci", func() {
	// Reference: TS 33.501 Annex C.4.3.1 and C.4.4.1 (Profile A and B, IMSI)
	DescribeTable("deconceal returns the SUPI of the C.4 test SUCIs",
		func(suciStr, priv, want string) {
			out, errOut, code := execute("suci", "deconceal", "--suci", suciStr, "--hn-private-key", priv)
			Expect(errOut).To(BeEmpty())
			Expect(code).To(Equal(exitOK))
			Expect(out).To(Equal(want + "\n"))
		},
		Entry("profile A, C.4 PLMN 274-012", c4ASUCI, c4APriv, c4IMSI),
		Entry("profile B, C.4 PLMN 274-012", c4BSUCI, c4BPriv, c4IMSI),
		Entry("profile A, free5gc's PLMN 208-93", "suci-0-208-93-0-1-1-"+c4AOutput, c4APriv, "imsi-20893001002086"),
		Entry("profile B, free5gc's PLMN 208-93", "suci-0-208-93-0-2-2-"+c4BOutput, strings.ToUpper(c4BPriv), "imsi-20893001002086"),
		Entry("profile B, NAI (C.4.4.2)", c4BNAISUCI, c4BPriv, c4NAI),
		Entry("null scheme needs no key", "suci-0-208-93-0-0-0-00007487", "", "imsi-2089300007487"),
	)

	// Reference: TS 33.501 Annex C.4.3.1, C.4.4.1, C.4.4.2 (conceal with the official ephemeral key)
	DescribeTable("conceal with the official ephemeral key reproduces the C.4 SUCIs",
		func(want string, args ...string) {
			out, errOut, code := execute(append([]string{"suci", "conceal"}, args...)...)
			Expect(errOut).To(BeEmpty())
			Expect(code).To(Equal(exitOK))
			Expect(out).To(Equal(want + "\n"))
		},
		Entry("profile A IMSI", c4ASUCI, "--supi", c4IMSI, "--scheme", "A", "--hn-public-key", c4APub, "--key-id", "1",
			"--routing-indicator", "0", "--ephemeral-private-key", c4AEph, "--mnc-length", "3"),
		Entry("profile B IMSI", c4BSUCI, "--supi", c4IMSI, "--scheme", "B", "--hn-public-key", c4BPub, "--key-id", "2",
			"--routing-indicator", "0", "--ephemeral-private-key", c4BEph, "--mnc-length", "3"),
		Entry("profile B NAI", c4BNAISUCI, "--supi", c4NAI, "--scheme", "b", "--hn-public-key", c4BPub, "--key-id", "2",
			"--routing-indicator", "0", "--ephemeral-private-key", c4BNAIEph),
		Entry("null IMSI (C.4.2.1), default routing indicator 0000", "suci-0-274-012-0000-0-0-001002086",
			"--supi", c4IMSI, "--scheme", "null", "--mnc-length", "3"),
		Entry("null IMSI as 5GS mobile identity", "01"+"722410"+"0000"+"00"+"00"+"00012080f6",
			"--supi", c4IMSI, "--scheme", "null", "--mnc-length", "3", "--nas"),
	)

	It("de-conceals the NAS form", func() {
		out, _, code := execute("suci", "deconceal", "--suci-nas", "0102f839f0ff0101"+c4AOutput, "--hn-private-key", c4APriv)
		Expect(code).To(Equal(exitOK))
		Expect(out).To(Equal("imsi-20893001002086\n"))
	})

	// Reference: TS 33.501 §6.12.2 (fresh ephemeral key per SUCI), §6.12.5 (SIDF)
	It("round-trips a freshly generated key pair through keys gen, conceal and deconceal", func() {
		for _, scheme := range []string{"A", "B"} {
			keyFile := filepath.Join(GinkgoT().TempDir(), "hn.key")
			out, _, code := execute("keys", "gen", "--scheme", scheme, "--out", keyFile)
			Expect(code).To(Equal(exitOK))
			pub := field(out, "public-key")
			Expect(pub).NotTo(BeEmpty())

			out, _, code = execute("suci", "conceal", "--supi", "imsi-001010123456789", "--scheme", scheme,
				"--hn-public-key", pub, "--key-id", "7")
			Expect(code).To(Equal(exitOK))
			suciStr := strings.TrimSpace(out)
			Expect(suciStr).To(HavePrefix("suci-0-001-01-0000-" + map[string]string{"A": "1", "B": "2"}[scheme] + "-7-"))

			out, _, code = execute("suci", "deconceal", "--suci", suciStr, "--hn-private-key-file", keyFile)
			Expect(code).To(Equal(exitOK))
			Expect(out).To(Equal("imsi-001010123456789\n"))
		}
	})

	// One line on stderr, exit status 2, naming what is wrong.
	DescribeTable("bad flags and bad SUCIs",
		func(wantInMessage string, args ...string) {
			out, errOut, code := execute(args...)
			Expect(code).To(Equal(exitUsage), "stderr: %s", errOut)
			Expect(out).To(BeEmpty())
			Expect(strings.Count(errOut, "\n")).To(Equal(1), "one line: %q", errOut)
			Expect(errOut).To(HaveSuffix("\n"))
			Expect(errOut).To(ContainSubstring(wantInMessage))
		},
		Entry("unparsable SUCI", "bad SUCI", "suci", "deconceal", "--suci", "suci-0-208-93-0-1-1-zz", "--hn-private-key", c4APriv),
		Entry("SUCI with 7 fields", "8 (suci-0", "suci", "deconceal", "--suci", "suci-0-208-93-0-1-1", "--hn-private-key", c4APriv),
		Entry("tampered MAC", "MAC tag mismatch", "suci", "deconceal", "--suci", c4ASUCI[:len(c4ASUCI)-1]+"8", "--hn-private-key", c4APriv),
		Entry("wrong key", "MAC tag mismatch", "suci", "deconceal", "--suci", c4ASUCI, "--hn-private-key", strings.Repeat("11", 32)),
		Entry("truncated output", "wrong scheme output length", "suci", "deconceal", "--suci", c4ASUCI[:len(c4ASUCI)-16], "--hn-private-key", c4APriv),
		Entry("off-curve profile B key", "not a valid curve point", "suci", "deconceal",
			"--suci", "suci-0-274-012-0-2-2-02"+strings.Repeat("ff", 32)+"46a33fc2716ac7dae96aa30a4d", "--hn-private-key", c4BPriv),
		Entry("reserved scheme", "unsupported protection scheme", "suci", "deconceal", "--suci", "suci-0-208-93-0-3-1-00", "--hn-private-key", c4APriv),
		Entry("missing key", "needs --hn-private-key", "suci", "deconceal", "--suci", c4ASUCI),
		Entry("missing --suci", "--suci is required", "suci", "deconceal", "--hn-private-key", c4APriv),
		Entry("both SUCI flags", "not both", "suci", "deconceal", "--suci", c4ASUCI, "--suci-nas", "01", "--hn-private-key", c4APriv),
		Entry("both key flags", "not both", "suci", "deconceal", "--suci", c4ASUCI, "--hn-private-key", c4APriv, "--hn-private-key-file", "x"),
		Entry("missing key file", "--hn-private-key-file", "suci", "deconceal", "--suci", c4ASUCI, "--hn-private-key-file", "/nonexistent/credbed.key"),
		Entry("key not hex", "not a hex string", "suci", "deconceal", "--suci", c4ASUCI, "--hn-private-key", "xyz"),
		Entry("key too short", "31 octets", "suci", "deconceal", "--suci", c4ASUCI, "--hn-private-key", c4APriv[:62]),
		Entry("bad NAS SUCI", "bad SUCI", "suci", "deconceal", "--suci-nas", "f202f83901234567890123"),
		Entry("unknown flag", "unknown flag: --bogus", "suci", "deconceal", "--bogus"),
		Entry("positional argument", "takes no arguments", "suci", "deconceal", "extra"),
		Entry("bad SUPI", "--supi", "suci", "conceal", "--supi", "imsi-12", "--scheme", "null"),
		Entry("missing SUPI", "--supi is required", "suci", "conceal", "--scheme", "null"),
		Entry("missing scheme", "--scheme is required", "suci", "conceal", "--supi", c4IMSI),
		Entry("unknown scheme", "want null, A or B", "suci", "conceal", "--supi", c4IMSI, "--scheme", "C"),
		Entry("missing HN key", "--hn-public-key is required", "suci", "conceal", "--supi", c4IMSI, "--scheme", "A", "--key-id", "1"),
		Entry("missing key id", "--key-id is required", "suci", "conceal", "--supi", c4IMSI, "--scheme", "A", "--hn-public-key", c4APub),
		Entry("key id out of range", "--key-id", "suci", "conceal", "--supi", c4IMSI, "--scheme", "A", "--hn-public-key", c4APub, "--key-id", "256"),
		Entry("mnc length", "--mnc-length 4", "suci", "conceal", "--supi", c4IMSI, "--scheme", "null", "--mnc-length", "4"),
		Entry("routing indicator", "routing indicator", "suci", "conceal", "--supi", c4IMSI, "--scheme", "null", "--routing-indicator", "12345"),
		Entry("off-curve HN public key", "not a valid curve point", "suci", "conceal", "--supi", c4IMSI, "--scheme", "B",
			"--hn-public-key", "04"+strings.Repeat("00", 64), "--key-id", "1"),
		Entry("ephemeral key of the wrong length", "--ephemeral-private-key", "suci", "conceal", "--supi", c4IMSI, "--scheme", "A",
			"--hn-public-key", c4APub, "--key-id", "1", "--ephemeral-private-key", "00"),
		Entry("null scheme with a key", "takes no --hn-public-key", "suci", "conceal", "--supi", c4IMSI, "--scheme", "null", "--hn-public-key", c4APub),
		Entry("unknown command", `unknown command "frobnicate" for "credbed"`, "frobnicate"),
		Entry("unknown subcommand", `unknown command "frobnicate" for "credbed suci"`, "suci", "frobnicate"),
		Entry("keys gen without scheme", "--scheme is required", "keys", "gen"),
		Entry("keys gen null scheme", "want A or B", "keys", "gen", "--scheme", "null"),
		Entry("version with an argument", "takes no arguments", "version", "now"),
	)
})

// field returns the value of "name: value" in a command's output.
func field(out, name string) string {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, name+": "); ok {
			return v
		}
	}
	return ""
}

var _ = Describe("credbed keys gen", func() {
	It("writes the private key with mode 0600 and prints only the public key", func() {
		keyFile := filepath.Join(GinkgoT().TempDir(), "hn.key")
		out, errOut, code := execute("keys", "gen", "--scheme", "B", "--out", keyFile)
		Expect(code).To(Equal(exitOK), errOut)
		st, err := os.Stat(keyFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o600)))
		data, err := os.ReadFile(keyFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(data)).To(MatchRegexp(`^[0-9a-f]{64}\n$`))
		Expect(out).NotTo(ContainSubstring(strings.TrimSpace(string(data))))
		Expect(field(out, "public-key")).To(MatchRegexp(`^0[23][0-9a-f]{64}$`))
		Expect(field(out, "private-key-file")).To(Equal(keyFile))

		_, errOut, code = execute("keys", "gen", "--scheme", "B", "--out", keyFile)
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("already exists"))
		again, _ := os.ReadFile(keyFile)
		Expect(again).To(Equal(data), "the existing key survives")

		Expect(os.Chmod(keyFile, 0o644)).To(Succeed())
		_, _, code = execute("keys", "gen", "--scheme", "A", "--out", keyFile, "--force")
		Expect(code).To(Equal(exitOK))
		st, err = os.Stat(keyFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o600)))
	})

	It("prints a labelled private key when there is no --out", func() {
		out, _, code := execute("keys", "gen", "--scheme", "A")
		Expect(code).To(Equal(exitOK))
		Expect(field(out, "private-key (secret, keep it safe)")).To(MatchRegexp(`^[0-9a-f]{64}$`))
		Expect(field(out, "public-key")).To(MatchRegexp(`^[0-9a-f]{64}$`))
		Expect(field(out, "scheme")).To(Equal("profile-a"))
	})

	It("exits with 1 when the key file cannot be written", func() {
		_, errOut, code := execute("keys", "gen", "--scheme", "A", "--out", filepath.Join(GinkgoT().TempDir(), "missing", "hn.key"))
		Expect(code).To(Equal(exitFailure))
		Expect(strings.Count(errOut, "\n")).To(Equal(1))
		Expect(errOut).To(ContainSubstring("writing private key"))
	})
})

var _ = Describe("credbed version", func() {
	It("prints the module and Go versions", func() {
		out, _, code := execute("version")
		Expect(code).To(Equal(exitOK))
		Expect(out).To(HavePrefix("credbed "))
		Expect(out).To(ContainSubstring("go: " + runtime.Version()))
	})

	It("shows help without a subcommand", func() {
		out, _, code := execute()
		Expect(code).To(Equal(exitOK))
		Expect(out).To(ContainSubstring("suci"))
		Expect(out).To(ContainSubstring("keys"))
	})
})
