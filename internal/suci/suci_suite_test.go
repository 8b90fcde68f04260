package suci

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestSUCI(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "suci")
}
