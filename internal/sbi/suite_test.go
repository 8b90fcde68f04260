package sbi_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestSBI(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "sbi")
}
