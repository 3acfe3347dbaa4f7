package graph

import (
	"strings"
	"testing"
)

const denseBlock = `blocks:
  dense:
    args: [x, W, b]
    nodes:
      z: x @ W + b
      h: relu(z)
    output: h
`

// TestBlockExpansion checks the names, owners, groups and values of two
// calls of one block, one on a vector and one on a batch (shapes are
// inferred per call).
func TestBlockExpansion(t *testing.T) {
	src := `name: t
inputs:
  x: [1, 2]
  X: [[1, 2], [3, 4], [-5, 0]]
params:
  W: [[1, 0], [0, -1]]
  b: [0.5, 0.5]
  Wt: [[1, 0], [0, 1]]
` + denseBlock + `nodes:
  h1: dense(x, W, b)
  H: dense(X, Wt, b)
  L: sum(h1) + sum(H)
`
	g, err := Load("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, op, owner, block, group string }{
		{"h1.z.1", "matmul", "h1.z", "dense", "h1.z"},
		{"h1.z", "add", "h1", "dense", "h1.z"},
		{"h1", "relu", "", "dense", "h1"},
		{"H.z.1", "matmul", "H.z", "dense", "H.z"},
		{"H.z", "add", "H", "dense", "H.z"},
		{"H", "relu", "", "dense", "H"},
	}
	for _, w := range want {
		n := g.Node(w.name)
		if n == nil {
			t.Errorf("no node %s", w.name)
			continue
		}
		if n.Op.Name != w.op || n.Owner() != w.owner || n.Block() != w.block || n.Group() != w.group {
			t.Errorf("%s: %s owner %q block %q group %q; want %+v", n.Name, n.Op.Name, n.Owner(), n.Block(), n.Group(), w)
		}
	}
	// Vector: x·W + b = [1.5, −1.5] → [1.5, 0]; batch X·Wt (Wt = I) + b.
	if got := g.Node("h1").Value.Data; got[0] != 1.5 || got[1] != 0 {
		t.Errorf("h1 = %v, want [1.5 0]", got)
	}
	if s := g.Node("H").Shape; len(s) != 2 || s[0] != 3 || s[1] != 2 {
		t.Errorf("H has shape %v, want [3 2]", s)
	}
	// H = relu(X + b): rows [1.5 2.5] [3.5 4.5] [0 0.5] → 12.5; L = 1.5 + 12.5.
	if v := g.Output.Value.Item(); v != 14 {
		t.Errorf("L = %v, want 14", v)
	}
	var groups []string
	for _, gr := range g.Groups {
		groups = append(groups, gr.Name+"|"+gr.Title+"|"+gr.Parent)
	}
	wantGroups := "h1|h1 = dense(x, W, b)|,h1.z|h1.z = x @ W + b|h1,H|H = dense(X, Wt, b)|,H.z|H.z = x @ W + b|H,L|L = sum(h1) + sum(H)|"
	if got := strings.Join(groups, ","); got != wantGroups {
		t.Errorf("groups\n got %s\nwant %s", got, wantGroups)
	}
	if gr := g.Groups[0]; gr.Kind != GroupBlock || gr.Pos != (Pos{"t.yaml", 17, 7}) {
		t.Errorf("group h1: %+v", gr)
	}
}

// TestNestedBlocks checks a block that calls another, a one-formula block
// and a block call inside a formula.
func TestNestedBlocks(t *testing.T) {
	src := `name: t
inputs:
  x: 2
params:
  w: 3
blocks:
  scale:
    args: [a, k]
    output: k * a
  twice:
    args: [a, k]
    nodes:
      first: scale(a, k)
      second: scale(first, k)
    output: second
nodes:
  y: twice(x, w)
  L: 1 + twice(y, 2)
`
	g, err := Load("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"y.first", "y", "L.1.first", "L.1", "L"} {
		if g.Node(name) == nil {
			t.Errorf("no node %s", name)
		}
	}
	// y = 9·2 = 18; L = 1 + 4·18 = 73.
	if v := g.Node("y").Value.Item(); v != 18 {
		t.Errorf("y = %v, want 18", v)
	}
	if v := g.Output.Value.Item(); v != 73 {
		t.Errorf("L = %v, want 73", v)
	}
	parents := map[string]string{}
	for _, gr := range g.Groups {
		parents[gr.Name] = gr.Parent
	}
	if p, ok := parents["y.first"]; !ok || p != "y" {
		t.Errorf("group y.first: parent %q (%v), want y", p, ok)
	}
	if p, ok := parents["L.1"]; !ok || p != "L" {
		t.Errorf("group L.1: parent %q (%v), want L", p, ok)
	}
	if p, ok := parents["y.second"]; !ok || p != "y" {
		t.Errorf("group y.second: parent %q (%v), want y", p, ok)
	}
	// Each group comes after its parent.
	seen := map[string]bool{"": true}
	for _, gr := range g.Groups {
		if !seen[gr.Parent] {
			t.Errorf("group %s comes before its parent %s", gr.Name, gr.Parent)
		}
		seen[gr.Name] = true
	}
}

// TestBlockErrors checks the diagnostics of blocks: recursion listing the
// cycle, argument counts, names a block cannot see, and a shape error
// reported at the block's line and the call's.
func TestBlockErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"recursion", `name: t
inputs: {x: 1}
blocks:
  f:
    args: [a]
    output: g(a) + 1
  g:
    args: [a]
    output: 2 * f(a)
nodes:
  y: f(x)
`, `b.yaml:9:17: blocks.g: recursive block call: f → g → f (a block may not call itself)`},
		{"self recursion", `name: t
inputs: {x: 1}
blocks:
  f:
    args: [a]
    output: f(a) + 1
nodes:
  y: f(x)
`, `b.yaml:6:13: blocks.f: recursive block call: f → f (a block may not call itself)`},
		{"too few arguments", `name: t
inputs: {x: 1}
blocks:
  f:
    args: [a, b]
    output: a * b
nodes:
  y: f(x)
`, `b.yaml:8:6: block f takes 2 arguments (a, b), found 1`},
		{"too many arguments in a formula", `name: t
inputs: {x: 1}
blocks:
  f:
    args: [a]
    output: a * a
nodes:
  y: 1 + f(x, x)
`, `b.yaml:8:10: block f takes 1 argument (a), found 2`},
		{"undefined name in a block", `name: t
inputs: {x: 1}
blocks:
  f:
    args: [a]
    output: a * x
nodes:
  y: f(x)
`, `b.yaml:6:17: blocks.f: undefined name "x" (a block sees only its arguments and its nodes: a)`},
		{"shape mismatch inside a call", `name: t
inputs:
  x: [1, 2]
  v: [1, 2, 3]
params:
  W: [[1, 0], [0, 1]]
  b: [1, 1]
blocks:
  dense:
    args: [x, W, b]
    nodes:
      z: W @ x + b
    output: z
nodes:
  h1: dense(x, W, b)
  h2: dense(v, W, b)
`, `b.yaml:12:12: h2.z.1: matmul: ` + mustShapeErr("matmul", []int{2, 2}, []int{3}) + ` (in call h2 at b.yaml:16:7)`},
		{"block named like an op", `name: t
inputs: {x: 1}
blocks:
  relu:
    args: [a]
    output: a * a
nodes:
  y: neg(x)
`, `b.yaml:4:3: blocks: "relu" is the name of an op; give the block another name`},
		{"missing output", `name: t
inputs: {x: 1}
blocks:
  f:
    args: [a]
nodes:
  y: neg(x)
`, `b.yaml:5:5: blocks.f: missing required key "output" (the name of the node the call gives, or a formula)`},
		{"unknown key", `name: t
inputs: {x: 1}
blocks:
  f:
    args: [a]
    output: neg(a)
    nodse: {}
nodes:
  y: f(x)
`, `b.yaml:7:5: blocks.f: unknown key "nodse"; did you mean "nodes"? (expected one of: args, nodes, output)`},
	}
	for _, c := range cases {
		_, err := Load("b.yaml", []byte(c.src))
		if err == nil {
			t.Errorf("%s: loaded without error", c.name)
			continue
		}
		if got := err.Error(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// TestBlockExpansionBounded checks that a block calling another twice,
// nested deeply, is stopped by the node limit before it is expanded.
func TestBlockExpansionBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: t\ninputs: {x: 1}\nblocks:\n  f0:\n    args: [a]\n    output: a * 2\n")
	for i := 1; i <= 30; i++ {
		b.WriteString("  f" + itoa(i) + ":\n    args: [a]\n    output: f" + itoa(i-1) + "(a) + f" + itoa(i-1) + "(a)\n")
	}
	b.WriteString("nodes:\n  y: f30(x)\n")
	_, err := LoadWithLimits("b.yaml", []byte(b.String()), Limits{MaxNodes: 10000})
	if err == nil || !strings.Contains(err.Error(), "more than 10000 inputs, params and nodes") {
		t.Fatalf("got %v, want the node limit", err)
	}
}

func itoa(i int) string { return strings.TrimSpace(FormatNumber(float64(i))) }

// TestBlockNamesNeverCollide loads calls whose arguments are formulas or
// calls, of blocks whose output is a formula or a call: every generated
// name is unique, and the values are right.
func TestBlockNamesNeverCollide(t *testing.T) {
	cases := []struct {
		nodes string
		want  float64
	}{
		{"  y: f(f(x))\n", 7},             // f(a) = 2a + 1: f(f(1)) = f(3) = 7
		{"  y: g(x + 1)\n", 5},            // g(a) = f(a) = 2a + 1 with a = 2
		{"  y: f(x * 2) + g(f(x))\n", 12}, // f(2) = 5, g(3) = 7
		{"  y: 1 + h(x, x + 1)\n", 9},     // h(a, b) = f(a) + f(b) = 3 + 5
	}
	const head = `name: t
inputs: {x: 1}
blocks:
  f:
    args: [a]
    output: 2 * a + 1
  g:
    args: [a]
    output: f(a)
  h:
    args: [a, b]
    nodes:
      u: f(a)
      v: f(b)
    output: u + v
nodes:
`
	for _, c := range cases {
		g, err := Load("n.yaml", []byte(head+c.nodes))
		if err != nil {
			t.Errorf("%s: %v", c.nodes, err)
			continue
		}
		if v := g.Output.Value.Item(); v != c.want {
			t.Errorf("%s: y = %v, want %v", c.nodes, v, c.want)
		}
		names := map[string]bool{}
		for _, gr := range g.Groups {
			if names[gr.Name] {
				t.Errorf("%s: two groups named %s", c.nodes, gr.Name)
			}
			names[gr.Name] = true
		}
	}
}

// TestBlockEvaluationErrors checks that a value that is not finite, and a
// cycle through a call, name the call as well as the block's line.
func TestBlockEvaluationErrors(t *testing.T) {
	const head = `name: t
inputs: {x: 0, y: 1}
blocks:
  inv:
    args: [a]
    output: 1 / a
nodes:
`
	_, err := Load("e.yaml", []byte(head+"  u: inv(y)\n  v: inv(x)\n"))
	want := `e.yaml:6:13: v = 1 / x is +Inf, not a finite number: x = 0 (in call v at e.yaml:9:6)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	_, err = Load("e.yaml", []byte(head+"  w: u + 1\n  u: inv(w)\n"))
	if err == nil || err.Error() != "e.yaml:8:3: cycle: w → u → w (nodes may not depend on themselves)" {
		t.Errorf("cycle through a call: %v", err)
	}
}
