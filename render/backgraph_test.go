package render

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/graph"
)

func TestBackwardDOTGolden(t *testing.T) {
	for _, c := range []struct{ file, spec string }{
		{"worked_example-backward-graph.dot", "worked_example"},
		{"tensor-backward-graph.dot", "tensor"},
	} {
		t.Run(c.file, func(t *testing.T) {
			got := BackwardDOT(loadSpec(t, c.spec), Options{})
			if again := BackwardDOT(loadSpec(t, c.spec), Options{}); string(again) != string(got) {
				t.Fatal("the backward graph's DOT is not deterministic")
			}
			checkGolden(t, c.file, got)
		})
	}
}

// TestBackwardDOTWorkedExample checks the backward graph of the note's
// worked example against its numbers, independently of the golden file.
func TestBackwardDOTWorkedExample(t *testing.T) {
	a := loadSpec(t, "worked_example")
	dot := string(BackwardDOT(a, Options{}))
	for _, want := range []string{
		// Every leaf's gradient, as the note computes it.
		"∂L/∂W₁ = 72", "∂L/∂x = 108", "∂L/∂W₂ = 126",
		"∂L/∂z₁ = ∂L/∂a₁ = ∂L/∂b₁ = 36", // One node is the gradient of three.
		"∂L/∂z₂ = ∂L/∂a₂ = ∂L/∂b₂ = 18",
		"∂L/∂L = 1", // The seed, a constant.
		// The chain rule as formulas of the backward graph's nodes.
		"∂L/∂W₁ = (∂L/∂z₁)·x",
		"∂L/∂h₁ = (∂L/∂z₂)·W₂",
		"∂L/∂z₁ = (∂L/∂h₁)·t₃",
		"t₃ = 1[z₁&gt;0]", // relu′ is the op step.
		"t₁ = z₂ − y", "t₂ = 2·t₁",
		"∂L/∂z₂ = 1·t₂",
		"Backward graph of L = (W2·ReLU",
	} {
		if !strings.Contains(dot, want) {
			t.Errorf("the backward graph lacks %q", want)
		}
	}
	// The nodes: 11 of the tape (the gradient of y, which has grad: false,
	// is built but nothing depends on it), 2 constants among them, and the
	// 7 forward values they read.
	nodes := regexp.MustCompile(`(?m)^\tn\d+ \[label`).FindAllString(dot, -1)
	if len(nodes) != 18 {
		t.Errorf("%d nodes, want 18", len(nodes))
	}
	if strings.Contains(dot, "neg") {
		t.Error("the unused gradient of y is drawn")
	}
	for _, name := range []string{"x", "W₁", "z₁", "h₁", "W₂", "z₂", "y"} {
		if !strings.Contains(dot, "<B>"+name+"</B></FONT></TD><TD ALIGN=\"RIGHT\"><FONT COLOR=\"#59636e\" POINT-SIZE=\"10\">"+nbsp+nbsp+"forward · ") {
			t.Errorf("the forward value %s is not drawn as one", name)
		}
	}
	if edges := strings.Count(dot, " -> "); edges != 17 {
		t.Errorf("%d edges, want 17 (two inputs for each of the 9 op nodes but step)", edges)
	}
	svg, err := SVG([]byte(dot))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "∂L/∂W₁ = 72") {
		t.Error("the SVG of the backward graph lacks ∂L/∂W₁ = 72")
	}
}

// TestBackwardDOTLeafGradients checks, on every test spec, that each leaf
// with a gradient has it drawn in the backward graph, with its value.
func TestBackwardDOTLeafGradients(t *testing.T) {
	for _, spec := range []string{"worked_example", "fanout", "tensor", "escape", "warned"} {
		a := loadSpec(t, spec)
		d := newDiagram(a, Options{})
		dot := string(BackwardDOT(a, Options{}))
		for _, n := range a.Graph.Nodes {
			gn := a.GradNodes[n.ID]
			if !n.IsLeaf() || gn == nil {
				continue
			}
			want := escapeHTML(d.partialText(d.name(n)))
			if !strings.Contains(dot, want) {
				t.Errorf("%s: the backward graph lacks %s", spec, want)
			}
			if gn.Value.IsScalar() && !strings.Contains(dot, escapeHTML(" = "+d.num(gn.Value.Item()))) {
				t.Errorf("%s: the backward graph lacks the value of %s", spec, want)
			}
		}
	}
}

// TestBackwardDOTTempNames checks that the intermediate nodes are not named
// like a node of the spec.
func TestBackwardDOTTempNames(t *testing.T) {
	a := loadSource(t, "name: n\ninputs:\n  t1: 2\nnodes:\n  t2: square(t1)\n  L: sin(t2)\n")
	dot := string(BackwardDOT(a, Options{}))
	if !strings.Contains(dot, "u₁ = ") {
		t.Errorf("the intermediate nodes are not renamed when the spec uses t1:\n%s", dot)
	}
	if tempPrefix(&graph.Graph{}) != "t" {
		t.Error("the default prefix is not t")
	}
}
