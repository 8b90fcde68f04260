package gmm_test

import (
	"testing"
	"unsafe"

	"github.com/credbed/credbed/nf/amf/gmm"
)

// TestContextSize keeps the per-UE 5GMM context compact (DESIGN.md: at most
// 16 KiB per idle UE for the whole testbed; the AMF holds 100,000).
func TestContextSize(t *testing.T) {
	if s := unsafe.Sizeof(gmm.UE{}); s > 512 {
		t.Fatalf("gmm.UE is %d bytes", s)
	} else {
		t.Logf("gmm.UE is %d bytes", s)
	}
}
