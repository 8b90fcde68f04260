package cpf_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestCPF(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "cpf")
}
