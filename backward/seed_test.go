package backward_test

// The seed specs in specs/ encode the worked examples of the chain-rule
// note (shared/seed/chain-rule.md). The numbers below were worked out by
// hand from the note (and cross-checked with finite differences), never
// copied from chainviz's output.

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

const specDir = "../specs"

// relTol is the relative tolerance of every comparison; a want of exactly 0
// is compared with relTol as an absolute tolerance.
const relTol = 1e-12

// tw is an expected tensor: its shape and row-major data.
type tw struct {
	shape []int
	data  []float64
}

func scalar(v float64) tw { return tw{nil, []float64{v}} }

func vec(v ...float64) tw { return tw{[]int{len(v)}, v} }

func mat(rows ...[]float64) tw {
	t := tw{shape: []int{len(rows), len(rows[0])}}
	for _, r := range rows {
		t.data = append(t.data, r...)
	}
	return t
}

func row(v ...float64) []float64 { return v }

// local is the expected local derivative ∂to/∂from of the edge of the given
// argument slot (a scalar: both ends are scalars).
type local struct {
	from, to string
	arg      int
	want     float64
}

type seed struct {
	values map[string]tw
	grads  map[string]tw
	// noGrad lists leaves declared grad: false, whose gradient is nil.
	noGrad []string
	locals []local
}

// seeds holds the expected numbers of every spec in specs/, keyed by spec
// name. A spec without an entry fails TestSeedSpecs: add its numbers here.
var seeds = map[string]seed{
	// 기본 규칙 › 예시 1: y = (2x+3)², u = 2x+3; dy/du = 2u, du/dx = 2,
	// dy/dx = 8x + 12. At x = 1: u = 5, y = 25, dy/du = 10, dy/dx = 20.
	"composition": {
		values: map[string]tw{"x": scalar(1), "t": scalar(2), "u": scalar(5), "y": scalar(25)},
		grads:  map[string]tw{"y": scalar(1), "u": scalar(10), "t": scalar(10), "x": scalar(20)},
		locals: []local{
			{"u", "y", 0, 10}, // dy/du = 2u
			{"t", "u", 0, 1},
			{"x", "t", 1, 2}, // du/dx = 2 (through t = 2x)
		},
	},
	// 기본 규칙 › 예시 2: y = e^{x²}, dy/dx = 2x·e^{x²}. At x = 1: y = e,
	// dy/du = e, dy/dx = 2e.
	"exponential": {
		values: map[string]tw{"u": scalar(1), "y": scalar(math.E)},
		grads:  map[string]tw{"y": scalar(1), "u": scalar(math.E), "x": scalar(2 * math.E)},
		locals: []local{{"u", "y", 0, math.E}, {"x", "u", 0, 2}},
	},
	// 다변수 chain rule: z = x² + y², x = cos t, y = sin t; dz/dt =
	// 2x(−sin t) + 2y cos t = 0, z = 1.
	"circle": {
		values: map[string]tw{"t": scalar(0.7), "x": scalar(math.Cos(0.7)), "y": scalar(math.Sin(0.7)), "z": scalar(1)},
		grads: map[string]tw{
			"z": scalar(1),
			"x": scalar(2 * math.Cos(0.7)), // ∂z/∂x = 2x
			"y": scalar(2 * math.Sin(0.7)), // ∂z/∂y = 2y
			"t": scalar(0),
		},
		locals: []local{{"t", "x", 0, -math.Sin(0.7)}, {"t", "y", 0, math.Cos(0.7)}},
	},
	// 직관적 이해: 0.8 × 0.9 × 0.7 = 0.504.
	"domino": {
		values: map[string]tw{"d0": scalar(1), "d1": scalar(0.8), "d2": scalar(0.72), "d3": scalar(0.504)},
		grads:  map[string]tw{"d3": scalar(1), "d2": scalar(0.7), "d1": scalar(0.63), "d0": scalar(0.504)},
		locals: []local{{"d0", "d1", 1, 0.8}, {"d1", "d2", 1, 0.9}, {"d2", "d3", 1, 0.7}},
	},
	// 실전 예제: z1 = 7, h1 = 7, z2 = 14, L = 81; ∂L/∂z2 = 18,
	// ∂L/∂W1 = 18 × 2 × 1 × 2 = 72.
	"worked_example": {
		values: map[string]tw{
			"a1": scalar(6), "z1": scalar(7), "h1": scalar(7),
			"a2": scalar(14), "z2": scalar(14), "L": scalar(81),
		},
		grads: map[string]tw{
			"L": scalar(1), "z2": scalar(18), "a2": scalar(18), "b2": scalar(18),
			"W2": scalar(126), "h1": scalar(36), "z1": scalar(36), "a1": scalar(36),
			"b1": scalar(36), "W1": scalar(72), "x": scalar(108),
		},
		noGrad: []string{"y"},
		locals: []local{
			{"z2", "L", 0, 18}, // ∂L/∂z2 = 2(z2 − y)
			{"h1", "a2", 1, 2}, // ∂z2/∂h1 = W2
			{"z1", "h1", 0, 1}, // ReLU, z1 = 7 > 0
			{"W1", "a1", 0, 2}, // ∂z1/∂W1 = x
		},
	},
	// 신경망에서의 적용 › 구체적 예시, with the numbers of 실전 예제:
	// h2 = 14, L = ½·81 = 40.5, ∂L/∂W1 = 9 · 1 · 2 · 1 · 2 = 36.
	"two_layer_half_se": {
		values: map[string]tw{
			"z1": scalar(7), "h1": scalar(7), "z2": scalar(14), "h2": scalar(14),
			"se": scalar(81), "L": scalar(40.5),
		},
		grads: map[string]tw{
			"L": scalar(1), "se": scalar(0.5), "h2": scalar(9), "z2": scalar(9),
			"a2": scalar(9), "b2": scalar(9), "W2": scalar(63), "h1": scalar(18),
			"z1": scalar(18), "a1": scalar(18), "b1": scalar(18), "W1": scalar(36),
			"x": scalar(54),
		},
		noGrad: []string{"y"},
		locals: []local{
			{"z2", "h2", 0, 1}, // ReLU, z2 = 14 > 0
			{"h1", "a2", 1, 2}, // ∂z2/∂h1 = W2
			{"z1", "h1", 0, 1}, // ReLU, z1 = 7 > 0
			{"W1", "a1", 0, 2}, // ∂z1/∂W1 = x
		},
	},
	// 다중 경로: y = 2x + 3x, dy/dx = 2 + 3 = 5. At x = 2, y = 10.
	"fork": {
		values: map[string]tw{"z1": scalar(4), "z2": scalar(6), "y": scalar(10)},
		grads:  map[string]tw{"y": scalar(1), "z1": scalar(1), "z2": scalar(1), "x": scalar(5)},
		locals: []local{{"x", "z1", 1, 2}, {"x", "z2", 1, 3}, {"z1", "y", 0, 1}, {"z2", "y", 1, 1}},
	},
	// 고차 미분: y = x³ at x = 2: y = 8, dy/dx = 3x² = 12.
	"cubic": {
		values: map[string]tw{"x": scalar(2), "y": scalar(8)},
		grads:  map[string]tw{"y": scalar(1), "x": scalar(12)},
		locals: []local{{"x", "y", 0, 12}},
	},
	// 벡터와 행렬: z = Wx + b, L = Σ(z − y)²; ∂L/∂z = [4, −4],
	// ∂L/∂x = Wᵀ∂L/∂z = [8, 4, −12], ∂L/∂W = ∂L/∂z·xᵀ.
	"vector_matrix": {
		values: map[string]tw{
			"W":  mat(row(1, 2, 0), row(-1, 1, 3)),
			"x":  vec(2, 1, -1),
			"Wx": vec(4, -4),
			"z":  vec(5, -6),
			"L":  scalar(8),
		},
		grads: map[string]tw{
			"L":  scalar(1),
			"z":  vec(4, -4),
			"Wx": vec(4, -4),
			"b":  vec(4, -4),
			"x":  vec(8, 4, -12),
			"W":  mat(row(8, 4, -4), row(-8, -4, 4)),
		},
		noGrad: []string{"y"},
	},
	// Extra: batch of 3 through X·W + b (b broadcast over rows), ReLU,
	// L = Σ(A − Y)² = 1.75; ∂L/∂b is the column sum of ∂L/∂Z.
	"mlp_batch": {
		values: map[string]tw{
			"XW": mat(row(5, 0), row(-2, -0.5), row(5, -2.5)),
			"Z":  mat(row(5.5, 1), row(-1.5, 0.5), row(5.5, -1.5)),
			"A":  mat(row(5.5, 1), row(0, 0.5), row(5.5, 0)),
			"L":  scalar(1.75),
		},
		grads: map[string]tw{
			"L":  scalar(1),
			"A":  mat(row(1, 0), row(0, 1), row(-1, -2)),
			"Z":  mat(row(1, 0), row(0, 1), row(-1, 0)),
			"XW": mat(row(1, 0), row(0, 1), row(-1, 0)),
			"b":  vec(0, 1),
			"W":  mat(row(-2, 0), row(1, -1)),
			"X":  mat(row(1, 2), row(-1, 0.5), row(-1, -2)),
		},
		noGrad: []string{"Y"},
	},
	// 신경망에서의 적용 and Backpropagation에서의 역할: x → h1 → h2 → h3 → L,
	// h_i = tanh(W_i·h_(i−1) + b_i), L = (h3 − y)²; see threeLayer.
	"three_layer": threeLayer(),
	// Formulas and blocks, worked by hand in the specs' descriptions; see
	// formulaspecs_test.go.
	"rnn_unrolled":  rnnUnrolled(),
	"huber_formula": huberFormula(),
	// Classification and normalisation, worked by hand in the specs'
	// descriptions; see newspecs_test.go.
	"softmax_classifier":  softmaxClassifier(),
	"logistic_regression": logisticRegression(),
	"batchnorm":           batchnorm(),
	// Extra: one sigmoid neuron, z = 0, a = 0.5, L = 0.25; σ'(0) = 0.25.
	"sigmoid_neuron": {
		values: map[string]tw{"wx": scalar(1), "z": scalar(0), "a": scalar(0.5), "L": scalar(0.25)},
		grads: map[string]tw{
			"L": scalar(1), "a": scalar(-1), "z": scalar(-0.25), "b": scalar(-0.25),
			"wx": scalar(-0.25), "w": scalar(-0.5), "x": scalar(-0.125),
		},
		noGrad: []string{"y"},
		locals: []local{{"z", "a", 0, 0.25}, {"w", "wx", 0, 2}},
	},
}

// threeLayer is the three-layer chain of specs/three_layer.yaml (three
// calls of its block layer: h1.z.1 = W1·x, h1.z = h1.z.1 + b1,
// h1 = tanh(h1.z), and so on) worked by
// hand with x = 2, W1 = 0.25, b1 = 0.5, W2 = 2, b2 = −1, W3 = −1.5,
// b3 = 0.5, y = 1: ∂h/∂z = 1 − h² for tanh, and the note's δ3 = ∂L/∂h3,
// δ2 = δ3 × ∂h3/∂h2, δ1 = δ2 × ∂h2/∂h1. Python's math.tanh gives the same
// numbers to 10 digits: h1 = 0.761594156, h3 = −0.2167425233,
// L = 1.480462368, δ3 = −2.433485047, δ2 = 3.478749656, δ1 = 5.353442602,
// ∂L/∂W1 = 4.496617064, ∂L/∂W2 = 2.0385753, ∂L/∂W3 = −1.113564021.
func threeLayer() seed {
	x, y := 2.0, 1.0
	W1, b1, W2, b2, W3, b3 := 0.25, 0.5, 2.0, -1.0, -1.5, 0.5
	z1 := W1*x + b1 // 1
	h1 := math.Tanh(z1)
	z2 := W2*h1 + b2
	h2 := math.Tanh(z2)
	z3 := W3*h2 + b3
	h3 := math.Tanh(z3)
	d3 := 2 * (h3 - y)     // δ3 = ∂L/∂h3
	g3 := d3 * (1 - h3*h3) // ∂L/∂z3
	d2 := g3 * W3          // δ2 = δ3 × ∂h3/∂h2
	g2 := d2 * (1 - h2*h2) // ∂L/∂z2
	d1 := g2 * W2          // δ1 = δ2 × ∂h2/∂h1
	g1 := d1 * (1 - h1*h1) // ∂L/∂z1
	return seed{
		values: map[string]tw{
			"h1.z.1": scalar(W1 * x), "h1.z": scalar(1), "h1": scalar(h1),
			"h2.z": scalar(z2), "h2": scalar(h2), "h3.z": scalar(z3), "h3": scalar(h3),
			"L": scalar((h3 - y) * (h3 - y)),
		},
		grads: map[string]tw{
			"L": scalar(1), "h3": scalar(d3), "h3.z": scalar(g3), "h3.z.1": scalar(g3), "b3": scalar(g3),
			"W3": scalar(g3 * h2), "h2": scalar(d2), "h2.z": scalar(g2), "h2.z.1": scalar(g2),
			"b2": scalar(g2), "W2": scalar(g2 * h1), "h1": scalar(d1), "h1.z": scalar(g1),
			"h1.z.1": scalar(g1), "b1": scalar(g1), "W1": scalar(g1 * x), "x": scalar(g1 * W1),
		},
		noGrad: []string{"y"},
		locals: []local{
			{"h3", "L", 0, d3},           // ∂L/∂h3 = 2(h3 − y)
			{"h3.z", "h3", 0, 1 - h3*h3}, // tanh′
			{"h2", "h3.z.1", 1, W3},      // ∂z3/∂h2 = W3
			{"W2", "h2.z.1", 0, h1},      // ∂z2/∂W2 = h1
			{"W1", "h1.z.1", 0, x},       // ∂z1/∂W1 = x
		},
	}
}

func near(got, want float64) bool {
	if want == 0 {
		return math.Abs(got) <= relTol
	}
	return math.Abs(got-want) <= relTol*math.Abs(want)
}

// checkTensor reports a mismatch between got and want, or "" when they agree.
func checkTensor(got *graph.Tensor, want tw) string {
	if got == nil {
		return "got nil"
	}
	if !slices.Equal(got.Shape, want.shape) {
		return fmt.Sprintf("shape %v, want %v", got.Shape, want.shape)
	}
	if len(got.Data) != len(want.data) {
		return fmt.Sprintf("%d elements, want %d", len(got.Data), len(want.data))
	}
	for i, w := range want.data {
		if !near(got.Data[i], w) {
			return fmt.Sprintf("got %v, want %v (element %d: %v vs %v)", got.Data, want.data, i, got.Data[i], w)
		}
	}
	return ""
}

func loadAnnotated(t *testing.T, path string) *backward.Annotated {
	t.Helper()
	g, err := graph.LoadFile(path)
	if err != nil {
		t.Fatalf("LoadFile(%s): %v", path, err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatalf("Annotate(%s): %v", path, err)
	}
	return a
}

func specFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(specDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob(filepath.Join(specDir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, more...)
	slices.Sort(files)
	if len(files) == 0 {
		t.Fatalf("no specs in %s", specDir)
	}
	return files
}

// TestSeedSpecs loads and annotates every spec in specs/ and checks it
// against the hand-computed numbers in seeds.
func TestSeedSpecs(t *testing.T) {
	seen := map[string]bool{}
	for _, path := range specFiles(t) {
		stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		t.Run(stem, func(t *testing.T) {
			a := loadAnnotated(t, path)
			g := a.Graph
			if g.Name != stem {
				t.Errorf("name %q, want the file stem %q", g.Name, stem)
			}
			seen[g.Name] = true
			if g.Title == "" || g.Description == "" {
				t.Errorf("seed specs need a title and a description citing the note")
			}
			if len(a.Warnings) > 0 {
				t.Errorf("unexpected warnings: %v", a.Warnings)
			}
			checkInvariants(t, a)
			want, ok := seeds[g.Name]
			if !ok {
				t.Fatalf("spec %q has no expected numbers: add an entry to seeds in backward/seed_test.go", g.Name)
			}
			checkSeed(t, a, want)
		})
	}
	for name := range seeds {
		if !seen[name] {
			t.Errorf("seeds has an entry for %q but specs/ has no such spec", name)
		}
	}
}

// checkInvariants checks what holds for every annotated graph: the output's
// gradient is 1, gradient-less nodes are exactly the constants and grad:
// false leaves, and every gradient has its node's shape.
func checkInvariants(t *testing.T, a *backward.Annotated) {
	t.Helper()
	g := a.Graph
	if g.Output == nil {
		t.Fatal("no output node")
	}
	ones := tw{shape: g.Output.Shape}
	for range graph.Size(g.Output.Shape) {
		ones.data = append(ones.data, 1)
	}
	if msg := checkTensor(a.Grad(g.Output.Name), ones); msg != "" {
		t.Errorf("grad of output %s: %s", g.Output.Name, msg)
	}
	for _, n := range g.Nodes {
		gr := a.Grads[n.ID]
		if n.NoGrad {
			if gr != nil {
				t.Errorf("%s has no gradient but got %v", n.Name, gr)
			}
			continue
		}
		if gr == nil {
			t.Errorf("%s: missing gradient", n.Name)
			continue
		}
		if !slices.Equal(gr.Shape, n.Shape) {
			t.Errorf("%s: gradient shape %v, want the node's shape %v", n.Name, gr.Shape, n.Shape)
		}
	}
}

func checkSeed(t *testing.T, a *backward.Annotated, want seed) {
	t.Helper()
	for _, name := range sortedKeys(want.values) {
		if a.Graph.Node(name) == nil {
			t.Errorf("no node %q", name)
			continue
		}
		if msg := checkTensor(a.Value(name), want.values[name]); msg != "" {
			t.Errorf("value of %s: %s", name, msg)
		}
	}
	for _, name := range sortedKeys(want.grads) {
		if a.Graph.Node(name) == nil {
			t.Errorf("no node %q", name)
			continue
		}
		if msg := checkTensor(a.Grad(name), want.grads[name]); msg != "" {
			t.Errorf("grad of %s: %s", name, msg)
		}
	}
	for _, name := range want.noGrad {
		n := a.Graph.Node(name)
		if n == nil {
			t.Errorf("no node %q", name)
			continue
		}
		if !n.NoGrad || a.Grad(name) != nil {
			t.Errorf("%s is declared grad: false but has gradient %v (NoGrad=%v)", name, a.Grad(name), n.NoGrad)
		}
	}
	for _, l := range want.locals {
		e, ok := findEdge(a, l.from, l.to, l.arg)
		if !ok {
			t.Errorf("no edge %s -> %s (arg %d)", l.from, l.to, l.arg)
			continue
		}
		if msg := checkTensor(e.Local, scalar(l.want)); msg != "" {
			t.Errorf("local ∂%s/∂%s: %s", l.to, l.from, msg)
		}
	}
}

func findEdge(a *backward.Annotated, from, to string, arg int) (backward.Edge, bool) {
	n := a.Graph.Node(to)
	if n == nil {
		return backward.Edge{}, false
	}
	for _, e := range a.EdgesInto(n) {
		if e.Arg == arg && e.From != nil && e.From.Name == from {
			return e, true
		}
	}
	return backward.Edge{}, false
}

func sortedKeys(m map[string]tw) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestWorkedExampleChain follows the note's 실전 예제 step by step: the
// gradient of W1 is the product of the local factors along the chain, the
// edge into W1 carries upstream 36 and grad 72, and one step of gradient
// descent with learning rate 0.01 gives W1 = 2.28.
func TestWorkedExampleChain(t *testing.T) {
	a := loadAnnotated(t, filepath.Join(specDir, "worked_example.yaml"))
	if got := a.Value("L").Item(); !near(got, 81) {
		t.Errorf("L = %v, want 81", got)
	}
	product := 1.0
	for _, l := range []local{{"z2", "L", 0, 18}, {"a2", "z2", 0, 1}, {"h1", "a2", 1, 2}, {"z1", "h1", 0, 1}, {"a1", "z1", 0, 1}, {"W1", "a1", 0, 2}} {
		e, ok := findEdge(a, l.from, l.to, l.arg)
		if !ok {
			t.Fatalf("no edge %s -> %s", l.from, l.to)
		}
		product *= e.Local.Item()
	}
	if !near(product, 72) {
		t.Errorf("product of local factors along W1 -> L = %v, want 18 × 2 × 1 × 2 = 72", product)
	}
	e, ok := findEdge(a, "W1", "a1", 0)
	if !ok {
		t.Fatal("no edge W1 -> a1")
	}
	if msg := checkTensor(e.Upstream, scalar(36)); msg != "" {
		t.Errorf("upstream of W1 -> a1: %s", msg)
	}
	if msg := checkTensor(e.Grad, scalar(72)); msg != "" {
		t.Errorf("grad along W1 -> a1: %s", msg)
	}
	const lr = 0.01
	w1 := a.Value("W1").Item() - lr*a.Grad("W1").Item()
	if !near(w1, 2.28) {
		t.Errorf("W1 after one step = %v, want 3 − 0.01 × 72 = 2.28", w1)
	}
}

// TestSeedSpecsDeterministic annotates each spec twice and expects the same
// numbers.
func TestSeedSpecsDeterministic(t *testing.T) {
	for _, path := range specFiles(t) {
		a1 := loadAnnotated(t, path)
		a2 := loadAnnotated(t, path)
		for _, n := range a1.Graph.Nodes {
			g1, g2 := a1.Grads[n.ID], a2.Grad(n.Name)
			if (g1 == nil) != (g2 == nil) || g1 != nil && !slices.Equal(g1.Data, g2.Data) {
				t.Errorf("%s: %s: gradient differs between runs: %v vs %v", path, n.Name, g1, g2)
			}
		}
	}
}
