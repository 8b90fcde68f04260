package gmm_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestGMM(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "nf/amf/gmm")
}
