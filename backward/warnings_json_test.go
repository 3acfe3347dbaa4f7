package backward

import (
	"strings"
	"testing"

	"github.com/chainviz/chainviz/graph"
)

// TestWarningsJSONFields checks that each warning of the annotated JSON
// carries its code, severity and node after v1's line, col and message.
func TestWarningsJSONFields(t *testing.T) {
	src := `name: w
inputs:
  x: 0
  u: 1
nodes:
  h: relu(x)
  side: neg(u)
  s: sigmoid(40)
  y: add(h, s)
`
	g, err := graph.Load("w.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	js := string(JSON(a))
	for _, want := range []string{
		`{"line": 6, "col": 3, "message": "`,
		`"code": "kink", "severity": "warning", "node": "h"}`,
		`"code": "unreachable", "severity": "warning", "node": "side"}`,
		`"code": "saturated", "severity": "warning", "node": "s"}`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("the JSON has no %s:\n%s", want, js[strings.Index(js, `"warnings"`):])
		}
	}
}

// TestZeroFactorNotRepeated: a local derivative whose formula is 0 (step's)
// is named once, ∂y/∂x = 0, not ∂y/∂x = 0 = 0.
func TestZeroFactorNotRepeated(t *testing.T) {
	g, err := graph.Load("st.yaml", []byte("name: st\ninputs:\n  x: 2\nnodes:\n  y: step(x)\n  L: mul(y, 3)\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	text := a.Warnings.Error()
	if !strings.Contains(text, "(∂y/∂x = 0)") || strings.Contains(text, "= 0 = 0") {
		t.Errorf("warnings: %s", text)
	}
}
