package explain_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/backward/explain"
	"github.com/chainviz/chainviz/graph"
)

// The derivations below are the note's (shared/seed/chain-rule.md), worked
// by hand there; the tests check that explain reproduces them line by line.

// explainFile loads a spec of specs/ and explains it.
// specDir holds the example specs.
const specDir = "../../specs"

func explainFile(t *testing.T, name string, opts explain.Options) *explain.Explanation {
	t.Helper()
	g, err := graph.LoadFile(filepath.Join(specDir, name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return explainGraph(t, g, opts)
}

func explainSource(t *testing.T, src string, opts explain.Options) *explain.Explanation {
	t.Helper()
	g, err := graph.Load("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return explainGraph(t, g, opts)
}

func explainGraph(t *testing.T, g *graph.Graph, opts explain.Options) *explain.Explanation {
	t.Helper()
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	e, err := explain.New(a, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func format(t *testing.T, e *explain.Explanation, f string) string {
	t.Helper()
	var b strings.Builder
	if err := e.Write(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain\n%s\n--- got:\n%s", what, w, got)
		}
	}
}

// TestExplainWorkedExample is the note's "실전 예제": ∂L/∂W1 = 18 × 2 × 1 × 2
// = 72 and the update W1 ← 3 − 0.01 × 72 = 2.28.
func TestExplainWorkedExample(t *testing.T) {
	e := explainFile(t, "worked_example", explain.Options{Wrt: []string{"W1"}, LR: 0.01})
	text := format(t, e, "text")
	mustContain(t, "text", text,
		"∂L/∂W1 = ∂L/∂z2 · ∂z2/∂h1 · ∂h1/∂z1 · ∂z1/∂W1\n"+
			"       = 18 × 2 × 1 × 2\n"+
			"       = 72\n",
		"∂L/∂z2  = 2(z2 − y) = 18\n",
		"∂z2/∂h1 = W2 = 2\n",
		"∂h1/∂z1 = 1[z1>0] = 1\n",
		"∂z1/∂W1 = x = 2\n",
		"W1_new = W1 − 0.01 × ∂L/∂W1 = 3 − 0.01 × 72 = 2.28\n",
		"z1 = a1 + b1 = 6 + 1 = 7\n",
		"L  = Σ(z2 − y)² = Σ(14 − 5)² = 81\n")
	// The note's own LaTeX lines, verbatim.
	md := format(t, e, "md")
	mustContain(t, "md", md,
		`$$= 18 \times 2 \times 1 \times 2 = 72$$`,
		`$$W_{1}^{\mathrm{new}} = W_{1} - 0.01 \times \frac{\partial L}{\partial W_{1}} = 3 - 0.01 \times 72 = 2.28$$`,
		`$$\frac{\partial L}{\partial W_{1}} = \frac{\partial L}{\partial z_{2}} \cdot \frac{\partial z_{2}}{\partial h_{1}} \cdot \frac{\partial h_{1}}{\partial z_{1}} \cdot \frac{\partial z_{1}}{\partial W_{1}}$$`)

	d := e.Derivations[0]
	if len(d.Paths) != 1 || d.UseDelta || !d.Scalar {
		t.Fatalf("paths %d, δ form %v, scalar %v; want one scalar path", len(d.Paths), d.UseDelta, d.Scalar)
	}
	type fw struct {
		num, den, expr string
		value          float64
	}
	want := []fw{{"L", "z2", "2(z2 − y)", 18}, {"z2", "h1", "W2", 2}, {"h1", "z1", "1[z1>0]", 1}, {"z1", "W1", "x", 2}}
	fs := d.Paths[0].Factors
	if len(fs) != len(want) {
		t.Fatalf("%d factors, want %d", len(fs), len(want))
	}
	for i, w := range want {
		f := fs[i]
		if f.Num.Name != w.num || f.Den.Name != w.den || f.Expr != w.expr || f.Value.Item() != w.value {
			t.Errorf("factor %d = ∂%s/∂%s = %s = %v, want ∂%s/∂%s = %s = %v", i, f.Num.Name, f.Den.Name, f.Expr, f.Value.Item(), w.num, w.den, w.expr, w.value)
		}
	}
	if got := d.Paths[0].Product.Item(); got != 72 {
		t.Errorf("path product %v, want 72", got)
	}
	if u := d.Update; u == nil || math.Abs(u.New.Item()-2.28) > 1e-12 {
		t.Errorf("update %+v, want W1 = 2.28", u)
	}
}

// TestExplainFull checks that --full keeps every edge of the spec, with the
// add nodes' factors of 1: 18 × 1 × 2 × 1 × 1 × 2.
func TestExplainFull(t *testing.T) {
	e := explainFile(t, "worked_example", explain.Options{Wrt: []string{"W1"}, Full: true})
	mustContain(t, "text", format(t, e, "text"),
		"∂L/∂W1 = ∂L/∂z2 · ∂z2/∂a2 · ∂a2/∂h1 · ∂h1/∂z1 · ∂z1/∂a1 · ∂a1/∂W1\n"+
			"       = 18 × 1 × 2 × 1 × 1 × 2\n"+
			"       = 72\n")
	if d := e.Derivations[0]; len(d.Folded) != 0 {
		t.Errorf("folded %d edges with Full", len(d.Folded))
	}
}

// TestExplainBias checks that the edge into the leaf itself is never
// folded: ∂z1/∂b1 = 1 ends the chain.
func TestExplainBias(t *testing.T) {
	e := explainFile(t, "worked_example", explain.Options{Wrt: []string{"b1", "b2", "W2", "x"}})
	mustContain(t, "text", format(t, e, "text"),
		"∂L/∂b1 = ∂L/∂z2 · ∂z2/∂h1 · ∂h1/∂z1 · ∂z1/∂b1\n       = 18 × 2 × 1 × 1\n       = 36\n",
		"∂L/∂b2 = ∂L/∂z2 · ∂z2/∂b2\n       = 18 × 1\n       = 18\n",
		"∂L/∂W2 = ∂L/∂z2 · ∂z2/∂W2\n       = 18 × 7\n       = 126\n",
		"∂L/∂x = ∂L/∂z2 · ∂z2/∂h1 · ∂h1/∂z1 · ∂z1/∂x\n      = 18 × 2 × 1 × 3\n      = 108\n")
}

// TestExplainFork is the note's "다중 경로": one product per path, then
// ∂y/∂x = 2 + 3 = 5. The 1s at the junction y = z1 + z2 are not folded.
func TestExplainFork(t *testing.T) {
	e := explainFile(t, "fork", explain.Options{})
	text := format(t, e, "text")
	mustContain(t, "text", text,
		"path 1: ∂y/∂z1 · ∂z1/∂x = 1 × 2 = 2\n",
		"path 2: ∂y/∂z2 · ∂z2/∂x = 1 × 3 = 3\n",
		"∂y/∂x = 2 + 3 = 5\n")
	mustContain(t, "md", format(t, e, "md"),
		`$$\text{path 1:}\quad \frac{\partial y}{\partial z_{1}} \cdot \frac{\partial z_{1}}{\partial x} = 1 \times 2 = 2$$`,
		`$$\frac{\partial y}{\partial x} = 2 + 3 = 5$$`)
	if d := e.Derivations[0]; d.PathCount != 2 || len(d.Folded) != 0 {
		t.Errorf("%d paths, %d folded; want 2 paths, none folded", d.PathCount, len(d.Folded))
	}
}

// TestExplainNoteExamples checks the other hand derivations of the note.
func TestExplainNoteExamples(t *testing.T) {
	for _, c := range []struct {
		spec  string
		opts  explain.Options
		wants []string
	}{
		// 직관적 이해: the dominoes, 0.8 × 0.9 × 0.7 = 0.504 (read from the
		// last domino back).
		{"domino", explain.Options{}, []string{
			"∂d3/∂d0 = ∂d3/∂d2 · ∂d2/∂d1 · ∂d1/∂d0\n        = 0.7 × 0.9 × 0.8\n        = 0.504\n"}},
		// 예시 1: dy/dx = 2u × 2 = 20 at x = 1.
		{"composition", explain.Options{}, []string{
			"∂y/∂u = 2·u = 10\n", "∂u/∂x = 2\n", "∂y/∂x = ∂y/∂u · ∂u/∂x\n      = 10 × 2\n      = 20\n"}},
		// 예시 2: dy/dx = eᵘ × 2x = 2e at x = 1.
		{"exponential", explain.Options{}, []string{
			"∂y/∂u = exp(u) = 2.718281828\n", "∂u/∂x = 2·x = 2\n", "= 2.718281828 × 2\n      = 5.436563657\n"}},
		// 다변수 예시: the two paths cancel, dz/dt = 0.
		{"circle", explain.Options{}, []string{
			"path 1: ∂z/∂x2 · ∂x2/∂x · ∂x/∂t = 1 × 1.529684375 × (−0.6442176872) = −0.98544973\n",
			"∂x/∂t  = −sin(t) = −0.6442176872\n",
			"∂z/∂t = −0.98544973 + 0.98544973 = 0\n"}},
		// 고차 미분: d²y/dx² = d/dx(3x²) = 6x = 12 at x = 2.
		{"cubic", explain.Options{Order: 2}, []string{
			"∂y/∂x = 3·x^2 = 12\n", "∂²y/∂x² = ∂/∂x (3·x^2) = 6·x = 12\n"}},
		// 구체적 예시: ½(h2 − y)², ∂L/∂W1 = 36 (the ½ is its own node).
		{"two_layer_half_se", explain.Options{Wrt: []string{"W1"}}, []string{
			"∂L/∂W1 = ∂L/∂se · ∂se/∂h2 · ∂h2/∂z2 · ∂z2/∂h1 · ∂h1/∂z1 · ∂z1/∂W1\n       = 0.5 × 18 × 1 × 2 × 1 × 2\n       = 36\n"}},
		// 벡터와 행렬: ∂L/∂W = ∂L/∂z · xᵀ and ∂L/∂x = Wᵀ · ∂L/∂z.
		{"vector_matrix", explain.Options{}, []string{
			"δ_z = δ_L · 2(z − y) = [4, −4]",
			"δ_W = δ_z · xᵀ = [[8, 4, −4], [−8, −4, 4]]   ([2]·[3]ᵀ → [2,3])\n",
			"δ_x = Wᵀ · δ_z = [8, 4, −12]   ([2,3]ᵀ·[2] → [3])\n",
			"∂L/∂W = δ_W = [[8, 4, −4], [−8, −4, 4]]\n"}},
		// A bias broadcast over a batch: its gradient sums the rows.
		{"mlp_batch", explain.Options{}, []string{
			"δ_Z = δ_A ⊙ 1[Z>0] = [[1, 0], [0, 1], [−1, 0]]",
			"δ_b = Σ_rows(δ_Z) = [0, 1]",
			"δ_W = Xᵀ · δ_Z = [[−2, 0], [1, −1]]   ([3,2]ᵀ·[3,2] → [2,2])\n"}},
	} {
		t.Run(c.spec, func(t *testing.T) {
			mustContain(t, "text", format(t, explainFile(t, c.spec, c.opts), "text"), c.wants...)
		})
	}
}

// doublings is a chain of k nodes v_i = v_{i−1} + v_{i−1}: 2^k paths from x,
// and ∂out/∂x = 2^k.
func doublings(k int) string {
	var b strings.Builder
	b.WriteString("name: doublings\ninputs:\n  x: 1\nnodes:\n")
	prev := "x"
	for i := 1; i <= k; i++ {
		fmt.Fprintf(&b, "  v%d: add(%s, %s)\n", i, prev, prev)
		prev = fmt.Sprintf("v%d", i)
	}
	return b.String()
}

// TestExplainPathLimit checks the switch to the δ recursion above
// MaxPaths, and that exactly MaxPaths paths are still listed.
func TestExplainPathLimit(t *testing.T) {
	src := doublings(5) // 32 paths.
	e := explainSource(t, src, explain.Options{})
	d := e.Derivations[0]
	if !d.UseDelta || d.PathCount != 32 || d.Paths != nil {
		t.Fatalf("δ form %v, %d paths counted, %d listed; want the δ form for 32 paths", d.UseDelta, d.PathCount, len(d.Paths))
	}
	text := format(t, e, "text")
	mustContain(t, "text", text,
		"x = 1 reaches v5 along 32 paths, more than the limit of 16 (--max-paths).",
		"δ_v5 = ∂v5/∂v5 = 1\n",
		"δ_v4 = δ_v5 · ∂v5/∂v4 + δ_v5 · ∂v5/∂v4 = 1 × 1 + 1 × 1 = 2\n",
		"δ_x  = δ_v1 · ∂v1/∂x + δ_v1 · ∂v1/∂x = 16 × 1 + 16 × 1 = 32\n",
		"∂v5/∂x = δ_x = 32\n")
	if strings.Contains(text, "path 1:") {
		t.Error("the δ form also lists paths")
	}
	last := d.Deltas[len(d.Deltas)-1]
	if last.Node != d.Wrt || last.Value.Item() != 32 {
		t.Errorf("last δ is δ_%s = %v, want δ_x = 32", last.Node.Name, last.Value)
	}

	e = explainSource(t, src, explain.Options{MaxPaths: 32})
	d = e.Derivations[0]
	if d.UseDelta || len(d.Paths) != 32 {
		t.Fatalf("MaxPaths 32: δ form %v, %d paths; want 32 paths listed", d.UseDelta, len(d.Paths))
	}
	mustContain(t, "text", format(t, e, "text"), "path 32: ", "∂v5/∂x = 1 + 1 + 1 + ")
}

// TestExplainDeltaFolds checks that the δ recursion folds add nodes too: a
// node whose only way to the output is an identity edge has no δ line of
// its own.
func TestExplainDeltaFolds(t *testing.T) {
	e2 := explainSource(t, `
name: fan
inputs:
  x: 2
params:
  w: 3
  b: 1
nodes:
  a: mul(w, x)
  z: add(a, b)
  p: mul(z, z)
  q: mul(p, z)
  L: add(q, p)
`, explain.Options{Wrt: []string{"w"}, MaxPaths: 1})
	d := e2.Derivations[0]
	if !d.UseDelta {
		t.Fatal("want the δ form")
	}
	mustContain(t, "text", format(t, e2, "text"),
		"δ_z = δ_p · ∂p/∂z + δ_p · ∂p/∂z + δ_q · ∂q/∂z = ",
		"∂L/∂w = δ_z · ∂z/∂w = 161 × 2 = 322\n",
		"Folded: ∂z/∂a = 1 (an add passes its gradient through unchanged), so δ_a = δ_z.")
	// L = z³ + z², z = 7: ∂L/∂z = 3·49 + 14 = 161, ∂L/∂w = 161·x = 322.
	if g := d.Grad.Item(); g != 322 {
		t.Errorf("∂L/∂w = %v, want 322", g)
	}
}

// TestExplainDeltaThreeLayer is the note's "Backpropagation에서의 역할" on
// its three-layer chain (specs/three_layer.yaml): with Delta, explain
// writes δ3 = ∂L/∂h3, δ2 = δ3 × ∂h3/∂h2, δ1 = δ2 × ∂h2/∂h1 with their
// numbers instead of the one path, and then ∂L/∂W2 = δ2 × ∂h2/∂W2 and
// ∂L/∂W1 = δ1 × ∂h1/∂W1 from the same δs. Between h_i and h_(i−1) the spec
// has z_i = W_i·h_(i−1) + b_i (the node hi.z of the call hi of its block), so each ∂h_i/∂h_(i−1) is two factors,
// ∂h_i/∂z_i = 1 − h_i² and ∂z_i/∂h_(i−1) = W_i.
func TestExplainDeltaThreeLayer(t *testing.T) {
	// The δs worked by hand in backward's seed test (threeLayer), to 10
	// digits.
	want := map[string]float64{"h3": -2.433485047, "h2": 3.478749656, "h1": 5.353442602, "h1.z": 2.248308532}
	e := explainFile(t, "three_layer", explain.Options{Wrt: []string{"W1", "W2"}, Delta: true})
	w1, w2 := e.Derivations[0], e.Derivations[1]
	for _, d := range e.Derivations {
		if !d.UseDelta || d.PathCount != 1 || d.Paths != nil {
			t.Fatalf("∂L/∂%s: δ form %v, %d paths, %d listed; want the δ form of the one path", d.Wrt.Name, d.UseDelta, d.PathCount, len(d.Paths))
		}
	}
	// δ3, δ2, δ1 are δ_h3, δ_h2, δ_h1, with the hand-computed values.
	deltas := map[string]explain.Delta{}
	for _, dl := range w1.Deltas {
		deltas[dl.Node.Name] = dl
	}
	for _, name := range []string{"h3", "h2", "h1", "h1.z"} {
		dl, ok := deltas[name]
		if !ok {
			t.Fatalf("∂L/∂W1 has no δ_%s", name)
		}
		if got := dl.Value.Item(); math.Abs(got-want[name]) > 1e-9*math.Abs(want[name]) {
			t.Errorf("δ_%s = %v, want %v", name, got, want[name])
		}
	}
	// ∂L/∂W2 reuses the δs of ∂L/∂W1: its recursion is the first steps of
	// W1's, node for node and value for value.
	if len(w2.Deltas) >= len(w1.Deltas) {
		t.Fatalf("∂L/∂W2 has %d δ steps, ∂L/∂W1 %d; want fewer", len(w2.Deltas), len(w1.Deltas))
	}
	for i, dl := range w2.Deltas[:len(w2.Deltas)-1] { // The last is δ_W2.
		if dl.Node != w1.Deltas[i].Node || dl.Value.Item() != w1.Deltas[i].Value.Item() {
			t.Errorf("δ step %d: ∂L/∂W2 has δ_%s = %v, ∂L/∂W1 δ_%s = %v", i, dl.Node.Name, dl.Value, w1.Deltas[i].Node.Name, w1.Deltas[i].Value)
		}
	}
	text := format(t, e, "text")
	mustContain(t, "text", text,
		"(--delta), from the output down",
		"  δ_h3   = δ_L · ∂L/∂h3 = 1 × (−2.433485047) = −2.433485047\n",
		"  δ_h3.z = δ_h3 · ∂h3/∂h3.z = (−2.433485047) × 0.9530226786 = −2.319166437\n",
		"  δ_h2   = δ_h3.z · ∂h3.z/∂h2 = (−2.319166437) × (−1.5) = 3.478749656\n",
		"  δ_h2.z = δ_h2 · ∂h2/∂h2.z = 3.478749656 × 0.7694492463 = 2.676721301\n",
		"  δ_h1   = δ_h2.z · ∂h2.z/∂h1 = 2.676721301 × 2 = 5.353442602\n",
		"  δ_h1.z = δ_h1 · ∂h1/∂h1.z = 5.353442602 × 0.4199743416 = 2.248308532\n",
		"∂L/∂W1 = δ_h1.z · ∂h1.z/∂W1 = 2.248308532 × 2 = 4.496617064\n",
		"∂L/∂W2 = δ_h2.z · ∂h2.z/∂W2 = 2.676721301 × 0.761594156 = 2.0385753\n")
	if strings.Contains(text, "path 1") || strings.Contains(text, "along 1 path") || strings.Contains(text, "δ_W1") {
		t.Errorf("the δ form lists the path or gives W1 a δ of its own:\n%s", text)
	}
	mustContain(t, "md", format(t, e, "md"),
		`$$\frac{\partial L}{\partial W_{1}} = \delta_{\mathit{h1.z}} \cdot \frac{\partial \mathit{h1.z}}{\partial W_{1}} = 2.248308532 \times 2 = 4.496617064$$`)

	// Without Delta, the one path is listed as before.
	if d := explainFile(t, "three_layer", explain.Options{Wrt: []string{"W1"}}).Derivations[0]; d.UseDelta || len(d.Paths) != 1 {
		t.Errorf("default: δ form %v, %d paths; want the one path listed", d.UseDelta, len(d.Paths))
	}
}

// TestExplainWrt checks --wrt errors and derivations of op nodes.
func TestExplainWrt(t *testing.T) {
	g, err := graph.LoadFile(filepath.Join(specDir, "worked_example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"W3", "y"} {
		_, err := explain.New(a, explain.Options{Wrt: []string{bad}})
		if _, ok := err.(*explain.OptionError); !ok {
			t.Errorf("--wrt %s: error %v, want an OptionError", bad, err)
		}
	}
	e, err := explain.New(a, explain.Options{Wrt: []string{"h1", "L"}})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "text", e.String(), "∂L/∂h1 = ∂L/∂z2 · ∂z2/∂h1\n       = 18 × 2\n       = 36\n", "∂L/∂L = 1\n")
}
