package aka_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestAKA(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "aka")
}
