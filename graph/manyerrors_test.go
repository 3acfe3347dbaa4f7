package graph_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/graph"
)

// TestManyErrorsOnOneLineAreLinear checks that a file with a huge number
// of problems on one line costs memory linear in its size: the list is cut
// to 50 before anything per diagnostic depends on the line's length.
func TestManyErrorsOnOneLineAreLinear(t *testing.T) {
	kinds := []struct {
		name string
		spec func(n int) string
	}{
		{"strings in a value", func(n int) string {
			return "name: t\ninputs:\n  x: [" + strings.TrimSuffix(strings.Repeat("a, ", n), ", ") + "]\nnodes:\n  y: sum(x)\n"
		}},
		{"undefined inputs of one call", func(n int) string {
			return "name: t\nnodes:\n  y: add(" + strings.TrimSuffix(strings.Repeat("q, ", n), ", ") + ")\n"
		}},
		{"undefined names in a flow mapping", func(n int) string {
			var b strings.Builder
			b.WriteString("name: t\nnodes: {")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, "y%d: neg(q), ", i)
			}
			return strings.TrimSuffix(b.String(), ", ") + "}\n"
		}},
	}
	for _, k := range kinds {
		cost := func(n int) uint64 {
			src := []byte(k.spec(n))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := graph.Load("many.yaml", src)
			runtime.ReadMemStats(&after)
			ds, ok := err.(graph.Diagnostics)
			if !ok || len(ds) != 51 || !strings.HasSuffix(ds[50].Summary, fmt.Sprintf("and %d more problems", n-50)) {
				t.Fatalf("%s, n=%d: got %v", k.name, n, err)
			}
			return after.TotalAlloc - before.TotalAlloc
		}
		small, large := cost(5_000), cost(20_000)
		if large > 6*small {
			t.Errorf("%s: 20,000 problems allocate %d bytes, 5,000 %d: more than linear", k.name, large, small)
		}
	}
}
