package backward

import (
	"fmt"
	"testing"

	"github.com/chainviz/chainviz/graph"
)

// TestElementwiseJacobianMatchesRowByRow checks the one-product shortcut
// for elementwise ops against the general construction, one
// vector–Jacobian product per output element, for every elementwise op and
// broadcast form.
func TestElementwiseJacobianMatchesRowByRow(t *testing.T) {
	forms := []struct{ a, b string }{
		{"[[0.5, 1.5, 2], [1.25, 0.75, 1.5]]", "[1.5, 0.5, 2.5]"},
		{"[[0.5], [1.5]]", "[[1.25, 0.75, 2]]"},
		{"1.5", "[0.5, 2, 1.25]"},
		{"[0.5, 2, 1.25]", "[1.5, 0.5, 2.5]"},
	}
	checked := 0
	for _, op := range []string{"add", "sub", "mul", "div", "pow", "neg", "square", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu"} {
		for _, f := range forms {
			call := fmt.Sprintf("%s(a, b)", op)
			if graph.LookupOp(op).MaxArgs == 1 {
				call = fmt.Sprintf("%s(a)", op)
			}
			src := fmt.Sprintf("name: j\ninputs:\n  a: %s\n  b: %s\nnodes:\n  y: %s\n  s: sum(y)\n", f.a, f.b, call)
			g, err := graph.Load("j.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			n := g.Node("y")
			general := *n.Op
			general.Elementwise = false
			slow := *n
			slow.Op = &general
			for arg := range n.Inputs {
				fast := (&localJac{b: graph.NewScratchBuilder(0)}).of(n, arg)
				want := (&localJac{b: graph.NewScratchBuilder(0)}).of(&slow, arg)
				if fast == nil || want == nil || fast.String() != want.String() {
					t.Errorf("%s arg %d with %v: shortcut %v, row by row %v", call, arg, f, fast, want)
				}
				checked++
			}
		}
	}
	if checked < 76 {
		t.Fatalf("only %d Jacobians checked", checked)
	}
}
