package backward_test

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// leafGen describes a leaf of an op case: its shape and the domain its
// values are drawn from.
type leafGen struct {
	name   string
	shape  []int
	domain string // any, pos, prob, unit, cls (class indices, grad: false), lo, hi, delta, tie, m1, p1
}

// opCase is one op in one shape form, as a spec node over generated leaves.
type opCase struct {
	call   string
	leaves []leafGen
}

// newOpSpecCases lists the newer ops in every shape form.
func newOpSpecCases() []opCase {
	S, V, M := []int(nil), []int{3}, []int{2, 3}
	l := func(name string, shape []int, domain string) leafGen { return leafGen{name, shape, domain} }
	var cases []opCase
	add := func(call string, leaves ...leafGen) { cases = append(cases, opCase{call, leaves}) }
	for _, s := range [][]int{S, V, M} {
		add("abs(a)", l("a", s, "any"))
		add("sqrt(a)", l("a", s, "pos"))
		for _, op := range []string{"sum", "mean", "max", "var", "flatten"} {
			add(op+"(a)", l("a", s, "any"))
		}
	}
	for _, op := range []string{"sum", "mean", "max", "var"} {
		add(op+"(a, axis=0)", l("a", M, "any"))
		add(op+"(a, axis=1)", l("a", M, "any"))
		add(op+"(a, axis=0)", l("a", V, "any"))
	}
	add("reshape(a, shape=[3, 2])", l("a", M, "any"))
	add("reshape(a, shape=[1, 3])", l("a", V, "any"))
	for _, f := range [][2][]int{{S, S}, {V, V}, {M, M}, {M, V}, {S, M}, {{2, 1}, {1, 3}}} {
		add("maximum(a, b)", l("a", f[0], "any"), l("b", f[1], "any"))
		add("minimum(a, b)", l("a", f[0], "any"), l("b", f[1], "any"))
	}
	for _, f := range [][3][]int{{S, S, S}, {M, S, S}, {M, V, V}, {V, V, V}} {
		add("clip(a, lo, hi)", l("a", f[0], "any"), l("lo", f[1], "lo"), l("hi", f[2], "hi"))
	}
	for _, op := range []string{"softmax", "log_softmax", "logsumexp"} {
		add(op+"(a)", l("a", V, "any"))
		add(op+"(a)", l("a", M, "any"))
	}
	for _, f := range [][2][]int{{S, S}, {V, V}, {M, M}, {V, S}, {S, M}} {
		add("binary_cross_entropy(p, y)", l("p", f[0], "prob"), l("y", f[1], "unit"))
		add("bce_with_logits(a, y)", l("a", f[0], "any"), l("y", f[1], "unit"))
		add("huber(a, b, d)", l("a", f[0], "any"), l("b", f[1], "any"), l("d", S, "delta"))
	}
	add("cross_entropy(a, y)", l("a", V, "any"), l("y", S, "cls"))
	add("cross_entropy(a, y)", l("a", M, "any"), l("y", []int{2}, "cls"))
	add("cross_entropy(a, y)", l("a", V, "any"), l("y", V, "unit"))
	add("cross_entropy(a, y)", l("a", M, "any"), l("y", M, "unit"))
	add("nll(a, y)", l("a", V, "any"), l("y", S, "cls"))
	add("nll(a, y)", l("a", M, "any"), l("y", []int{2}, "cls"))
	return cases
}

// drawValue draws one value of a domain.
func drawValue(r *rand.Rand, domain string) float64 {
	u := r.Float64()
	switch domain {
	case "pos":
		return 0.2 + 2*u
	case "prob":
		return 0.1 + 0.8*u
	case "unit":
		return u
	case "cls":
		return float64(r.Intn(3))
	case "lo":
		return -0.8 + 0.3*u
	case "hi":
		return 0.5 + 0.3*u
	case "delta":
		return 0.5 + u
	case "tie": // −1, 0 or 1: ties and kinks on purpose.
		return float64(r.Intn(3) - 1)
	case "m1":
		return -1
	case "p1":
		return 1
	}
	x := 4*u - 2
	if math.Abs(x) < 0.05 { // Away from the kinks at 0.
		x += 0.1
	}
	return x
}

// yamlValue writes a tensor of the given shape as YAML.
func yamlValue(r *rand.Rand, shape []int, domain string) string {
	row := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%.6g", drawValue(r, domain))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	switch len(shape) {
	case 0:
		return fmt.Sprintf("%.6g", drawValue(r, domain))
	case 1:
		return row(shape[0])
	}
	rows := make([]string, shape[0])
	for i := range rows {
		rows[i] = row(shape[1])
	}
	return "[" + strings.Join(rows, ", ") + "]"
}

// opCaseSpec writes a spec computing L = Σ G ⊙ op(leaves) for a random G.
func opCaseSpec(r *rand.Rand, c opCase) string {
	var b strings.Builder
	b.WriteString("name: op_case\ninputs:\n")
	for _, lf := range c.leaves {
		v := yamlValue(r, lf.shape, lf.domain)
		if lf.domain == "cls" {
			fmt.Fprintf(&b, "  %s: {value: %s, grad: false}\n", lf.name, v)
		} else {
			fmt.Fprintf(&b, "  %s: %s\n", lf.name, v)
		}
	}
	// The weights G get the output's shape from a first load.
	g, err := graph.Load("probe.yaml", []byte(b.String()+"nodes:\n  out: "+c.call+"\n"))
	if err != nil {
		panic(fmt.Sprintf("%s: %v", c.call, err))
	}
	fmt.Fprintf(&b, "  G: {value: %s, grad: false}\nnodes:\n  out: %s\n  w: mul(out, G)\n  L: sum(w)\noutput: L\n",
		yamlValue(r, g.Node("out").Shape, "any"), c.call)
	return b.String()
}

// TestNewOpsFirstAndSecondOrder checks every newer op in every shape form
// against central finite differences of the whole graph: the gradients,
// and the second derivatives (the Hessian's diagonal) built by
// differentiating the derivative rules again.
func TestNewOpsFirstAndSecondOrder(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for _, c := range newOpSpecCases() {
		for trial := 0; trial < 2; trial++ {
			src := opCaseSpec(r, c)
			g, err := graph.Load("op_case.yaml", []byte(src))
			if err != nil {
				t.Fatalf("%s: %v\n%s", c.call, err, src)
			}
			a, err := backward.Annotate(g)
			if err != nil {
				t.Fatalf("%s: %v\n%s", c.call, err, src)
			}
			for order := 1; order <= 2; order++ {
				res, err := backward.Check(a, 1e-5, order)
				if err != nil {
					t.Fatalf("%s order %d: %v\n%s", c.call, order, err, src)
				}
				for _, row := range res.Failed(1e-5) {
					t.Errorf("%s order %d: ∂/∂%s = %v, finite differences %v\n%s", c.call, order, row.Leaf, row.Analytic, row.Numeric, src)
				}
			}
		}
	}
}

// TestSoftmaxExtremeLogits: logits of ±1000 give finite, correct values
// and gradients through softmax, log_softmax, logsumexp and cross_entropy.
func TestSoftmaxExtremeLogits(t *testing.T) {
	const src = `name: extreme
inputs:
  z: [[1000, -1000, 0], [-1000, -1000, -1000]]
  y: {value: [0, 2], grad: false}
nodes:
  L: cross_entropy(z, y)
  s: softmax(z)
  l: log_softmax(z)
  e: logsumexp(z)
output: L
`
	g, err := graph.Load("extreme.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	// Row 1 puts all its mass on class 0, its target: loss 0. Row 2 is
	// uniform: loss ln 3. The mean is ln(3)/2.
	if v := g.Output.Value.Item(); math.Abs(v-math.Log(3)/2) > 1e-12 {
		t.Errorf("L = %v, want ln(3)/2", v)
	}
	// ∂L/∂z = (softmax(z) − onehot(y))/2.
	want := []float64{0, 0, 0, 1.0 / 6, 1.0 / 6, (1.0/3 - 1) / 2}
	for i, v := range a.Grad("z").Data {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Errorf("∂L/∂z = %v, want %v", a.Grad("z").Data, want)
			break
		}
	}
	checks := map[string][]float64{
		"s": {1, 0, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3},
		"l": {0, -2000, -1000, -math.Log(3), -math.Log(3), -math.Log(3)},
		"e": {1000, -1000 + math.Log(3)},
	}
	for name, want := range checks {
		for i, v := range g.Node(name).Value.Data {
			if math.Abs(v-want[i]) > 1e-9 {
				t.Errorf("%s = %v, want %v", name, g.Node(name).Value.Data, want)
				break
			}
		}
	}
	if err := a.AddHigherOrder(2); err != nil {
		t.Fatalf("second order: %v", err)
	}
	for _, v := range a.Higher[0][g.Node("z").ID].Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("∂²L/∂z² is not finite: %v", a.Higher[0][g.Node("z").ID].Data)
		}
	}
}

// TestRandomGraphsWithNewOpsSecondOrder: random tensor graphs that mix the
// newer ops pass the whole-graph check of second derivatives.
func TestRandomGraphsWithNewOpsSecondOrder(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	checked := 0
	for i := 0; i < 30; i++ {
		src := randomTensorSpec(r, 4+r.Intn(10))
		g, err := graph.Load("random.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		a, err := backward.Annotate(g)
		if err != nil {
			continue // A gradient that is not finite; not this test's subject.
		}
		res, err := backward.Check(a, 1e-5, 2)
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		for _, row := range res.Failed(1e-4) {
			t.Errorf("∂²/∂%s² = %v, finite differences %v\n%s", row.Leaf, row.Analytic, row.Numeric, src)
		}
		checked += len(res.Rows)
	}
	if checked < 500 {
		t.Fatalf("only %d second derivatives checked", checked)
	}
}

// TestPowZeroExponent: x^0 = 1 for every x, 0^0 included, with a zero
// gradient and second derivative, not a "not finite" error.
func TestPowZeroExponent(t *testing.T) {
	g, err := graph.Load("p.yaml", []byte("name: p\ninputs:\n  x: [0, 2]\nnodes:\n  y: pow(x, 0)\n  L: sum(y)\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatalf("annotate: %v", err)
	}
	if v := g.Node("y").Value.Data; v[0] != 1 || v[1] != 1 {
		t.Errorf("x^0 = %v, want [1, 1]", v)
	}
	if d := a.Grad("x").Data; d[0] != 0 || d[1] != 0 {
		t.Errorf("∂L/∂x = %v, want [0, 0]", d)
	}
	if e := a.EdgesInto(g.Node("y"))[0]; e.LocalExpr != "0" {
		t.Errorf("∂y/∂x is written %q, want 0", e.LocalExpr)
	}
	if err := a.AddHigherOrder(2); err != nil {
		t.Fatal(err)
	}
	if d := a.Higher[0][g.Node("x").ID].Data; d[0] != 0 || d[1] != 0 {
		t.Errorf("∂²L/∂x² = %v, want [0, 0]", d)
	}
}

// TestJSONKeywordArguments: nodes written with a keyword argument carry it
// in the annotated JSON as kwargs; the others do not.
func TestJSONKeywordArguments(t *testing.T) {
	g, err := graph.Load("k.yaml", []byte("name: k\ninputs:\n  X: [[1, 2, 3], [4, 5, 6]]\nnodes:\n  s: sum(X, axis=1)\n  r: {op: reshape, in: [X], shape: [3, 2]}\n  t: sum(r)\n  L: add(t, s)\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	js := string(backward.JSON(a))
	for _, want := range []string{`"formula": "sum(X, axis=1)", "kwargs": {"axis": 1}}`, `"formula": "reshape(X, shape=[3,2])", "kwargs": {"shape": [3, 2]}}`, `"formula": "Σ r"}`} {
		if !strings.Contains(js, want) {
			t.Errorf("the JSON lacks %s:\n%s", want, js)
		}
	}
}
