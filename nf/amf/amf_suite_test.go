package amf_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestAMF(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "nf/amf")
}
