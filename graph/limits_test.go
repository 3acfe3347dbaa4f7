package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/graph"
)

func TestLimits(t *testing.T) {
	tests := []struct {
		name string
		src  string
		lim  graph.Limits
		want string
	}{
		{"file size", "name: t\nnodes:\n  y: neg(1)\n", graph.Limits{MaxFileSize: 10},
			"big.yaml:1:1: the spec has 27 bytes, more than the limit of 10 (raise it with --max-file-size)"},
		{"node count", "name: t\ninputs: {a: 1, b: 2}\nnodes:\n  y: neg(a)\n  z: neg(b)\n", graph.Limits{MaxNodes: 3},
			"big.yaml:3:1: nodes: the spec has more than 3 inputs, params and nodes, the limit (raise it with --max-nodes)"},
		{"leaf elements", "name: t\ninputs:\n  x: [[1, 2, 3], [4, 5, 6]]\nnodes:\n  y: sum(x)\n", graph.Limits{MaxElements: 5},
			"big.yaml:3:6: inputs.x: the value has 6 elements, more than the limit of 5 (raise it with --max-elements)"},
		{"computed elements", "name: t\ninputs:\n  A: [[1, 2, 3]]\nnodes:\n  T: transpose(A)\n  P: matmul(T, A)\n  s: sum(P)\n", graph.Limits{MaxElements: 8},
			"big.yaml:6:3: P: matmul gives a [3,3] tensor of 9 elements, more than the limit of 8 (raise it with --max-elements)"},
	}
	for _, tc := range tests {
		_, err := graph.LoadWithLimits("big.yaml", []byte(tc.src), tc.lim)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: got\n%v\nwant\n%s", tc.name, err, tc.want)
		}
		// The same spec passes under the default limits.
		if _, err := graph.Load("big.yaml", []byte(tc.src)); err != nil {
			t.Errorf("%s: default limits: %v", tc.name, err)
		}
	}
}

// TestComputedTensorLimitStopsBeforeEvaluation checks that a product of two
// 2000-vectors, which would have 4,000,000 elements, is refused by the shape
// check under the default limits.
func TestComputedTensorLimitStopsBeforeEvaluation(t *testing.T) {
	row := "[[" + strings.Repeat("1, ", 1999) + "1]]"
	src := "name: t\ninputs:\n  A: " + row + "\nnodes:\n  T: transpose(A)\n  P: matmul(T, A)\n  s: sum(P)\n"
	_, err := graph.Load("big.yaml", []byte(src))
	want := "big.yaml:6:3: P: matmul gives a [2000,2000] tensor of 4000000 elements, more than the limit of 1000000 (raise it with --max-elements)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

// TestHostileYAML covers inputs built to exhaust a parser: very deep
// nesting and an alias bomb ("billion laughs"). Each must fail with one
// clear diagnostic instead of expanding.
func TestHostileYAML(t *testing.T) {
	deep := "name: t\ninputs:\n  x: " + strings.Repeat("[", 20000) + "1" + strings.Repeat("]", 20000) + "\nnodes:\n  y: neg(x)\n"
	_, err := graph.Load("deep.yaml", []byte(deep))
	want := "deep.yaml:3:68: the YAML nests 65 collections deep here, more than the limit of 64 (raise it with --max-depth)"
	if err == nil || err.Error() != want {
		t.Errorf("deep nesting: got %v, want %s", err, want)
	}
	var b strings.Builder
	b.WriteString("name: t\nlol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), ", ")
		fmt.Fprintf(&b, "lol%d: &a%d [%s]\n", i, i, refs)
	}
	b.WriteString("nodes:\n  y: neg(1)\n")
	_, err = graph.Load("bomb.yaml", []byte(b.String()))
	want = "bomb.yaml:3:12: YAML aliases (*a0) are not allowed in a spec; write the value out"
	if err == nil || err.Error() != want {
		t.Errorf("alias bomb: got %v, want %s", err, want)
	}
}
