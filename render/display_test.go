package render

import (
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// TestDisplayNames checks that a node's display text is shown as written,
// in its header and in the formulas that use it, and that NoSubscripts
// shows every other name as written too.
func TestDisplayNames(t *testing.T) {
	g, err := graph.Load("d.yaml", []byte("name: d\ninputs:\n  w2: {value: 3, display: \"w²\"}\n  x1: 2\nnodes:\n  y: mul(w2, x1)\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	y := g.Output
	for _, c := range []struct {
		opts            Options
		w2, x1, formula string
	}{
		{Options{}, "w²", "x₁", "y = w²·x₁"},
		{Options{NoSubscripts: true}, "w²", "x1", "y = w²·x1"},
	} {
		d := newDiagram(a, c.opts)
		if got := d.name(g.Nodes[0]); got != c.w2 {
			t.Errorf("%+v: w2 shown as %q, want %q", c.opts, got, c.w2)
		}
		if got := d.name(g.Nodes[1]); got != c.x1 {
			t.Errorf("%+v: x1 shown as %q, want %q", c.opts, got, c.x1)
		}
		if got := d.formula(y); got != c.formula {
			t.Errorf("%+v: formula %q, want %q", c.opts, got, c.formula)
		}
	}
}
