package explain_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/backward/explain"
	"github.com/chainviz/chainviz/graph"
)

// TestDisplayText checks that a node's display text replaces its name
// everywhere in every format: headings, prose, formulas of the forward
// pass and local derivatives, and that its LaTeX is valid.
func TestDisplayText(t *testing.T) {
	g, err := graph.Load("d.yaml", []byte("name: d\ninputs:\n  w2: {value: 3, display: \"w²\"}\n  x1: 2\nnodes:\n  y: mul(w2, x1)\n  L: {op: square, in: [y], display: \"loss\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	e, err := explain.New(a, explain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	text := format(t, e, "text")
	for _, want := range []string{"= w²·x1 = 3·2 = 6", "loss = y² = 6² = 36", "∂loss/∂w²", "w² = 3 reaches loss"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "w2") || strings.Contains(text, "L ") {
		t.Errorf("text still names w2 or L:\n%s", text)
	}
	tex := format(t, e, "tex")
	for _, want := range []string{`y &= w^{2} \cdot x_{1}`, `\frac{\partial \mathit{loss}}{\partial w^{2}}`} {
		if !strings.Contains(tex, want) {
			t.Errorf("tex lacks %q:\n%s", want, tex)
		}
	}
	checkTeXFragment(t, "display", tex)
	r := checkMarkdown(format(t, e, "md"))
	for _, p := range r.problems {
		t.Error(p)
	}
	checkMathTeX(t, "display", r.math)
}

// TestNoSubscripts checks that Options.NoSubscripts writes every name as
// spelled, in LaTeX that TeX and Markdown accept, for every spec.
func TestNoSubscripts(t *testing.T) {
	subscript := regexp.MustCompile(`[A-Za-z]_\{[0-9]+\}`)
	for _, name := range []string{"worked_example", "three_layer", "vector_matrix", "batchnorm"} {
		e := explainFile(t, name, explain.Options{NoSubscripts: true, LR: 0.01})
		tex := format(t, e, "tex")
		if m := subscript.FindString(tex); m != "" {
			t.Errorf("%s: a digit subscript %s", name, m)
		}
		checkTeXFragment(t, name, tex)
		r := checkMarkdown(format(t, e, "md"))
		for _, p := range r.problems {
			t.Errorf("%s: %s", name, p)
		}
		checkMathTeX(t, name, r.math)
	}
	e := explainFile(t, "worked_example", explain.Options{NoSubscripts: true})
	if tex := format(t, e, "tex"); !strings.Contains(tex, `\frac{\partial L}{\partial W1}`) {
		t.Errorf("worked_example: no W1 in\n%s", tex)
	}
}
