package graph_test

import (
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
