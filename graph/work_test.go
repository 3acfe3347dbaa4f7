package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/graph"
)

// matrix writes an n×n matrix of ones as a YAML flow list.
func matrix(n int) string {
	row := "[" + strings.TrimSuffix(strings.Repeat("1, ", n), ", ") + "]"
	return "[" + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + "]"
}

// TestWorkLimit checks that specs whose evaluation would take minutes are
// refused from their shapes, before anything is evaluated, at the node
// where the work passes the limit.
func TestWorkLimit(t *testing.T) {
	var chain strings.Builder
	chain.WriteString("name: t\ninputs:\n  A: " + matrix(1000) + "\nnodes:\n  P0: matmul(A, A)\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&chain, "  P%d: matmul(P%d, A)\n", i, i-1)
	}
	var adds strings.Builder
	col := "[" + strings.TrimSuffix(strings.Repeat("[1], ", 1000), ", ") + "]"
	row := "[[" + strings.TrimSuffix(strings.Repeat("1, ", 1000), ", ") + "]]"
	adds.WriteString("name: t\ninputs:\n  c: " + col + "\n  r: " + row + "\nnodes:\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&adds, "  s%d: add(c, r)\n", i)
	}
	tests := []struct {
		name, src, want string
	}{
		{"ten products of 1000×1000 matrices", chain.String(),
			"work.yaml:5:3: P0: evaluating and differentiating the spec up to P0 takes about 3000000000 operations, more than the limit of 100000000 (raise it with --max-work)"},
		{"200 broadcasting adds of [1000,1] and [1,1000]", adds.String(),
			"work.yaml:39:3: s33: evaluating and differentiating the spec up to s33 takes about 102000000 operations, more than the limit of 100000000 (raise it with --max-work)"},
	}
	for _, tc := range tests {
		_, err := graph.Load("work.yaml", []byte(tc.src))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: got\n%v\nwant\n%s", tc.name, err, tc.want)
		}
	}
}

// TestWorkLimitRaised checks that --max-work lets a spec through and that
// the graph records its forward work and the limit.
func TestWorkLimitRaised(t *testing.T) {
	src := "name: t\ninputs:\n  A: " + matrix(3) + "\n  x: [1, 2, 3]\nnodes:\n  y: matmul(A, x)\n  s: sum(y)\n"
	if _, err := graph.LoadWithLimits("w.yaml", []byte(src), graph.Limits{MaxWork: 20}); err == nil {
		t.Errorf("a limit of 20 operations: no error")
	}
	g, err := graph.LoadWithLimits("w.yaml", []byte(src), graph.Limits{MaxWork: 36})
	if err != nil {
		t.Fatal(err)
	}
	// matmul: 3·3·1 = 9; sum: 3 elements read. Three times 12 is 36.
	if g.Work != 12 || g.WorkLimit != 36 {
		t.Errorf("work %d, limit %d; want 12 and 36", g.Work, g.WorkLimit)
	}
}
