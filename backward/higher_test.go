package backward_test

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// annotateSrc loads and annotates a spec given as text.
func annotateSrc(t *testing.T, src string) *backward.Annotated {
	t.Helper()
	g, err := graph.Load("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("load: %v\n%s", err, src)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatalf("annotate: %v\n%s", err, src)
	}
	return a
}

func TestCubicDerivativesUpToFourthOrder(t *testing.T) {
	// The note: y = x³ at x = 2 has dy/dx = 3x² = 12 and d²y/dx² = 6x = 12;
	// then 6 and 0.
	a := annotateSrc(t, "name: cubic\ninputs:\n  x: 2\nnodes:\n  y: pow(x, 3)\n")
	if err := a.AddHigherOrder(4); err != nil {
		t.Fatal(err)
	}
	x := a.Graph.Node("x")
	got := []float64{a.Grads[x.ID].Item(), a.Higher[0][x.ID].Item(), a.Higher[1][x.ID].Item(), a.Higher[2][x.ID].Item()}
	want := []float64{12, 12, 6, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("d^%d y/dx^%d = %v, want %v", i+1, i+1, got[i], want[i])
		}
	}
}

func TestSecondDerivativeHandValues(t *testing.T) {
	x := 0.5
	s := 1 / (1 + math.Exp(-x))
	th := math.Tanh(x)
	tests := []struct {
		name, nodes string
		wrt         string
		want        float64
	}{
		{"sin", "y: sin(x)", "x", -math.Sin(x)},
		{"cos", "y: cos(x)", "x", -math.Cos(x)},
		{"exp", "y: exp(x)", "x", math.Exp(x)},
		{"tanh", "y: tanh(x)", "x", -2 * th * (1 - th*th)},
		{"sigmoid", "y: sigmoid(x)", "x", s * (1 - s) * (1 - 2*s)},
		{"log", "y: log(x)", "x", -1 / (x * x)},
		{"div by x", "y: div(3, x)", "x", 6 / (x * x * x)},
		{"div numerator", "y: div(x, 3)", "x", 0},
		{"pow exponent", "y: pow(2, x)", "x", math.Pow(2, x) * math.Ln2 * math.Ln2},
		{"square", "y: square(x)", "x", 2},
		{"mul x x", "y: mul(x, x)", "x", 2},
		{"product", "p: mul(x, x)\n  y: mul(p, x)", "x", 6 * x},
		{"relu", "y: relu(x)", "x", 0},
		{"composition", "u: sin(x)\n  y: exp(u)", "x", math.Exp(math.Sin(x)) * (math.Cos(x)*math.Cos(x) - math.Sin(x))},
	}
	for _, tc := range tests {
		a := annotateSrc(t, fmt.Sprintf("name: t\ninputs:\n  x: %v\nnodes:\n  %s\n", x, tc.nodes))
		if err := a.AddHigherOrder(2); err != nil {
			t.Fatal(err)
		}
		got := a.Higher[0][a.Graph.Node(tc.wrt).ID].Item()
		if math.Abs(got-tc.want) > 1e-12*math.Max(1, math.Abs(tc.want)) {
			t.Errorf("%s: second derivative %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestSecondOrderMatchesFiniteDifferencesOfGradients checks grad2 on random
// scalar graphs against central differences of the first-order gradients.
func TestSecondOrderMatchesFiniteDifferencesOfGradients(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	checked := 0
	for i := 0; i < 60; i++ {
		src := randomScalarSpec(r, 1+r.Intn(3), 2+r.Intn(12))
		g, err := graph.Load("random.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if hasKinkOrSteep(g) {
			continue
		}
		a, err := backward.Annotate(g)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.AddHigherOrder(2); err != nil {
			t.Fatal(err)
		}
		for _, n := range g.Nodes {
			if !n.IsLeaf() || n.NoGrad {
				continue
			}
			orig := n.Value.Data[0]
			h := 1e-5 * math.Max(1, math.Abs(orig))
			gradAt := func(v float64) float64 {
				n.Value.Data[0] = v
				g.Evaluate()
				b, err := backward.Annotate(g)
				if err != nil {
					t.Fatal(err)
				}
				return b.Grads[n.ID].Item()
			}
			numeric := (gradAt(orig+h) - gradAt(orig-h)) / (2 * h)
			gradAt(orig)
			got := a.Higher[0][n.ID].Item()
			if d := math.Abs(got - numeric); d > 1e-6 && d > 1e-6*math.Abs(numeric) {
				t.Errorf("∂²out/∂%s² = %v, finite differences of the gradient %v\n%s", n.Name, got, numeric, src)
			}
			checked++
		}
	}
	if checked < 80 {
		t.Fatalf("only %d leaves checked", checked)
	}
}

// hasKinkOrSteep reports a graph with a large value, or with a piecewise
// op (graph.Op.Pieces: relu, abs, max, …) that changes piece within 10⁻³
// of the leaves' values, where finite differences of the gradient straddle
// a kink.
func hasKinkOrSteep(g *graph.Graph) bool {
	for _, n := range g.Nodes {
		for _, v := range n.Value.Data {
			if math.Abs(v) > 1e3 {
				return true
			}
		}
	}
	pieces := func() []int {
		var p []int
		for _, n := range g.Nodes {
			if n.Op != nil && n.Op.Pieces != nil {
				vals := make([]*graph.Tensor, len(n.Inputs))
				for i, in := range n.Inputs {
					vals[i] = in.Value
				}
				p = n.Op.Pieces(vals, n.Attr, p)
			}
		}
		return p
	}
	base := pieces()
	defer g.Evaluate()
	for _, n := range g.Nodes {
		if !n.IsLeaf() || n.NoGrad {
			continue
		}
		for k, orig := range n.Value.Data {
			for _, d := range []float64{-1e-3, 1e-3} {
				n.Value.Data[k] = orig + d*math.Max(1, math.Abs(orig))
				g.Evaluate()
				changed := !slices.Equal(base, pieces())
				n.Value.Data[k] = orig
				if changed {
					return true
				}
			}
		}
	}
	return false
}

func TestHessianOfQuadraticFormIsSymmetricPartOfA(t *testing.T) {
	// L = ½ xᵀ A x has the Hessian ½(A + Aᵀ).
	A := [3][3]float64{{2, 1, 0}, {3, 4, -1}, {0, 5, 6}}
	a := annotateSrc(t, `name: quadratic
inputs:
  x: [1, -2, 0.5]
  A: {value: [[2, 1, 0], [3, 4, -1], [0, 5, 6]], grad: false}
nodes:
  Ax: matmul(A, x)
  q: matmul(x, Ax)
  L: mul(0.5, q)
`)
	if err := a.AddHessian(); err != nil {
		t.Fatal(err)
	}
	h := a.Hessian
	if len(h.Wrt) != 3 || h.Wrt[0] != "x[0]" || h.Wrt[2] != "x[2]" {
		t.Fatalf("wrt = %v", h.Wrt)
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			want := (A[i][j] + A[j][i]) / 2
			if got := h.Matrix.At(i, j); math.Abs(got-want) > 1e-12 {
				t.Errorf("H[%d][%d] = %v, want %v", i, j, got, want)
			}
		}
	}
}

func TestHessianIsSymmetricOnRandomGraphs(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	for i := 0; i < 40; i++ {
		var a *backward.Annotated
		if i%2 == 0 {
			a = annotateSrc(t, randomTensorSpec(r, 8)) // 30 leaf elements.
		} else {
			a = annotateSrc(t, randomScalarSpec(r, 3, 10))
		}
		if err := a.AddHessian(); err != nil {
			t.Fatal(err)
		}
		m := a.Hessian.Matrix
		n := m.Shape[0]
		for p := 0; p < n; p++ {
			for q := 0; q < p; q++ {
				x, y := m.At(p, q), m.At(q, p)
				if math.Abs(x-y) > 1e-9*math.Max(1, math.Abs(x)) {
					t.Fatalf("H[%d][%d] = %v but H[%d][%d] = %v", p, q, x, q, p, y)
				}
			}
		}
	}
}

func TestHessianLimit(t *testing.T) {
	a := annotateSrc(t, "name: big\ninputs:\n  x: [[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8,9]]\nnodes:\n  s: sum(x)\n")
	err := a.AddHessian()
	if err == nil || err.Error() != "Hessian: the leaves have 72 scalar elements; the full Hessian is limited to 64 (raise it with MaxHessian)" {
		t.Fatalf("err = %v", err)
	}
	if err := a.AddHessianLimit(72); err != nil || len(a.Hessian.Wrt) != 72 {
		t.Fatalf("a limit of 72 should take 72 elements: %v", err)
	}
	if err := a.AddHessianLimit(backward.MaxHessianLimit + 1); err == nil {
		t.Fatal("a limit above MaxHessianLimit should fail")
	}
	if err := a.AddHigherOrder(3); err == nil {
		t.Fatal("--order 3 on a matrix leaf should fail")
	}
}
