package explain

import (
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// TestNegativeTermIsSubtracted: a δ term with a minus sign is written as a
// subtraction (δ_b ⊙ x − δ_a), never as + −δ_a, in text and in LaTeX.
func TestNegativeTermIsSubtracted(t *testing.T) {
	src := "name: nd\ninputs:\n  x: [1, 2]\nparams:\n  w: [3, 4]\nnodes:\n  b: mul(w, x)\n  a: sub(x, w)\n  c: add(a, b)\n  L: sum(c)\n"
	g, err := graph.Load("nd.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(a, Options{Wrt: []string{"w"}, Delta: true})
	if err != nil {
		t.Fatal(err)
	}
	for format, want := range map[string]string{"text": "δ_w = δ_b ⊙ x − δ_a", "md": `\delta_{w} = \delta_{b} \odot x - \delta_{a}`} {
		var b strings.Builder
		if err := e.Write(&b, format); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s: no %q in\n%s", format, want, b.String())
		}
		if strings.Contains(b.String(), "+ −") || strings.Contains(b.String(), "+ -") {
			t.Errorf("%s: a term is added with its minus sign:\n%s", format, b.String())
		}
	}
}

// TestScalarShapeNotShown: a scalar δ in a tensor derivation has no shape
// note "([])".
func TestScalarShapeNotShown(t *testing.T) {
	src := "name: sc\ninputs:\n  x: [1, 2]\nparams:\n  w: 3\nnodes:\n  a: mul(w, x)\n  L: sum(a)\n"
	g, err := graph.Load("sc.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(a, Options{Delta: true})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := e.Write(&b, "text"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "([])") {
		t.Errorf("a scalar's shape is shown:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "([2])") {
		t.Errorf("a vector's shape is not shown:\n%s", b.String())
	}
}
