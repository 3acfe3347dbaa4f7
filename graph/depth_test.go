package graph_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/graph"
)

func TestMaxDepth(t *testing.T) {
	tests := []struct {
		name, src string
		depth     int
		want      string
	}{
		{"50,000 open brackets", "x: " + strings.Repeat("[", 50000), 0,
			"deep.yaml:1:67: the YAML nests 65 collections deep here, more than the limit of 64 (raise it with --max-depth)"},
		{"flow mappings", "name: t\nnodes: {a: {b: {c: {d: 1}}}}\n", 3,
			"deep.yaml:2:16: the YAML nests 4 collections deep here, more than the limit of 3 (raise it with --max-depth)"},
		{"block sequences", "name: t\nx:\n  - - - 1\n", 3,
			"deep.yaml:3:5: the YAML nests 4 collections deep here, more than the limit of 3 (raise it with --max-depth)"},
		{"block mappings", "name: t\na:\n  b:\n    c:\n      d: 1\n", 3,
			"deep.yaml:5:7: the YAML nests 4 collections deep here, more than the limit of 3 (raise it with --max-depth)"},
	}
	for _, tc := range tests {
		_, err := graph.LoadWithLimits("deep.yaml", []byte(tc.src), graph.Limits{MaxDepth: tc.depth})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: got\n%v\nwant\n%s", tc.name, err, tc.want)
		}
	}
}

// TestMaxDepthIgnoresText checks that brackets, dashes and indentation
// inside quoted strings, comments and block scalars do not count as
// nesting.
func TestMaxDepthIgnoresText(t *testing.T) {
	src := `name: t  # [[[[[[
title: "[[[[[[ {{{{{{"
description: |
  - - - - - - -
      - deeply
          - indented [[[[[[[
inputs:
  x: ['[[[[[[', 1]
nodes:
  y: neg(x)
`
	_, err := graph.LoadWithLimits("ok.yaml", []byte(src), graph.Limits{MaxDepth: 3})
	if err == nil || !strings.Contains(err.Error(), "inputs.x") {
		// The only error is the string element of x, found by the parser
		// after the depth check let the file through.
		t.Fatalf("got %v, want an error about inputs.x", err)
	}
}

// TestSyntaxErrorCostIsLinear checks that the memory spent on a syntax
// error grows linearly with the file: an unclosed flow list four times as
// long costs at most about four times as much.
func TestSyntaxErrorCostIsLinear(t *testing.T) {
	cost := func(n int) uint64 {
		src := []byte("x: [" + strings.Repeat("1, ", n))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := graph.Load("flow.yaml", src)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.HasPrefix(err.Error(), "flow.yaml:1:4: invalid YAML: ") {
			t.Fatalf("n=%d: got %v", n, err)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := cost(40_000), cost(160_000)
	if large > 6*small {
		t.Errorf("an unclosed list of 160,000 elements allocates %d bytes, of 40,000 %d: more than linear", large, small)
	}
	if per := large / (3 * 160_000); per > 400 {
		t.Errorf("an unclosed list allocates %d bytes per input byte", per)
	}
}

// TestDepthCannotBeHidden checks that text which the depth scan takes for
// a quoted string cannot smuggle deep nesting to the parser that locates
// syntax errors (it recurses): the error stays cheap, and a dash inside a
// text does not count as nesting.
func TestDepthCannotBeHidden(t *testing.T) {
	src := "name: t\nx: a 'b\n" + strings.Repeat("[", 30000) + "\n"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := graph.Load("hide.yaml", []byte(src))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.HasPrefix(err.Error(), "hide.yaml:") {
		t.Fatalf("got %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 50<<20 {
		t.Errorf("a 30 KB file allocated %d MB", n>>20)
	}
	text := "name: t\ndescription: " + strings.Repeat("a - ", 100) + "\nnodes:\n  y: neg(1)\n"
	if _, err := graph.LoadWithLimits("dash.yaml", []byte(text), graph.Limits{MaxDepth: 3}); err != nil {
		t.Errorf("dashes inside a text: %v", err)
	}
}
