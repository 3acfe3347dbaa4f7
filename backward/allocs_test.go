// The race detector makes sync.Pool drop items at random, which changes the
// number of allocations; the bound is checked without it.

//go:build !race

package backward_test

import (
	"io"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// TestScalarChainAllocations bounds the allocations of what `chainviz
// annotate` does (load, annotate, write the JSON) per node of a scalar
// chain. Allocation counts do not depend on the machine's load; the bound
// leaves room for the few blocks a garbage collection can make the scalar
// pool allocate again. It was 86 per node at first, 24 before the local
// derivatives used a recycled scratch tape, 18 after, 11.6 with slimmer
// nodes, and about 2 since the nodes mapping is read a chunk of lines at a
// time, without yaml.v3 for entries written "name: op(args)" (the bound,
// 12, is the target of the performance issue).
func TestScalarChainAllocations(t *testing.T) {
	const n = 10000
	src := []byte(chainSpec(n))
	allocs := testing.AllocsPerRun(1, func() {
		g, err := graph.Load("chain.yaml", src)
		if err != nil {
			t.Fatal(err)
		}
		a, err := backward.Annotate(g)
		if err != nil {
			t.Fatal(err)
		}
		if err := backward.WriteJSON(io.Discard, a); err != nil {
			t.Fatal(err)
		}
	})
	if perNode := allocs / n; perNode > 12 {
		t.Errorf("%.0f allocations for a %d-node chain, %.1f per node; at most 12 per node expected", allocs, n, perNode)
	}
}
