package subscriber_test

import (
	"testing"

	"github.com/credbed/credbed/internal/subscriber"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte("subscribers:\n  - supi: imsi-001010000000001\n    k: 465b5ce8b199b49faa5f0a2ee238a6bc\n    opc: cd63cb71954a9f4e48a5994e37a02baf\n"))
	f.Add([]byte("defaults: {plmn: '20893', dnns: [a.b]}\nsubscribers: [{supi: imsi-208930000000001, k: 0, opc: 1}]\n"))
	f.Add([]byte("subscribers: [{snssais: [{sst: 300, sd: x}]}]"))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		subs, err := subscriber.Parse(data)
		if err == nil && subs == nil {
			t.Fatal("nil result without error")
		}
		for _, s := range subs {
			if err := s.Validate(); err != nil {
				t.Fatalf("Parse returned an invalid entry: %v", err)
			}
		}
	})
}
