package graph_test

import (
	"math"
	"testing"

	"github.com/chainviz/chainviz/graph"
)

func TestEscapeControl(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, ∂L/∂x ≈ 1", "plain text, ∂L/∂x ≈ 1"},
		{"line\n\tindented", "line\n\tindented"},
		{"\x1b[2J\x1b[31mred", `\x1b[2J\x1b[31mred`},
		{"nul\x00 del\x7f cr\r bell\a", `nul\x00 del\x7f cr\x0d bell\x07`},
		{"c1 \u0085 \u009b2J", `c1 \u0085 \u009b2J`},
		{"bad \xff utf-8", `bad \xff utf-8`},
	}
	for _, tc := range tests {
		if got := graph.EscapeControl(tc.in); got != tc.want {
			t.Errorf("EscapeControl(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestAppendNumberMatchesFormatNumber checks the allocation-free writer of
// the annotated JSON against FormatNumber on numbers of every magnitude.
func TestAppendNumberMatchesFormatNumber(t *testing.T) {
	vs := []float64{0, 1, -1, 0.5, 1e-6, 9.99e-7, -1.5e-7, 1e21, 1.25e22, -3e300, 5e-324, 123456.789, 1e20, 0.1 + 0.2}
	for e := -30; e <= 30; e++ {
		vs = append(vs, 1.2345678*math.Pow(10, float64(e)), -7*math.Pow(10, float64(e)))
	}
	for _, v := range vs {
		if got, want := string(graph.AppendNumber([]byte("x"), v)), "x"+graph.FormatNumber(v); got != want {
			t.Errorf("AppendNumber(%v) = %q, want %q", v, got, want)
		}
	}
	m := &graph.Tensor{Shape: []int{2, 2}, Data: []float64{1, -2.5, 3e-9, 4e25}}
	if got := string(graph.AppendTensor(nil, m)); got != m.String() {
		t.Errorf("AppendTensor = %q, want %q", got, m.String())
	}
}
