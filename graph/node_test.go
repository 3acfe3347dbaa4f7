package graph_test

import (
	"testing"

	"github.com/chainviz/chainviz/graph"
)

// TestNodeFindsConstants checks that Graph.Node finds the anonymous
// constants by their names #1, #2, …, which are kept apart from the
// names of the spec.
func TestNodeFindsConstants(t *testing.T) {
	g, err := graph.Load("c.yaml", []byte("name: c\ninputs:\n  x: 2\nnodes:\n  a: mul(x, 3)\n  b: add(a, 0.5)\n"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"#1": 3, "#2": 0.5} {
		n := g.Node(name)
		if n == nil || n.Name != name || n.Kind != graph.KindConst || n.Value.Data[0] != want {
			t.Errorf("Node(%q) = %+v, want the constant %g", name, n, want)
		}
	}
	for _, name := range []string{"#0", "#3", "#01", "#+1", "#", "#x", "x1"} {
		if n := g.Node(name); n != nil {
			t.Errorf("Node(%q) = %s, want nil", name, n.Name)
		}
	}
	if n := g.Node("x"); n == nil || n.Kind != graph.KindInput {
		t.Errorf("Node(x) = %v, want the input", n)
	}
}
