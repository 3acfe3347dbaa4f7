package graph

import (
	"strings"
	"testing"
)

// TestDisplay checks the display key of leaves and canonical nodes, and
// that a bad display text is an error at its position.
func TestDisplay(t *testing.T) {
	g, err := Load("d.yaml", []byte("name: d\ninputs:\n  w2: {value: 3, display: \"w²\"}\n  x: 2\nnodes:\n  y: {op: mul, in: [w2, x], display: y1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"w2": "w²", "x": "", "y": "y1"}
	for _, n := range g.Nodes {
		if n.Display() != want[n.Name] {
			t.Errorf("%s: display %q, want %q", n.Name, n.Display(), want[n.Name])
		}
	}
	for _, c := range []struct{ display, want string }{
		{`""`, "d.yaml:3:26: inputs.w.display: expected a text of 1 to 32 characters, found 0"},
		{`"` + strings.Repeat("a", 33) + `"`, "d.yaml:3:26: inputs.w.display: expected a text of 1 to 32 characters, found 33"},
		{`"a\nb"`, `d.yaml:3:26: inputs.w.display: expected a text on one line without control characters, found "a\nb"`},
		{`[a]`, "d.yaml:3:26: inputs.w.display: expected a string, found a list"},
	} {
		_, err := Load("d.yaml", []byte("name: d\ninputs:\n  w: {value: 3, display: "+c.display+"}\nnodes:\n  y: mul(w, w)\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("display %s: got %v, want %q", c.display, err, c.want)
		}
	}
}
