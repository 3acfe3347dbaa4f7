package backward_test

import (
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// TestCheckWorkLimit checks that finite differences over a leaf of a
// million elements, two evaluations per element, are refused before the
// first one instead of running for minutes.
func TestCheckWorkLimit(t *testing.T) {
	row := "[" + strings.TrimSuffix(strings.Repeat("1, ", 1000), ", ") + "]"
	src := "name: t\nparams:\n  W: [" + strings.TrimSuffix(strings.Repeat(row+", ", 1000), ", ") + "]\nnodes:\n  s: sum(W)\n"
	g, err := graph.Load("big.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	_, err = backward.Check(a, 1e-6, 1)
	want := "the finite-difference check would evaluate the spec 2000000 times, about 2000000000000 operations, more than the limit of 100000000 (raise it with --max-work)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestDescendWorkLimit(t *testing.T) {
	src := "name: t\nparams:\n  w: [1, 2, 3, 4]\nnodes:\n  s: sum(w)\n"
	g, err := graph.LoadWithLimits("d.yaml", []byte(src), graph.Limits{MaxWork: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// One forward pass reads 4 elements; a step costs four passes.
	if _, err := backward.Descend(g, 0.1, 62); err != nil {
		t.Errorf("62 steps of 16 operations: %v", err)
	}
	_, err = backward.Descend(g, 0.1, 63)
	want := "63 steps of gradient descent would evaluate the spec 63 times, about 1008 operations, more than the limit of 1000 (raise it with --max-work)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestHigherOrderWorkLimit checks that second derivatives, one backward
// pass of the backward graph per leaf element, are bounded like check.
func TestHigherOrderWorkLimit(t *testing.T) {
	src := "name: t\nparams:\n  w: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nnodes:\n  s: sum(w)\n"
	g, err := graph.LoadWithLimits("h.yaml", []byte(src), graph.Limits{MaxWork: 500})
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	err = a.AddHigherOrder(2)
	want := "derivatives of order 2 would evaluate the spec 10 times, about 600 operations, more than the limit of 500 (raise it with --max-work)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	g.WorkLimit = 600
	if err := a.AddHigherOrder(2); err != nil {
		t.Errorf("limit 600: %v", err)
	}
}
