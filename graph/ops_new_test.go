package graph

import (
	"math"
	"math/rand"
	"os"
	"strings"
	"testing"
)

// This file tests the ops of ops_piecewise.go, ops_reduce.go,
// ops_softmax.go and ops_loss.go: hand values, and the shape forms the
// finite-difference test of ops_test.go runs (newOpCases).

// newOpCases lists every shape form of the newer ops.
func newOpCases() []shapeCase {
	S, V, M := []int(nil), []int{3}, []int{2, 3}
	idx := []bool{false, true}
	var cases []shapeCase
	add := func(op string, attr []int, fixed []bool, shapes ...[]int) {
		cases = append(cases, shapeCase{op: op, shapes: shapes, attr: attr, fixed: fixed})
	}
	for _, s := range [][]int{S, V, M} {
		add("abs", nil, nil, s)
		add("sqrt", nil, nil, s)
		add("sign", nil, nil, s)
		add("sum", nil, nil, s)
		add("mean", nil, nil, s)
		add("max", nil, nil, s)
		add("var", nil, nil, s)
		add("flatten", nil, nil, s)
		add("argmax_mask", nil, nil, s)
	}
	for _, op := range []string{"sum", "mean", "max", "var", "argmax_mask"} {
		add(op, []int{0}, nil, M)
		add(op, []int{1}, nil, M)
		add(op, []int{0}, nil, V)
	}
	add("reshape", []int{3, 2}, nil, M)
	add("reshape", []int{6}, nil, M)
	add("reshape", []int{1, 3}, nil, V)
	add("reshape", []int{1}, nil, S)
	for _, f := range [][][]int{{S, S}, {V, V}, {M, M}, {M, V}, {V, M}, {S, M}, {M, S}, {{2, 1}, {1, 3}}, {V, S}} {
		add("maximum", nil, nil, f...)
		add("minimum", nil, nil, f...)
		add("ge", nil, nil, f...)
		add("gt", nil, nil, f...)
		add("tie", nil, nil, f...)
	}
	for _, f := range [][][]int{{S, S, S}, {V, S, S}, {M, S, S}, {M, V, V}, {M, M, M}, {S, V, V}} {
		add("clip", nil, nil, f...)
	}
	for _, op := range []string{"softmax", "log_softmax", "logsumexp"} {
		add(op, nil, nil, V)
		add(op, nil, nil, M)
	}
	for _, f := range [][][]int{{S, S}, {V, V}, {M, M}, {V, S}, {S, M}} {
		add("binary_cross_entropy", nil, nil, f...)
		add("bce_with_logits", nil, nil, f...)
		add("huber", nil, nil, f[0], f[1], S)
	}
	add("cross_entropy", nil, idx, V, S)
	add("cross_entropy", nil, idx, M, []int{2})
	add("cross_entropy", nil, nil, V, V)
	add("cross_entropy", nil, nil, M, M)
	add("nll", nil, idx, V, S)
	add("nll", nil, idx, M, []int{2})
	add("onehot", []int{3}, []bool{true}, S)
	add("onehot", []int{3}, []bool{true}, []int{4})
	return cases
}

// randomInputFor draws input arg of a derivative case: the domain rules
// of randomInput, and those of the newer ops.
func randomInputFor(r *rand.Rand, tc shapeCase, arg int, shape []int) *Tensor {
	if tc.fixed != nil && tc.fixed[arg] {
		t := Zeros(shape)
		for i := range t.Data {
			t.Data[i] = float64(r.Intn(3))
		}
		return t
	}
	t := randomInput(r, tc.op, arg, shape)
	for i := range t.Data {
		u := r.Float64()
		switch {
		case tc.op == "sqrt":
			t.Data[i] = 0.2 + 2*u
		case tc.op == "abs" || tc.op == "sign":
			t.Data[i] = math.Copysign(0.1+u, t.Data[i])
		case tc.op == "binary_cross_entropy" && arg == 0:
			t.Data[i] = 0.1 + 0.8*u
		case (tc.op == "binary_cross_entropy" || tc.op == "bce_with_logits" || tc.op == "cross_entropy") && arg == 1:
			t.Data[i] = u
		case tc.op == "clip" && arg == 1:
			t.Data[i] = -0.8 + 0.3*u
		case tc.op == "clip" && arg == 2:
			t.Data[i] = 0.5 + 0.3*u
		case tc.op == "huber" && arg == 2:
			t.Data[i] = 0.5 + u
		}
	}
	return t
}

func TestNewOpForwardHandValues(t *testing.T) {
	ln := math.Log
	tests := []struct {
		op   string
		attr []int
		in   []*Tensor
		want *Tensor
	}{
		{"abs", nil, []*Tensor{vec(-2, 0, 3)}, vec(2, 0, 3)},
		{"sqrt", nil, []*Tensor{vec(4, 0.25)}, vec(2, 0.5)},
		{"maximum", nil, []*Tensor{vec(1, 5, 2), Scalar(2)}, vec(2, 5, 2)},
		{"minimum", nil, []*Tensor{vec(1, 5, 2), Scalar(2)}, vec(1, 2, 2)},
		{"clip", nil, []*Tensor{vec(-3, 0.5, 7), Scalar(-1), Scalar(1)}, vec(-1, 0.5, 1)},
		{"sum", []int{0}, []*Tensor{mat([]float64{1, 2, 3}, []float64{4, 5, 6})}, vec(5, 7, 9)},
		{"sum", []int{1}, []*Tensor{mat([]float64{1, 2, 3}, []float64{4, 5, 6})}, vec(6, 15)},
		{"mean", []int{0}, []*Tensor{mat([]float64{1, 2, 3}, []float64{4, 5, 6})}, vec(2.5, 3.5, 4.5)},
		{"mean", []int{1}, []*Tensor{mat([]float64{1, 2, 3}, []float64{4, 5, 6})}, vec(2, 5)},
		{"max", nil, []*Tensor{mat([]float64{1, 7, 3}, []float64{4, 5, 6})}, Scalar(7)},
		{"max", []int{0}, []*Tensor{mat([]float64{1, 7, 3}, []float64{4, 5, 6})}, vec(4, 7, 6)},
		{"max", []int{1}, []*Tensor{mat([]float64{1, 7, 3}, []float64{4, 5, 6})}, vec(7, 6)},
		// Population variance: ((1−2)² + 0 + (3−2)²)/3 = 2/3.
		{"var", nil, []*Tensor{vec(1, 2, 3)}, Scalar(2.0 / 3)},
		{"var", []int{0}, []*Tensor{mat([]float64{1, 2}, []float64{3, 6})}, vec(1, 4)},
		{"var", []int{1}, []*Tensor{mat([]float64{1, 2}, []float64{3, 6})}, vec(0.25, 2.25)},
		{"reshape", []int{3, 2}, []*Tensor{mat([]float64{1, 2, 3}, []float64{4, 5, 6})}, mat([]float64{1, 2}, []float64{3, 4}, []float64{5, 6})},
		{"flatten", nil, []*Tensor{mat([]float64{1, 2}, []float64{3, 4})}, vec(1, 2, 3, 4)},
		{"onehot", []int{3}, []*Tensor{vec(2, 0)}, mat([]float64{0, 0, 1}, []float64{1, 0, 0})},
		{"onehot", []int{2}, []*Tensor{Scalar(1)}, vec(0, 1)},
		// softmax([0, ln 2]) = [1/3, 2/3]; a logit of 1000 does not overflow.
		{"softmax", nil, []*Tensor{vec(0, ln(2))}, vec(1.0/3, 2.0/3)},
		{"softmax", nil, []*Tensor{mat([]float64{1000, 0}, []float64{-1000, -1000})}, mat([]float64{1, 0}, []float64{0.5, 0.5})},
		{"log_softmax", nil, []*Tensor{vec(0, ln(3))}, vec(-ln(4), ln(3)-ln(4))},
		{"log_softmax", nil, []*Tensor{vec(1000, 0)}, vec(0, -1000)},
		{"logsumexp", nil, []*Tensor{vec(1000, 1000)}, Scalar(1000 + ln(2))},
		{"logsumexp", nil, []*Tensor{mat([]float64{0, ln(3)}, []float64{-1000, -1000})}, vec(ln(4), -1000+ln(2))},
		// −ln softmax([0, ln 3])[1] = −ln(3/4).
		{"cross_entropy", nil, []*Tensor{vec(0, ln(3)), Scalar(1)}, Scalar(ln(4.0 / 3))},
		// The batch mean of ln(4/3) and ln 4 (row 2 targets class 0).
		{"cross_entropy", nil, []*Tensor{mat([]float64{0, ln(3)}, []float64{0, ln(3)}), vec(1, 0)}, Scalar((ln(4.0/3) + ln(4)) / 2)},
		{"cross_entropy", nil, []*Tensor{vec(0, ln(3)), vec(0.5, 0.5)}, Scalar((ln(4) + ln(4.0/3)) / 2)},
		{"cross_entropy", nil, []*Tensor{vec(1000, -1000), Scalar(1)}, Scalar(2000)},
		{"nll", nil, []*Tensor{mat([]float64{-1, -2}, []float64{-3, -4}), vec(1, 0)}, Scalar(2.5)},
		// −(1·ln 0.8 + 0) and −(0 + 1·ln(1 − 0.25)), averaged.
		{"binary_cross_entropy", nil, []*Tensor{vec(0.8, 0.25), vec(1, 0)}, Scalar(-(ln(0.8) + ln(0.75)) / 2)},
		{"binary_cross_entropy", nil, []*Tensor{Scalar(0), Scalar(1)}, Scalar(100)},
		// ln(1 + e^−z) for y = 1: ln 2 at 0; z = −1000 gives 1000.
		{"bce_with_logits", nil, []*Tensor{vec(0, -1000), vec(1, 1)}, Scalar((ln(2) + 1000) / 2)},
		// d = [0.5, 3] with δ = 1: 0.125 and 1·(3 − 0.5) = 2.5.
		{"huber", nil, []*Tensor{vec(0.5, 3), vec(0, 0), Scalar(1)}, Scalar((0.125 + 2.5) / 2)},
	}
	for _, tc := range tests {
		op := OpByName(tc.op)
		got := apply(t, op, tc.attr, tc.in...)
		if !sameShape(got.Shape, tc.want.Shape) || !close(got.Data, tc.want.Data, 1e-12) {
			t.Errorf("%s%v %v = %v, want %v", tc.op, tc.attr, tc.in, got, tc.want)
		}
	}
}

// vjp returns the gradient of Σ g ⊙ op(in) for each input, by the op's
// derivative rule, summed back to each input's shape.
func vjp(t *testing.T, op *Op, attr []int, g *Tensor, in ...*Tensor) []*Tensor {
	t.Helper()
	out := apply(t, op, attr, in...)
	ins := make([]*Node, len(in))
	need := make([]bool, len(in))
	for i, x := range in {
		ins[i], need[i] = leaf(x), true
	}
	b := NewBuilder(0)
	n := &Node{Kind: KindOp, Op: op, Inputs: ins, Attr: attr, Value: out, Shape: out.Shape}
	if g == nil {
		g = Full(out.Shape, 1)
	}
	gs := op.VJP(b, n, &Node{Kind: KindConst, Value: g, Shape: g.Shape, NoGrad: true}, need)
	res := make([]*Tensor, len(in))
	for i, x := range gs {
		if x != nil {
			res[i] = b.SumTo(x, in[i].Shape).Value
		}
	}
	return res
}

func TestNewOpDerivativeHandValues(t *testing.T) {
	ln := math.Log
	tests := []struct {
		op   string
		attr []int
		in   []*Tensor
		arg  int
		want *Tensor
	}{
		{"abs", nil, []*Tensor{vec(-2, 0, 3)}, 0, vec(-1, 0, 1)}, // 0 at the kink, as PyTorch.
		{"sqrt", nil, []*Tensor{Scalar(4)}, 0, Scalar(0.25)},
		// Ties split the gradient evenly.
		{"maximum", nil, []*Tensor{vec(1, 2, 3), vec(2, 2, 2)}, 0, vec(0, 0.5, 1)},
		{"maximum", nil, []*Tensor{vec(1, 2, 3), vec(2, 2, 2)}, 1, vec(1, 0.5, 0)},
		{"minimum", nil, []*Tensor{vec(1, 2, 3), vec(2, 2, 2)}, 0, vec(1, 0.5, 0)},
		{"clip", nil, []*Tensor{vec(-3, 0.5, 1, 7), Scalar(-1), Scalar(1)}, 0, vec(0, 1, 1, 0)},
		{"clip", nil, []*Tensor{vec(-3, 0.5, 1, 7), Scalar(-1), Scalar(1)}, 1, Scalar(1)},
		{"clip", nil, []*Tensor{vec(-3, 0.5, 1, 7), Scalar(-1), Scalar(1)}, 2, Scalar(1)},
		// max over everything splits ties; along an axis, the first wins.
		{"max", nil, []*Tensor{vec(3, 1, 3)}, 0, vec(0.5, 0, 0.5)},
		{"max", []int{1}, []*Tensor{mat([]float64{3, 1, 3}, []float64{0, 2, 1})}, 0, mat([]float64{1, 0, 0}, []float64{0, 1, 0})},
		{"mean", []int{0}, []*Tensor{mat([]float64{1, 2}, []float64{3, 4})}, 0, mat([]float64{0.5, 0.5}, []float64{0.5, 0.5})},
		// ∂var/∂x = 2(x − mean)/n = 2·[−1, 0, 1]/3.
		{"var", nil, []*Tensor{vec(1, 2, 3)}, 0, vec(-2.0/3, 0, 2.0/3)},
		// With upstream ones, softmax's gradient is s ⊙ (1 − Σ s) = 0.
		{"softmax", nil, []*Tensor{vec(0, ln(2))}, 0, vec(0, 0)},
		{"logsumexp", nil, []*Tensor{vec(0, ln(2))}, 0, vec(1.0/3, 2.0/3)},
		// log_softmax with upstream ones: 1 − n·softmax = [1 − 2/3, 1 − 4/3].
		{"log_softmax", nil, []*Tensor{vec(0, ln(2))}, 0, vec(1.0/3, -1.0/3)},
		// softmax(z) − onehot(y) over the batch of 2: [1/4 − 0, 3/4 − 1]/2, [1/4 − 1, 3/4]/2.
		{"cross_entropy", nil, []*Tensor{mat([]float64{0, ln(3)}, []float64{0, ln(3)}), vec(1, 0)}, 0, mat([]float64{0.125, -0.125}, []float64{-0.375, 0.375})},
		// Logits of ±1000: softmax is [1, 0], finite.
		{"cross_entropy", nil, []*Tensor{vec(1000, -1000), Scalar(1)}, 0, vec(1, -1)},
		{"cross_entropy", nil, []*Tensor{vec(0, ln(3)), vec(0.5, 0.5)}, 0, vec(-0.25, 0.25)},
		{"nll", nil, []*Tensor{mat([]float64{-1, -2}, []float64{-3, -4}), vec(1, 0)}, 0, mat([]float64{0, -0.5}, []float64{-0.5, 0})},
		// (p − y)/(p(1 − p))/n = (0.8 − 1)/(0.16)/1.
		{"binary_cross_entropy", nil, []*Tensor{Scalar(0.8), Scalar(1)}, 0, Scalar(-1.25)},
		{"bce_with_logits", nil, []*Tensor{vec(0, 1000), vec(1, 0)}, 0, vec(-0.25, 0.5)},
		// clip(d, −1, 1)/n with d = [0.5, 3]; ∂/∂δ = Σ relu(|d| − δ)/n = 2/2.
		{"huber", nil, []*Tensor{vec(0.5, 3), vec(0, 0), Scalar(1)}, 0, vec(0.25, 0.5)},
		{"huber", nil, []*Tensor{vec(0.5, 3), vec(0, 0), Scalar(1)}, 2, Scalar(1)},
	}
	for _, tc := range tests {
		got := vjp(t, OpByName(tc.op), tc.attr, nil, tc.in...)[tc.arg]
		if got == nil || !sameShape(got.Shape, tc.want.Shape) || !close(got.Data, tc.want.Data, 1e-12) {
			t.Errorf("∂%s%v/∂in%d at %v = %v, want %v", tc.op, tc.attr, tc.arg, tc.in, got, tc.want)
		}
	}
}

// TestKeywordSyntax loads the keyword forms and checks the diagnostics of
// their mistakes, at the keyword's position.
func TestKeywordSyntax(t *testing.T) {
	const head = "name: k\ninputs:\n  X: [[1, 2, 3], [4, 5, 6]]\n  y: {value: [2, 0], grad: false}\nnodes:\n"
	ok := []struct{ nodes, node, formula string }{
		{"  s: sum(X, axis=0)\n", "s", "sum(X, axis=0)"},
		{"  s: {op: sum, in: [X], axis: 1}\n", "s", "sum(X, axis=1)"},
		{"  s: mean(X,axis = 1)\n", "s", "mean(X, axis=1)"},
		{"  r: reshape(X, shape=[3, 2])\n", "r", "reshape(X, shape=[3,2])"},
		{"  r: {op: reshape, in: [X], shape: [6]}\n", "r", "reshape(X, shape=[6])"},
		{"  h: onehot(y, classes=3)\n", "h", "onehot(y, classes=3)"},
		{"  s: sum(X)\n", "s", "Σ X"},
	}
	for _, tc := range ok {
		g, err := Load("k.yaml", []byte(head+tc.nodes))
		if err != nil {
			t.Errorf("%q: %v", tc.nodes, err)
			continue
		}
		n := g.Node(tc.node)
		if f := n.Op.Formula(n, n.InputNames()); f != tc.formula {
			t.Errorf("%q: formula %q, want %q", tc.nodes, f, tc.formula)
		}
	}
	bad := []struct{ nodes, want string }{
		{"  s: sum(X, axis=2)\n", "k.yaml:6:13: s: sum: axis=2: a [2,3] tensor has axes 0 to 1"},
		{"  s: sum(X, axsi=0)\n", `k.yaml:6:13: nodes.s: sum has no keyword "axsi"; did you mean "axis"? (its keyword is axis, as in axis=0)`},
		{"  s: add(X, X, axis=0)\n", "k.yaml:6:16: nodes.s: add takes no keyword arguments, found axis"},
		{"  s: sum(X, axis=zero)\n", "k.yaml:6:18: nodes.s: keyword axis: expected an integer"},
		{"  s: sum(X, axis=[0])\n", "k.yaml:6:18: nodes.s: keyword axis: expected an integer, as in axis=0"},
		{"  s: sum(X, axis=0, axis=1)\n", "k.yaml:6:21: nodes.s: keyword axis is given twice"},
		{"  s: sum(axis=0, X)\n", "k.yaml:6:18: nodes.s: an input after the keyword argument axis; write the inputs first"},
		{"  r: reshape(X)\n", "k.yaml:6:6: nodes.r: reshape needs the keyword shape, as in shape=[2, 3]"},
		{"  r: reshape(X, shape=[4, 2])\n", "k.yaml:6:17: r: reshape: shape=[4,2] has 8 elements, the input [2,3] has 6"},
		{"  r: {op: reshape, in: [X], shape: 6}\n", "k.yaml:6:36: nodes.r: keyword shape: expected a list of integers, as in shape=[2, 3]"},
		{"  s: {op: sum, in: [X], axis: 5}\n", "k.yaml:6:25: s: sum: axis=5: a [2,3] tensor has axes 0 to 1"},
		{"  h: onehot(y, classes=2)\n", "k.yaml:6:3: h = onehot(y, classes=2): class index 2 (element 0) is not a class: expected an integer from 0 to 1"},
		{"  l: cross_entropy(X, y)\n  m: mse(X, y)\n", "k.yaml:7:3: m: mse: the operands' shapes [2,3] and [2] differ"},
	}
	for _, tc := range bad {
		_, err := Load("k.yaml", []byte(head+tc.nodes))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v\nwant %s", tc.nodes, err, tc.want)
		}
	}
}

// TestLossShapeHonesty: mse of [n,1] against [n] is an error that names
// both shapes and suggests reshape or flatten, not a silent n×n broadcast.
func TestLossShapeHonesty(t *testing.T) {
	src := "name: l\ninputs:\n  p: [[1], [2], [3], [4]]\n  y: [1.5, 2.5, 3.5, 4.5]\nnodes:\n  L: mse(p, y)\n"
	_, err := Load("l.yaml", []byte(src))
	want := "l.yaml:6:3: L: mse: the operands' shapes [4,1] and [4] differ, and would broadcast to [4,4]: a loss compares elements one to one; reshape one operand to the other's shape (reshape(…, shape=[4,1])) or flatten both (flatten(…))"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	g, err := Load("l.yaml", []byte(src+"  f: flatten(p)\n  M: mse(f, y)\noutput: M\n"))
	if err == nil {
		t.Fatalf("the first mse should still fail")
	}
	g, err = Load("l.yaml", []byte(strings.Replace(src, "mse(p, y)", "mse(f, y)\n  f: flatten(p)\noutput: L", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if v := g.Output.Value.Item(); v != 0.25 {
		t.Errorf("mse(flatten(p), y) = %v, want 0.25", v)
	}
}

// TestClassIndexTargets: a target that is not a class index is reported at
// the loss, naming the element.
func TestClassIndexTargets(t *testing.T) {
	src := "name: c\ninputs:\n  Z: [[1, 2, 3], [4, 5, 6]]\n  y: {value: [0, 3], grad: false}\nnodes:\n  L: cross_entropy(Z, y)\n"
	_, err := Load("c.yaml", []byte(src))
	want := "c.yaml:6:3: L = cross_entropy(Z, y): target 3 (element 1) is not a class: expected an integer from 0 to 2"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	_, err = Load("c.yaml", []byte(strings.Replace(src, "[0, 3]", "[0, 1.5]", 1)))
	if err == nil || !strings.Contains(err.Error(), "target 1.5 (element 1) is not a class") {
		t.Errorf("a fractional index: %v", err)
	}
	// Indices have no gradient: the leaf must say so.
	_, err = Load("c.yaml", []byte(strings.Replace(src, "{value: [0, 3], grad: false}", "[0, 1]", 1)))
	want = "c.yaml:6:3: L = cross_entropy(Z, y): the target y holds class indices, which have no gradient: declare y with grad: false"
	if err == nil || err.Error() != want {
		t.Errorf("indices with a gradient: got %v\nwant %s", err, want)
	}
}

// TestEveryOpIsComplete checks the fields every op must have, and that
// the function names the ops declare have one TeX spelling each.
func TestEveryOpIsComplete(t *testing.T) {
	tex := map[string]string{}
	for _, op := range Builtin().All() {
		if op.Shape == nil || op.Forward == nil || op.VJP == nil || op.Formula == nil || op.Local == nil && op.LocalOf == nil {
			t.Errorf("op %s lacks one of Shape, Forward, VJP, Formula, Local/LocalOf", op.Name)
		}
		if op.Func != "" {
			if op.TeX == "" || strings.Contains(op.TeX, `\_`) {
				t.Errorf("op %s: TeX %q must be set and must not escape an underscore (Markdown eats the backslash)", op.Name, op.TeX)
			}
			if prev, ok := tex[op.Func]; ok && prev != op.TeX {
				t.Errorf("function %s is written %s and %s", op.Func, prev, op.TeX)
			}
			tex[op.Func] = op.TeX
		}
	}
}

// TestOpTablesDocumentEveryOp: README's and specs/README.md's op tables
// have a row for every op a spec may use.
func TestOpTablesDocumentEveryOp(t *testing.T) {
	for _, doc := range []string{"../README.md", "../specs/README.md"} {
		src, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, line := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(line, "| `") {
				rows = append(rows, line[:strings.Index(line[1:], "|")+1])
			}
		}
		for _, name := range OpNames() {
			found := false
			for _, r := range rows {
				if strings.Contains(r, "`"+name+"`") || strings.Contains(r, "`"+name+"(") {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: the op table has no row for %s", doc, name)
			}
		}
	}
}
