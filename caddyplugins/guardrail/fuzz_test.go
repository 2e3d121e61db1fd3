package guardrail

import (
	"testing"

	"github.com/aigw/aigw/internal/guard"
)

// FuzzSSEFilter feeds arbitrary streams through the output screen: no panic,
// whatever the provider sends.
func FuzzSSEFilter(f *testing.F) {
	ps, err := guard.LoadPolicies("../../configs/guardrails.yaml")
	if err != nil {
		f.Fatal(err)
	}
	e, _ := guard.NewEngine(guard.Options{})
	f.Add("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"4111 1111\"},\"finish_reason\":null}]}\n\ndata: [DONE]\n\n", 7)
	f.Add("data: {\"choices\":[{\"index\":3,\"delta\":{\"content\":null},\"finish_reason\":\"stop\"}]}\n\n", 1)
	f.Fuzz(func(t *testing.T, stream string, split int) {
		var v verdict
		flt := newSSEFilter(e, ps["bfsi-strict"], 64, &v)
		if split < 0 || split > len(stream) {
			split = len(stream) / 2
		}
		flt.write([]byte(stream[:split]))
		flt.write([]byte(stream[split:]))
		flt.close()
	})
}
