package graph

import (
	"math"
	"math/rand"
	"testing"
)

// leaf returns a leaf node holding t, for building op nodes in tests.
func leaf(t *Tensor) *Node { return &Node{Kind: KindInput, Value: t, Shape: t.Shape} }

func vec(xs ...float64) *Tensor { return &Tensor{Shape: []int{len(xs)}, Data: xs} }

func mat(rows ...[]float64) *Tensor {
	t := &Tensor{Shape: []int{len(rows), len(rows[0])}}
	for _, r := range rows {
		t.Data = append(t.Data, r...)
	}
	return t
}

// apply evaluates op on inputs after checking their shapes with op's rule.
func apply(t *testing.T, op *Op, attr []int, in ...*Tensor) *Tensor {
	t.Helper()
	shapes := make([][]int, len(in))
	for i, x := range in {
		shapes[i] = x.Shape
	}
	want, err := op.Shape(shapes, attr)
	if err != nil {
		t.Fatalf("%s: shape rule rejected %v: %v", op.Name, shapes, err)
	}
	out := op.Forward(in, attr)
	if !sameShape(out.Shape, want) {
		t.Fatalf("%s: forward shape %v, shape rule says %v", op.Name, out.Shape, want)
	}
	return out
}

func TestOpForwardHandValues(t *testing.T) {
	tests := []struct {
		op   string
		in   []*Tensor
		want *Tensor
	}{
		{"add", []*Tensor{Scalar(1), Scalar(2)}, Scalar(3)},
		{"add", []*Tensor{Scalar(1), Scalar(2), Scalar(4)}, Scalar(7)},
		{"add", []*Tensor{mat([]float64{1, 2}, []float64{3, 4}), vec(10, 20)}, mat([]float64{11, 22}, []float64{13, 24})},
		{"add", []*Tensor{mat([]float64{1}, []float64{2}), mat([]float64{10, 20, 30})}, mat([]float64{11, 21, 31}, []float64{12, 22, 32})},
		{"sub", []*Tensor{Scalar(14), Scalar(5)}, Scalar(9)},
		{"sub", []*Tensor{vec(1, 2), Scalar(1)}, vec(0, 1)},
		{"mul", []*Tensor{Scalar(3), Scalar(2)}, Scalar(6)},
		{"mul", []*Tensor{vec(1, 2, 3), Scalar(2)}, vec(2, 4, 6)},
		{"div", []*Tensor{Scalar(1), Scalar(4)}, Scalar(0.25)},
		{"neg", []*Tensor{vec(1, -2)}, vec(-1, 2)},
		{"pow", []*Tensor{Scalar(2), Scalar(3)}, Scalar(8)},
		{"pow", []*Tensor{Scalar(9), Scalar(0.5)}, Scalar(3)},
		{"square", []*Tensor{Scalar(-3)}, Scalar(9)},
		{"exp", []*Tensor{Scalar(0)}, Scalar(1)},
		{"log", []*Tensor{Scalar(math.E)}, Scalar(1)},
		{"sin", []*Tensor{Scalar(math.Pi / 2)}, Scalar(1)},
		{"cos", []*Tensor{Scalar(0)}, Scalar(1)},
		{"tanh", []*Tensor{Scalar(0)}, Scalar(0)},
		{"sigmoid", []*Tensor{Scalar(0)}, Scalar(0.5)},
		{"sigmoid", []*Tensor{Scalar(-800)}, Scalar(0)},
		{"relu", []*Tensor{vec(-1, 0, 2)}, vec(0, 0, 2)},
		{"step", []*Tensor{vec(-1, 0, 2)}, vec(0, 0, 1)},
		{"log0", []*Tensor{vec(0, math.E)}, vec(0, 1)},
		{"recip0", []*Tensor{vec(0, 4)}, vec(0, 0.25)},
		{"matmul", []*Tensor{mat([]float64{1, 2}, []float64{3, 4}), mat([]float64{5, 6}, []float64{7, 8})}, mat([]float64{19, 22}, []float64{43, 50})},
		{"matmul", []*Tensor{mat([]float64{1, 2}, []float64{3, 4}), vec(1, 1)}, vec(3, 7)},
		{"matmul", []*Tensor{vec(1, 1), mat([]float64{1, 2}, []float64{3, 4})}, vec(4, 6)},
		{"matmul", []*Tensor{vec(1, 2), vec(3, 4)}, Scalar(11)},
		{"outer", []*Tensor{vec(1, 2), vec(3, 4, 5)}, mat([]float64{3, 4, 5}, []float64{6, 8, 10})},
		{"transpose", []*Tensor{mat([]float64{1, 2, 3}, []float64{4, 5, 6})}, mat([]float64{1, 4}, []float64{2, 5}, []float64{3, 6})},
		{"sum", []*Tensor{mat([]float64{1, 2}, []float64{3, 4})}, Scalar(10)},
		{"mean", []*Tensor{mat([]float64{1, 2}, []float64{3, 4})}, Scalar(2.5)},
		{"squared_error", []*Tensor{Scalar(14), Scalar(5)}, Scalar(81)},
		{"squared_error", []*Tensor{vec(1, 2), vec(0, 0)}, Scalar(5)},
		{"mse", []*Tensor{vec(1, 2), vec(0, 0)}, Scalar(2.5)},
		{"mse", []*Tensor{mat([]float64{1, 2}, []float64{3, 4}), Scalar(1)}, Scalar(3.5)},
	}
	for _, tc := range tests {
		op := OpByName(tc.op)
		got := apply(t, op, nil, tc.in...)
		if !sameShape(got.Shape, tc.want.Shape) || !close(got.Data, tc.want.Data, 1e-15) {
			t.Errorf("%s%v = %v, want %v", tc.op, tc.in, got, tc.want)
		}
	}
}

// TestOpDerivativeHandValues checks each rule's local derivative at a point
// where it is easy to compute by hand.
func TestOpDerivativeHandValues(t *testing.T) {
	tests := []struct {
		op   string
		in   []float64
		want []float64 // ∂out/∂in[i]
	}{
		{"add", []float64{1, 2, 3}, []float64{1, 1, 1}},
		{"sub", []float64{1, 2}, []float64{1, -1}},
		{"mul", []float64{3, 2}, []float64{2, 3}},
		{"div", []float64{1, 2}, []float64{0.5, -0.25}},
		{"neg", []float64{5}, []float64{-1}},
		{"pow", []float64{2, 3}, []float64{12, 8 * math.Ln2}},
		{"square", []float64{-3}, []float64{-6}},
		{"exp", []float64{0}, []float64{1}},
		{"log", []float64{4}, []float64{0.25}},
		{"sin", []float64{0}, []float64{1}},
		{"cos", []float64{math.Pi / 2}, []float64{-1}},
		{"tanh", []float64{0}, []float64{1}},
		{"sigmoid", []float64{0}, []float64{0.25}},
		{"relu", []float64{7}, []float64{1}},
		{"relu", []float64{0}, []float64{0}}, // PyTorch's convention at the kink.
		{"relu", []float64{-2}, []float64{0}},
		{"step", []float64{3}, []float64{0}},
		{"squared_error", []float64{14, 5}, []float64{18, -18}},
		{"mse", []float64{14, 5}, []float64{18, -18}},
		{"sum", []float64{3}, []float64{1}},
		{"mean", []float64{3}, []float64{1}},
		{"matmul", []float64{3, 2}, nil}, // Scalars are not valid matmul operands.
	}
	for _, tc := range tests {
		if tc.want == nil {
			continue
		}
		op := OpByName(tc.op)
		ins := make([]*Node, len(tc.in))
		vals := make([]*Tensor, len(tc.in))
		for i, x := range tc.in {
			vals[i] = Scalar(x)
			ins[i] = leaf(vals[i])
		}
		b := NewBuilder(0)
		n := &Node{Kind: KindOp, Op: op, Inputs: ins, Value: op.Forward(vals, nil)}
		need := make([]bool, len(ins))
		for i := range need {
			need[i] = true
		}
		got := op.VJP(b, n, b.Const(1), need)
		for i, w := range tc.want {
			g := 0.0
			if got[i] != nil {
				g = got[i].Value.Item()
			}
			if math.Abs(g-w) > 1e-12 {
				t.Errorf("∂%s/∂in%d at %v = %v, want %v", tc.op, i, tc.in, g, w)
			}
		}
	}
}

// shapeCase is one combination of input shapes an op supports.
type shapeCase struct {
	op     string
	shapes [][]int
	attr   []int
	// fixed marks inputs that hold class indices: they have no
	// derivative and are not perturbed.
	fixed []bool
}

// derivativeCases lists, for every op, every shape form it supports:
// scalar, vector, matrix and broadcast.
func derivativeCases() []shapeCase {
	S, V, M := []int(nil), []int{3}, []int{2, 3}
	var cases []shapeCase
	binaryForms := [][][]int{{S, S}, {V, V}, {M, M}, {M, V}, {V, M}, {S, M}, {M, S}, {{2, 1}, {1, 3}}, {V, S}}
	lossForms := [][][]int{{S, S}, {V, V}, {M, M}, {S, M}, {M, S}, {V, S}}
	for _, op := range []string{"add", "sub", "mul", "div", "pow"} {
		for _, f := range binaryForms {
			cases = append(cases, shapeCase{op: op, shapes: f})
		}
	}
	// A loss's operands have one shape, or one is a scalar.
	for _, op := range []string{"squared_error", "mse"} {
		for _, f := range lossForms {
			cases = append(cases, shapeCase{op: op, shapes: f})
		}
	}
	cases = append(cases, shapeCase{op: "add", shapes: [][]int{M, V, S}}, shapeCase{op: "add", shapes: [][]int{S, S, S, S}})
	for _, op := range []string{"neg", "square", "exp", "log", "log0", "recip0", "sin", "cos", "tanh", "sigmoid", "relu", "step"} {
		for _, s := range [][]int{S, V, M} {
			cases = append(cases, shapeCase{op: op, shapes: [][]int{s}})
		}
	}
	cases = append(cases,
		shapeCase{op: "matmul", shapes: [][]int{{2, 3}, {3, 4}}},
		shapeCase{op: "matmul", shapes: [][]int{{2, 3}, {3}}},
		shapeCase{op: "matmul", shapes: [][]int{{3}, {3, 4}}},
		shapeCase{op: "matmul", shapes: [][]int{{3}, {3}}},
		shapeCase{op: "outer", shapes: [][]int{{2}, {3}}},
		shapeCase{op: "transpose", shapes: [][]int{{2, 3}}},
		shapeCase{op: "sum_to", shapes: [][]int{{2, 3}}, attr: []int{3}},
		shapeCase{op: "sum_to", shapes: [][]int{{2, 3}}, attr: []int{2, 1}},
		shapeCase{op: "sum_to", shapes: [][]int{{3}}, attr: nil},
		shapeCase{op: "broadcast_to", shapes: [][]int{{3}}, attr: []int{2, 3}},
		shapeCase{op: "broadcast_to", shapes: [][]int{nil}, attr: []int{2, 3}},
	)
	return append(cases, newOpCases()...)
}

// randomInput draws values valid for the op's domain: positive where a log
// or a fractional power needs it, away from zero for a divisor, and away
// from relu's kink.
func randomInput(r *rand.Rand, op string, arg int, shape []int) *Tensor {
	t := Zeros(shape)
	for i := range t.Data {
		x := r.Float64()*4 - 2
		switch {
		case op == "log" || op == "log0" || op == "recip0" || op == "pow" && arg == 0:
			x = 0.5 + r.Float64()*2
		case op == "div" && arg == 1:
			x = 1 + r.Float64()
		case op == "pow" && arg == 1:
			x = r.Float64()*3 - 1
		case op == "relu" || op == "step":
			if math.Abs(x) < 0.1 {
				x += 0.5
			}
		}
		t.Data[i] = x
	}
	return t
}

// TestOpDerivativesFiniteDifferences checks every op's derivative rule, in
// every shape form, against central finite differences of the scalar
// s(x) = Σ G ⊙ op(x) for a random upstream G.
func TestOpDerivativesFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, tc := range derivativeCases() {
		for trial := 0; trial < 3; trial++ {
			op := OpByName(tc.op)
			vals := make([]*Tensor, len(tc.shapes))
			ins := make([]*Node, len(tc.shapes))
			for i, s := range tc.shapes {
				vals[i] = randomInputFor(r, tc, i, s)
				ins[i] = leaf(vals[i])
			}
			out := apply(t, op, tc.attr, vals...)
			up := randomInput(r, "", 0, out.Shape)
			b := NewBuilder(0)
			n := &Node{Kind: KindOp, Op: op, Inputs: ins, Attr: tc.attr, Value: out, Shape: out.Shape}
			need := make([]bool, len(ins))
			for i := range need {
				need[i] = true
			}
			g := &Node{Kind: KindConst, Value: up, Shape: up.Shape, NoGrad: true}
			grads := op.VJP(b, n, g, need)
			objective := func() float64 {
				y := op.Forward(vals, tc.attr)
				s := 0.0
				for k, v := range y.Data {
					s += v * up.Data[k]
				}
				return s
			}
			for i, x := range vals {
				if tc.fixed != nil && tc.fixed[i] {
					continue
				}
				analytic := Zeros(x.Shape)
				if grads[i] != nil {
					analytic = b.SumTo(grads[i], x.Shape).Value
				}
				if !sameShape(analytic.Shape, x.Shape) {
					t.Fatalf("%s %v: gradient of input %d has shape %v, want %v", tc.op, tc.shapes, i, analytic.Shape, x.Shape)
				}
				for k := range x.Data {
					numeric := centralDiff(&x.Data[k], objective)
					if !closeRel(analytic.Data[k], numeric, 1e-6) {
						t.Errorf("%s %v: ∂/∂in%d[%d] = %v, finite differences give %v", tc.op, tc.shapes, i, k, analytic.Data[k], numeric)
					}
				}
			}
		}
	}
}

// centralDiff estimates the derivative of f with respect to *x.
func centralDiff(x *float64, f func() float64) float64 {
	h := 1e-6 * math.Max(1, math.Abs(*x))
	orig := *x
	*x = orig + h
	fp := f()
	*x = orig - h
	fm := f()
	*x = orig
	return (fp - fm) / (2 * h)
}

func closeRel(a, b, tol float64) bool {
	d := math.Abs(a - b)
	return d <= tol || d <= tol*math.Max(math.Abs(a), math.Abs(b))
}

func close(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !closeRel(a[i], b[i], tol) {
			return false
		}
	}
	return true
}

func TestEveryOpHasATest(t *testing.T) {
	tested := map[string]bool{}
	for _, c := range derivativeCases() {
		tested[c.op] = true
	}
	for _, op := range Builtin().All() {
		if !tested[op.Name] {
			t.Errorf("op %s has no finite-difference case in derivativeCases", op.Name)
		}
	}
}

func TestBroadcastShapes(t *testing.T) {
	tests := []struct {
		a, b, want []int
		ok         bool
	}{
		{nil, []int{2, 3}, []int{2, 3}, true},
		{[]int{2, 3}, []int{3}, []int{2, 3}, true},
		{[]int{2, 1}, []int{1, 3}, []int{2, 3}, true},
		{[]int{2}, []int{3}, nil, false},
		{[]int{2, 3}, []int{2}, nil, false},
	}
	for _, tc := range tests {
		got, err := BroadcastShapes(tc.a, tc.b)
		if (err == nil) != tc.ok || tc.ok && !sameShape(got, tc.want) {
			t.Errorf("BroadcastShapes(%v, %v) = %v, %v; want %v (ok=%v)", tc.a, tc.b, got, err, tc.want, tc.ok)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	tests := map[float64]string{
		72: "72", 2.28: "2.28", -18: "-18", 0.30000000000000004: "0.30000000000000004",
		math.Copysign(0, -1): "0", 1e21: "1e21", 1e-7: "1e-7", 123456789: "123456789", 0.000001: "0.000001",
		-2.5e-10: "-2.5e-10",
	}
	for v, want := range tests {
		if got := FormatNumber(v); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", v, got, want)
		}
	}
}
