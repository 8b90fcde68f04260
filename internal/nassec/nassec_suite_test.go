package nassec_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestNASSec(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "nassec")
}
