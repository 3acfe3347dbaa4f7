package render_test

import (
	"math"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/backward/explain"
	"github.com/chainviz/chainviz/graph"
	"github.com/chainviz/chainviz/render"
)

// toyCube is y = x³, elementwise, defined only here: it says how it is
// written (Func, TeX), its second derivative and how it saturates (its
// derivative 3x² vanishes near 0), and nothing else.
var toyCube = &graph.Op{
	Name: "cube", MinArgs: 1, MaxArgs: 1, Elementwise: true,
	Shape: func(in [][]int, _ []int) ([]int, error) { return in[0], nil },
	Forward: func(in []*graph.Tensor, _ []int) *graph.Tensor {
		out := in[0].Clone()
		for i, v := range out.Data {
			out.Data[i] = v * v * v
		}
		return out
	},
	VJP: func(b *graph.Builder, n, g *graph.Node, need []bool) []*graph.Node {
		x := n.Inputs[0]
		return []*graph.Node{b.Mul(g, b.Scale(3, b.Mul(x, x)))}
	},
	Local:      func(ins []string, _ string, _ int) string { return "3·" + ins[0] + "²" },
	Formula:    func(_ *graph.Node, ins []string) string { return "cube(" + ins[0] + ")" },
	Func:       "cube",
	TeX:        `\operatorname{cube}`,
	Second:     func(_ *graph.Node, _ int, x string) string { return "6·" + x },
	Saturation: func(y float64) float64 { return 3 * math.Cbrt(y) * math.Cbrt(y) },
}

// toyFlip reverses a vector: its Jacobian is not diagonal, and it gives no
// δ form, so explain must use the general (∂y/∂x)ᵀ · δ, never ⊙.
var toyFlip = &graph.Op{
	Name: "flip", MinArgs: 1, MaxArgs: 1,
	Shape: func(in [][]int, _ []int) ([]int, error) { return in[0], nil },
	Forward: func(in []*graph.Tensor, _ []int) *graph.Tensor {
		out := in[0].Clone()
		for i, v := range in[0].Data {
			out.Data[len(out.Data)-1-i] = v
		}
		return out
	},
	VJP: func(b *graph.Builder, n, g *graph.Node, need []bool) []*graph.Node {
		return []*graph.Node{b.Apply(n.Op, nil, g)}
	},
	Local:   func(ins []string, _ string, _ int) string { return "J_flip" },
	Formula: func(_ *graph.Node, ins []string) string { return "flip(" + ins[0] + ")" },
	Func:    "flip",
	TeX:     `\operatorname{flip}`,
}

// TestToyOp adds two ops to a fresh table and checks that loading,
// annotate, the gradient check, warnings, explain in its three formats and
// the diagram work for them with no change anywhere else.
func TestToyOp(t *testing.T) {
	ops := graph.NewOpTable(graph.BuiltinOps()...)
	for _, op := range []*graph.Op{toyCube, toyFlip} {
		if err := ops.Add(op); err != nil {
			t.Fatal(err)
		}
	}
	if graph.LookupOp("cube") != nil {
		t.Fatal("adding to a fresh table changed the built-in one")
	}
	const src = `name: toy
inputs:
  x: 0.0001
  v: [1, 2, 3]
params:
  w: [0.5, -1, 2]
nodes:
  c: cube(x)
  f: flip(v)
  p: mul(f, w)
  s: sum(p)
  L: add(s, c)
output: L
`
	if _, err := graph.Load("toy.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), `unknown op "cube"`) {
		t.Fatalf("the built-in table accepts the toy op: %v", err)
	}
	g, err := graph.LoadWithOps("toy.yaml", []byte(src), graph.Limits{}, ops)
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	// ∂L/∂w = flip(v) = [3, 2, 1]; ∂L/∂v = flip(w) = [2, −1, 0.5];
	// ∂L/∂x = 3x² = 3e−8.
	for name, want := range map[string][]float64{"w": {3, 2, 1}, "v": {2, -1, 0.5}, "x": {3e-8}} {
		got := a.Grad(name)
		if got == nil {
			t.Fatalf("∂L/∂%s missing", name)
		}
		for i := range want {
			if math.Abs(got.Data[i]-want[i]) > 1e-12 {
				t.Errorf("∂L/∂%s = %v, want %v", name, got.Data, want)
				break
			}
		}
	}
	for order := 1; order <= 2; order++ {
		res, err := backward.Check(a, 1e-6, order)
		if err != nil {
			t.Fatal(err)
		}
		if bad := res.Failed(1e-5); len(bad) > 0 {
			t.Errorf("order %d: finite differences disagree: %+v", order, bad)
		}
	}
	var warned bool
	for _, d := range a.Warnings {
		if strings.Contains(d.Summary, "c = cube(x) is saturated") && strings.Contains(d.Summary, "3·x²") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no saturation warning for cube at 1e-4: %v", a.Warnings)
	}

	e, err := explain.New(a, explain.Options{Wrt: []string{"v", "x"}, Delta: true, Order: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"text": {"(∂f/∂v)ᵀ · δ_f", "c = cube(x)"},
		"md":   {`\operatorname{cube}(x)`, `(\frac{\partial f}{\partial v})^{\top} \cdot \delta_{f}`},
		"tex":  {`\operatorname{cube}(x)`, `(\frac{\partial f}{\partial v})^{\top} \cdot \delta_{f}`},
	}
	for _, format := range explain.Formats {
		var b strings.Builder
		if err := e.Write(&b, format); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, w := range want[format] {
			if !strings.Contains(out, w) {
				t.Errorf("explain %s lacks %q:\n%s", format, w, out)
			}
		}
		if strings.Contains(out, "⊙ J_flip") || strings.Contains(out, `\odot \mathit{J`) {
			t.Errorf("explain %s multiplies flip's Jacobian elementwise:\n%s", format, out)
		}
	}

	// The second derivative in words, where the output is the op itself.
	g2, err := graph.LoadWithOps("toy2.yaml", []byte("name: toy2\ninputs:\n  x: 2\nnodes:\n  c: cube(x)\noutput: c\n"), graph.Limits{}, ops)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := backward.Annotate(g2)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := explain.New(a2, explain.Options{Order: 2})
	if err != nil {
		t.Fatal(err)
	}
	if s := e2.String(); !strings.Contains(s, "∂²c/∂x² = ∂/∂x (3·x²) = 6·x = 12") {
		t.Errorf("explain --order 2 lacks ∂²c/∂x² = 6·x = 12:\n%s", s)
	}

	dot := string(render.DOT(a, render.Options{}))
	for _, w := range []string{"c = cube(x)", "f = flip(v)", "3·x²"} {
		if !strings.Contains(dot, w) {
			t.Errorf("the diagram lacks %q", w)
		}
	}
	if _, err := render.SVG([]byte(dot)); err != nil {
		t.Errorf("SVG: %v", err)
	}
}

// TestLossStyle: a loss that is not the output is drawn like the output,
// captioned as a loss, and the legend names the style "output, loss".
func TestLossStyle(t *testing.T) {
	g, err := graph.Load("l.yaml", []byte("name: l\ninputs:\n  x: [1, 2]\n  y: {value: [0, 1], grad: false}\nnodes:\n  a: mse(x, y)\n  b: huber(x, y, 1)\n  L: add(a, b)\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	dot := string(render.DOT(a, render.Options{}))
	for _, w := range []string{"loss · mse", "loss · huber", "output, loss", "output · add"} {
		if !strings.Contains(dot, w) {
			t.Errorf("the diagram lacks %q", w)
		}
	}
}
