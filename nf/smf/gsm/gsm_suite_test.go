package gsm_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestGSM(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "nf/smf/gsm")
}
