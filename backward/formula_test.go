package backward_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// fexpr is a random formula: an op applied to sub-expressions, or a leaf
// (a name or a literal).
type fexpr struct {
	op   string // "" for a leaf
	leaf string
	args []*fexpr
}

// infix maps the ops written with an operator to it.
var infix = map[string]string{"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^", "matmul": "@"}

// randomScalar returns a random scalar expression of at most the given
// depth over the scalar leaves a, b, c and the vectors v, w.
func randomScalar(r *rand.Rand, depth int) *fexpr {
	if depth == 0 || r.IntN(4) == 0 {
		switch r.IntN(6) {
		case 0:
			return &fexpr{leaf: fmt.Sprint([]string{"0.5", "2", "1.5", "3"}[r.IntN(4)])}
		case 1:
			return &fexpr{op: "matmul", args: []*fexpr{{leaf: "v"}, {leaf: "w"}}}
		}
		return &fexpr{leaf: []string{"a", "b", "c"}[r.IntN(3)]}
	}
	x := func() *fexpr { return randomScalar(r, depth-1) }
	switch r.IntN(11) {
	case 0:
		return &fexpr{op: "add", args: []*fexpr{x(), x()}}
	case 1:
		return &fexpr{op: "sub", args: []*fexpr{x(), x()}}
	case 2, 3:
		return &fexpr{op: "mul", args: []*fexpr{x(), x()}}
	case 4:
		// A denominator that cannot be 0: 2 + σ(…).
		return &fexpr{op: "div", args: []*fexpr{x(), {op: "add", args: []*fexpr{{leaf: "2"}, {op: "sigmoid", args: []*fexpr{x()}}}}}}
	case 5:
		return &fexpr{op: "pow", args: []*fexpr{x(), {leaf: []string{"2", "3"}[r.IntN(2)]}}}
	case 6:
		return &fexpr{op: "neg", args: []*fexpr{{op: "tanh", args: []*fexpr{x()}}}}
	case 7:
		return &fexpr{op: "tanh", args: []*fexpr{x()}}
	case 8:
		return &fexpr{op: "sin", args: []*fexpr{x()}}
	case 9:
		return &fexpr{op: "sum", args: []*fexpr{{op: "mul", args: []*fexpr{{leaf: "v"}, x()}}}}
	}
	return &fexpr{op: "square", args: []*fexpr{x()}}
}

// prec is the binding strength of an op written as an operator; calls
// and leaves bind tightest.
func prec(op string) int {
	switch op {
	case "add", "sub":
		return 1
	case "mul", "div", "matmul":
		return 2
	case "neg":
		return 3
	case "pow":
		return 4
	}
	return 5
}

// formula writes e as a formula, with the spacing chosen at random and
// parentheses where precedence and associativity need them (and, at
// random, where they do not).
func (e *fexpr) formula(r *rand.Rand) string {
	if e.op == "" {
		return e.leaf
	}
	sp := []string{"", " ", "  "}[r.IntN(3)]
	// operand parenthesises a when it binds less tightly than needed.
	operand := func(a *fexpr, need int) string {
		s := a.formula(r)
		if prec(a.op) < need || prec(a.op) < 5 && r.IntN(3) == 0 {
			return "(" + s + ")"
		}
		return s
	}
	if sym, ok := infix[e.op]; ok {
		p := prec(e.op)
		left, right := p, p+1 // Left-associative.
		if e.op == "pow" {
			left, right = 5, 3 // Right-associative; x ^ -y is fine.
		}
		return operand(e.args[0], left) + sp + sym + sp + operand(e.args[1], right)
	}
	if e.op == "neg" {
		return "-" + operand(e.args[0], 3)
	}
	args := make([]string, len(e.args))
	for i, a := range e.args {
		args[i] = a.formula(r)
	}
	return e.op + "(" + strings.Join(args, ","+sp) + ")"
}

// longForm appends the nodes that compute e in the v1 short form, one op
// per node, in evaluation order (the order a formula's sub-expressions
// get), and returns the name or literal that stands for e.
func (e *fexpr) longForm(nodes *[]string, top string) string {
	if e.op == "" {
		return e.leaf
	}
	args := make([]string, len(e.args))
	for i, a := range e.args {
		args[i] = a.longForm(nodes, "")
	}
	name := top
	if name == "" {
		name = fmt.Sprintf("t%d", len(*nodes)+1)
	}
	*nodes = append(*nodes, fmt.Sprintf("  %s: %s(%s)", name, e.op, strings.Join(args, ", ")))
	return name
}

const formulaLeaves = `inputs:
  a: 0.7
  b: -1.3
  c: 0.4
  v: [0.5, -0.25, 1]
params:
  w: [1.5, 0.5, -2]
`

// TestFormulaEquivalence evaluates and differentiates random formulas
// both as one formula and as the hand-expanded long form: the values, the
// gradients and the second derivatives must agree exactly, bit for bit.
func TestFormulaEquivalence(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 2026))
	tried := 0
	for i := 0; i < 300 && tried < 150; i++ {
		e := randomScalar(r, 4)
		if e.op == "" || e.op == "matmul" {
			continue
		}
		f := e.formula(r)
		var nodes []string
		e.longForm(&nodes, "L")
		fsrc := "name: f\n" + formulaLeaves + "nodes:\n  L: \"" + f + "\"\n"
		lsrc := "name: f\n" + formulaLeaves + "nodes:\n" + strings.Join(nodes, "\n") + "\n"
		fa, ferr := annotateOrder2(fsrc)
		la, lerr := annotateOrder2(lsrc)
		if (ferr == nil) != (lerr == nil) {
			t.Fatalf("%s: formula error %v, long form error %v", f, ferr, lerr)
		}
		if ferr != nil {
			continue // Both reject it (a value out of range, say).
		}
		tried++
		if got, want := fa.Graph.Output.Value.Item(), la.Graph.Output.Value.Item(); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%s: value %v, long form %v", f, got, want)
		}
		for _, leaf := range []string{"a", "b", "c", "v", "w"} {
			fn, ln := fa.Graph.Node(leaf), la.Graph.Node(leaf)
			if !sameBits(fa.Grads[fn.ID], la.Grads[ln.ID]) {
				t.Errorf("%s: grad %s = %v, long form %v", f, leaf, fa.Grads[fn.ID], la.Grads[ln.ID])
			}
			if !sameBits(fa.Higher[0][fn.ID], la.Higher[0][ln.ID]) {
				t.Errorf("%s: grad2 %s = %v, long form %v", f, leaf, fa.Higher[0][fn.ID], la.Higher[0][ln.ID])
			}
		}
		if ops(fa.Graph) != ops(la.Graph) {
			t.Errorf("%s: %d op nodes, long form %d", f, ops(fa.Graph), ops(la.Graph))
		}
	}
	if tried < 100 {
		t.Fatalf("only %d formulas compared", tried)
	}
}

func annotateOrder2(src string) (*backward.Annotated, error) {
	g, err := graph.Load("f.yaml", []byte(src))
	if err != nil {
		return nil, err
	}
	a, err := backward.Annotate(g)
	if err != nil {
		return nil, err
	}
	return a, a.AddHigherOrder(2)
}

func sameBits(x, y *graph.Tensor) bool {
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	if len(x.Data) != len(y.Data) {
		return false
	}
	for i := range x.Data {
		if math.Float64bits(x.Data[i]) != math.Float64bits(y.Data[i]) {
			return false
		}
	}
	return true
}

func ops(g *graph.Graph) int {
	n := 0
	for _, x := range g.Nodes {
		if !x.IsLeaf() {
			n++
		}
	}
	return n
}

// TestSharedWeightsSumGradients calls one block three times with the same
// weights: each weight's gradient is the sum of what flows back along its
// edges, one per use, and equals the hand-expanded long form's.
func TestSharedWeightsSumGradients(t *testing.T) {
	const leaves = `inputs:
  x1: 1
  x2: -0.5
  x3: 2
  s0: 0
params:
  Wx: 0.8
  Wh: -0.6
`
	blocks := `blocks:
  cell:
    args: [x, h, Wx, Wh]
    output: tanh(Wx * x + Wh * h)
nodes:
  s1: cell(x1, s0, Wx, Wh)
  s2: cell(x2, s1, Wx, Wh)
  s3: cell(x3, s2, Wx, Wh)
`
	long := `nodes:
  a1: mul(Wx, x1)
  b1: mul(Wh, s0)
  c1: add(a1, b1)
  s1: tanh(c1)
  a2: mul(Wx, x2)
  b2: mul(Wh, s1)
  c2: add(a2, b2)
  s2: tanh(c2)
  a3: mul(Wx, x3)
  b3: mul(Wh, s2)
  c3: add(a3, b3)
  s3: tanh(c3)
`
	ba, err := annotateOrder2("name: r\n" + leaves + blocks)
	if err != nil {
		t.Fatal(err)
	}
	la, err := annotateOrder2("name: r\n" + leaves + long)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Wx", "Wh", "x1", "x2", "x3"} {
		bn := ba.Graph.Node(w)
		if !sameBits(ba.Grads[bn.ID], la.Grads[la.Graph.Node(w).ID]) {
			t.Errorf("grad %s = %v, long form %v", w, ba.Grads[bn.ID], la.Grads[la.Graph.Node(w).ID])
		}
		edges := ba.EdgesFrom(bn)
		if w[0] == 'W' && len(edges) != 3 {
			t.Errorf("%s has %d edges, want one per call (3)", w, len(edges))
		}
		sum := 0.0
		for _, e := range edges {
			sum += e.Grad.Item()
		}
		if got := ba.Grads[bn.ID].Item(); math.Abs(got-sum) > 1e-15 {
			t.Errorf("grad %s = %v, the sum of its edges is %v", w, got, sum)
		}
	}
	for _, name := range []string{"s1.1", "s1.2", "s1.3", "s1", "s3.3", "s3"} {
		n := ba.Graph.Node(name)
		if n == nil {
			t.Errorf("no node %s", name)
			continue
		}
		if n.Block() != "cell" {
			t.Errorf("%s: block %q, want cell", name, n.Block())
		}
	}
}
