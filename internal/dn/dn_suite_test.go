package dn_test

import (
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestDN(t *testing.T) {
	RegisterFailHandler(Fail)
	// Packets cross delivery goroutines (and sockets in net mode): allow for a loaded machine.
	SetDefaultEventuallyTimeout(10 * time.Second)
	RunSpecs(t, "dn")
}
