package ausf_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestAUSF(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "ausf")
}
