package randx_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestRandx(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "randx")
}
