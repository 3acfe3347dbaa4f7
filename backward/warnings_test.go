package backward_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// TestGradWarnings checks the warnings of section 4 of the explain issue,
// each at the line of the node it concerns.
func TestGradWarnings(t *testing.T) {
	src := `name: warn
inputs:
  x: 2
params:
  w: -1
  b: 0.5
  s: 30
  k: 0.5
nodes:
  z: mul(w, x)
  h: relu(z)
  q: mul(s, x)
  sq: sigmoid(q)
  big: mul(1e7, x)
  th: tanh(k)
  L: add(h, b, sq, big, th)
`
	g, err := graph.Load("warn.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"warn.yaml:3:3: warning: the gradient of x is very large (|∂L/∂x| reaches 10000000 > 1000000)",
		"warn.yaml:5:3: warning: the gradient of w is identically 0 although w reaches the output L: every path has a zero factor (∂h/∂z = 1[z>0] = 0)",
		"warn.yaml:7:3: warning: the gradient of s is identically 0 although s reaches the output L: every path has a zero factor (∂sq/∂q = σ(q)(1 − σ(q)) = 0)",
		"warn.yaml:13:3: warning: sq = σ(q) is saturated at q = 60: its derivative σ(q)(1 − σ(q)) is 0 < 0.000001",
	}
	if len(a.Warnings) != len(want) {
		t.Errorf("%d warnings, want %d:\n%s", len(a.Warnings), len(want), a.Warnings.Error())
	}
	for i, w := range want {
		if i >= len(a.Warnings) || !strings.HasPrefix(a.Warnings[i].String(), w) {
			t.Errorf("warning %d:\n%v\nwant it to start with\n%s", i, a.Warnings, w)
		}
	}
}

// TestNoGradWarnings checks that the seed examples give no warnings; in
// particular circle's ∂z/∂t = 0 is two paths cancelling, not a dead
// gradient.
func TestNoGradWarnings(t *testing.T) {
	for _, name := range []string{"circle", "worked_example", "sigmoid_neuron", "mlp_batch", "fork"} {
		a := loadAnnotated(t, filepath.Join(specDir, name+".yaml"))
		if ws := a.Warnings; len(ws) > 0 {
			t.Errorf("%s: %v", name, ws)
		}
	}
}

// TestTanhSaturation checks a saturated tensor element.
func TestTanhSaturation(t *testing.T) {
	g, err := graph.Load("t.yaml", []byte("name: t\ninputs:\n  v: [0.5, 9]\nnodes:\n  h: tanh(v)\n  L: sum(h)\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0].Summary, "h = tanh(v) is saturated at v = 9 (element 1): its derivative 1 − tanh²(v) is 6.09") {
		t.Errorf("warnings: %v", a.Warnings)
	}
}
