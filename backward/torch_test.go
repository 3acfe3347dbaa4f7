package backward_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// This file is the differential test against PyTorch, as tinygrad's
// test_ops.py: every op in every shape form, on random inputs, computed by
// chainviz and by PyTorch (testdata/torch_ops.py, run with Debian's
// python3-torch), must give the same values, gradients and, where PyTorch
// has a double backward, second derivatives. It pins the conventions
// (var's divisor, the reductions of the losses, the ties of max) to
// PyTorch's rather than to chainviz's own idea of them.

// torchPython is the interpreter that has torch: Debian's python3-torch
// installs it for /usr/bin/python3. CHAINVIZ_PYTHON overrides it.
func torchPython() string {
	if p := os.Getenv("CHAINVIZ_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// oldOpSpecCases lists the ops of spec format v1 in every shape form.
func oldOpSpecCases() []opCase {
	S, V, M := []int(nil), []int{3}, []int{2, 3}
	l := func(name string, shape []int, domain string) leafGen { return leafGen{name, shape, domain} }
	var cases []opCase
	add := func(call string, leaves ...leafGen) { cases = append(cases, opCase{call, leaves}) }
	for _, s := range [][]int{S, V, M} {
		for _, op := range []string{"neg", "square", "exp", "sin", "cos", "tanh", "sigmoid", "relu", "sum", "mean"} {
			add(op+"(a)", l("a", s, "any"))
		}
		add("log(a)", l("a", s, "pos"))
	}
	for _, f := range [][2][]int{{S, S}, {V, V}, {M, M}, {M, V}, {V, M}, {S, M}, {M, S}, {{2, 1}, {1, 3}}, {V, S}} {
		for _, op := range []string{"add", "sub", "mul"} {
			add(op+"(a, b)", l("a", f[0], "any"), l("b", f[1], "any"))
		}
		add("div(a, b)", l("a", f[0], "any"), l("b", f[1], "pos"))
		add("pow(a, b)", l("a", f[0], "pos"), l("b", f[1], "any"))
	}
	add("add(a, b, c)", l("a", M, "any"), l("b", V, "any"), l("c", S, "any"))
	for _, f := range [][2][]int{{{2, 3}, {3, 4}}, {{2, 3}, {3}}, {{3}, {3, 4}}, {{3}, {3}}} {
		add("matmul(a, b)", l("a", f[0], "any"), l("b", f[1], "any"))
	}
	add("transpose(a)", l("a", M, "any"))
	for _, f := range [][2][]int{{S, S}, {V, V}, {M, M}, {S, M}, {M, S}, {V, S}} {
		add("squared_error(a, b)", l("a", f[0], "any"), l("b", f[1], "any"))
		add("mse(a, b)", l("a", f[0], "any"), l("b", f[1], "any"))
	}
	add("onehot(y, classes=3)", l("y", []int{4}, "cls"))
	add("onehot(y, classes=3)", l("y", S, "cls"))
	return cases
}

// tieSpecCases puts the piecewise ops at their ties and kinks on purpose,
// with values drawn from −1, 0 and 1, so that their conventions there
// (max's ties split evenly, or given to the first along an axis; ½ each
// for maximum; clip's bounds; 0 for abs and relu at 0) are PyTorch's.
func tieSpecCases() []opCase {
	V, M := []int{3}, []int{2, 3}
	l := func(name string, shape []int, domain string) leafGen { return leafGen{name, shape, domain} }
	var cases []opCase
	add := func(call string, leaves ...leafGen) { cases = append(cases, opCase{call, leaves}) }
	for _, s := range [][]int{V, M} {
		add("max(a)", l("a", s, "tie"))
		add("abs(a)", l("a", s, "tie"))
		add("relu(a)", l("a", s, "tie"))
		add("maximum(a, b)", l("a", s, "tie"), l("b", s, "tie"))
		add("minimum(a, b)", l("a", s, "tie"), l("b", s, "tie"))
		add("clip(a, lo, hi)", l("a", s, "tie"), l("lo", nil, "m1"), l("hi", nil, "p1"))
	}
	add("max(a, axis=0)", l("a", M, "tie"))
	add("max(a, axis=1)", l("a", M, "tie"))
	return cases
}

type torchTensor struct {
	Name  string    `json:"name,omitempty"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
	Grad  bool      `json:"grad,omitempty"`
	Index bool      `json:"index,omitempty"`
}

type torchCase struct {
	ID     string         `json:"id"`
	Op     string         `json:"op"`
	Inputs []torchTensor  `json:"inputs"`
	Kw     map[string]any `json:"kw,omitempty"`
	G      torchTensor    `json:"G"`
}

type torchResult struct {
	Error string               `json:"error"`
	Value torchTensor          `json:"value"`
	Grads map[string][]float64 `json:"grads"`
	Hess  map[string][]float64 `json:"hess"`
}

// chainvizCase is a case with chainviz's own results.
type chainvizCase struct {
	src   string
	a     *backward.Annotated
	leafs []*graph.Node
}

func TestOpsAgainstPyTorch(t *testing.T) {
	python := torchPython()
	if out, err := exec.Command(python, "-c", "import torch").CombinedOutput(); err != nil {
		t.Skipf("PyTorch differential test skipped: %s cannot import torch (Debian: apt-get install -y python3-torch; or set CHAINVIZ_PYTHON): %v %s", python, err, out)
	}
	r := rand.New(rand.NewSource(17))
	var cases []torchCase
	ours := map[string]chainvizCase{}
	all := append(append(oldOpSpecCases(), newOpSpecCases()...), tieSpecCases()...)
	for i, c := range all {
		for trial := 0; trial < 2; trial++ {
			id := fmt.Sprintf("%d.%d %s", i, trial, c.call)
			src := opCaseSpec(r, c)
			g, err := graph.Load("op_case.yaml", []byte(src))
			if err != nil {
				t.Fatalf("%s: %v\n%s", id, err, src)
			}
			a, err := backward.Annotate(g)
			if err != nil {
				t.Fatalf("%s: %v\n%s", id, err, src)
			}
			if err := a.AddHigherOrder(2); err != nil {
				t.Fatalf("%s: %v\n%s", id, err, src)
			}
			n := g.Node("out")
			tc := torchCase{ID: id, Op: n.Op.Name, G: tensorOf(g.Node("G"))}
			for k, in := range n.Inputs {
				x := tensorOf(in)
				x.Name, x.Grad = in.Name, !in.NoGrad
				x.Index = c.leaves[k].domain == "cls"
				tc.Inputs = append(tc.Inputs, x)
			}
			if kw := n.Op.Keyword; kw != nil && n.Attr != nil {
				if kw.List {
					tc.Kw = map[string]any{kw.Name: n.Attr}
				} else {
					tc.Kw = map[string]any{kw.Name: n.Attr[0]}
				}
			}
			cases = append(cases, tc)
			ours[id] = chainvizCase{src: src, a: a, leafs: n.Inputs}
		}
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "cases.json"), filepath.Join(dir, "torch.json")
	data, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if msg, err := exec.CommandContext(ctx, python, filepath.Join("testdata", "torch_ops.py"), in, out).CombinedOutput(); err != nil {
		t.Fatalf("torch_ops.py: %v\n%s", err, msg)
	}
	data, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var theirs map[string]torchResult
	if err := json.Unmarshal(data, &theirs); err != nil {
		t.Fatal(err)
	}
	var values, grads, seconds, noSecond int
	for _, tc := range cases {
		res, ok := theirs[tc.ID]
		our := ours[tc.ID]
		switch {
		case !ok:
			t.Errorf("%s: no PyTorch result", tc.ID)
			continue
		case res.Error != "":
			t.Errorf("%s: PyTorch: %s\n%s", tc.ID, res.Error, our.src)
			continue
		}
		g := our.a.Graph
		if msg := compareData(g.Node("out").Value.Data, res.Value.Data, 1e-9); msg != "" {
			t.Errorf("%s: value %s\n%s", tc.ID, msg, our.src)
		}
		values++
		for _, leaf := range our.leafs {
			if leaf.NoGrad {
				continue
			}
			want, ok := res.Grads[leaf.Name]
			if !ok || want == nil {
				continue // PyTorch gives no gradient for this input (huber's delta).
			}
			if msg := compareData(our.a.Grads[leaf.ID].Data, want, 1e-9); msg != "" {
				t.Errorf("%s: ∂L/∂%s %s\n%s", tc.ID, leaf.Name, msg, our.src)
			}
			grads++
			h := res.Hess[leaf.Name]
			if h == nil {
				noSecond++
				continue
			}
			if msg := compareData(our.a.Higher[0][leaf.ID].Data, h, 1e-8); msg != "" {
				t.Errorf("%s: ∂²L/∂%s² %s\n%s", tc.ID, leaf.Name, msg, our.src)
			}
			seconds++
		}
	}
	t.Logf("compared with PyTorch: %d values, %d gradients, %d second derivatives (%d without a double backward in PyTorch)", values, grads, seconds, noSecond)
	if values < 300 || grads < 400 || seconds < 350 {
		t.Errorf("too few comparisons: %d values, %d gradients, %d second derivatives", values, grads, seconds)
	}
}

// tensorOf is a node's value as the script reads it.
func tensorOf(n *graph.Node) torchTensor {
	shape := n.Value.Shape
	if shape == nil {
		shape = []int{}
	}
	return torchTensor{Shape: shape, Data: n.Value.Data}
}

// compareData compares element by element with a relative tolerance.
func compareData(got, want []float64, tol float64) string {
	if len(got) != len(want) {
		return fmt.Sprintf("has %d elements, PyTorch %d: %v vs %v", len(got), len(want), got, want)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			return fmt.Sprintf("= %v, PyTorch %v", got, want)
		}
	}
	return ""
}
