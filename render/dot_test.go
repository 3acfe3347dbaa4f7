package render

import (
	"strings"
	"testing"
)

// goldenCases are the diagrams whose DOT is kept under testdata/golden.
var goldenCases = []struct {
	file, spec string
	opt        Options
}{
	{"worked_example-full.dot", "worked_example", Options{}},
	{"worked_example-forward.dot", "worked_example", Options{View: ViewForward}},
	{"worked_example-backward.dot", "worked_example", Options{View: ViewBackward}},
	{"worked_example-tb-dark.dot", "worked_example", Options{RankDir: TB, Theme: Dark}},
	{"fanout-full.dot", "fanout", Options{}},
	{"fanout-backward.dot", "fanout", Options{View: ViewBackward}},
	{"tensor-full.dot", "tensor", Options{}},
	{"tensor-forward-p2.dot", "tensor", Options{View: ViewForward, Precision: 2}},
	{"tensor-backward.dot", "tensor", Options{View: ViewBackward}},
	{"escape-full.dot", "escape", Options{}},
	{"warned-full.dot", "warned", Options{}},
}

func TestDOTGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.file, func(t *testing.T) {
			a := loadSpec(t, c.spec)
			got := DOT(a, c.opt)
			if again := DOT(loadSpec(t, c.spec), c.opt); string(again) != string(got) {
				t.Fatal("DOT is not deterministic")
			}
			checkGolden(t, c.file, got)
		})
	}
}

// TestDOTWorkedExample checks the numbers of the note's worked example and
// how each part of the diagram is drawn, independently of the goldens.
func TestDOTWorkedExample(t *testing.T) {
	a := loadSpec(t, "worked_example")
	full := string(DOT(a, Options{}))
	for _, want := range []string{
		"∂L/∂W₁ = 72",     // The gradient the note computes.
		"∂L/∂x = 108",     //
		"<B>81</B>",       // L's value, in bold.
		"a₁ = W₁·x",       // A formula with subscripts.
		"h₁ = ReLU(z₁)",   //
		"36 × 2",          // W1's edge: upstream × local.
		"∂a₁/∂W₁ = x = 2", // The local derivative, formula and value.
		"∂h₁/∂z₁ = 1[z₁&gt;0] = 1",
		`rankdir=LR`, //
		`fontname="DejaVu Sans"`,
		"no gradient",  // y has grad: false.
		"style=dashed", // Its edge carries no gradient.
	} {
		if !strings.Contains(full, want) {
			t.Errorf("full view lacks %q", want)
		}
	}
	fwd := string(DOT(a, Options{View: ViewForward}))
	if strings.Contains(fwd, "∂L/∂") || strings.Contains(fwd, "dir=back") {
		t.Error("the forward view shows gradients")
	}
	back := string(DOT(a, Options{View: ViewBackward}))
	if n := strings.Count(back, "dir=back"); n != 10 {
		t.Errorf("the backward view has %d arrows back, want 10 (every edge but y's)", n)
	}
	if strings.Contains(back, "<B>81</B>") {
		t.Error("the backward view shows forward values in nodes")
	}
	if tb := string(DOT(a, Options{RankDir: TB})); !strings.Contains(tb, "rankdir=TB") || !strings.Contains(tb, ":p:n") {
		t.Error("rankdir TB is not applied to the graph and its wires")
	}
}

func TestDOTUpdate(t *testing.T) {
	a := loadSpec(t, "worked_example")
	if dot := string(DOT(a, Options{})); strings.Contains(dot, "←") {
		t.Error("a diagram without an update step shows one")
	}
	a.AddUpdate(0.01)
	dot := string(DOT(a, Options{}))
	// The note: W1 ← 3 − 0.01 × 72 = 2.28.
	if !strings.Contains(dot, "W₁ ← 2.28") {
		t.Error("the update of W1 is not shown")
	}
	if strings.Contains(dot, "x ←") {
		t.Error("an input is shown with an update")
	}
	if strings.Contains(string(DOT(a, Options{View: ViewForward})), "←") {
		t.Error("the forward view shows the update step")
	}
}

func TestDOTFanOut(t *testing.T) {
	a := loadSpec(t, "fanout")
	dot := string(DOT(a, Options{}))
	// x feeds p = x·y (∂p/∂x = y = 3) and q = x·3 (∂q/∂x = 3).
	if !strings.Contains(dot, "∂f/∂x = 3 + 3 = 6") {
		t.Errorf("the fan-out sum of x is missing:\n%s", dot)
	}
	if !strings.Contains(dot, "q = x·3") {
		t.Error("the anonymous constant is not shown by its value in q's formula")
	}
}

func TestDOTTensor(t *testing.T) {
	a := loadSpec(t, "tensor")
	dot := string(DOT(a, Options{}))
	for _, want := range []string{
		"input · 2×3",       // The shape in the caption.
		"param · 6×6",       //
		">⋯<", ">⋮<", ">⋱<", // V is summarised.
		">12<",          // The last column of V is kept.
		"[0.01, −0.02]", // A small vector on an edge.
		"[6×6]",         // A large one by its shape.
	} {
		if !strings.Contains(dot, want) {
			t.Errorf("tensor diagram lacks %q", want)
		}
	}
}

func TestDOTOptionsNormalized(t *testing.T) {
	a := loadSpec(t, "fanout")
	if string(DOT(a, Options{})) != string(DOT(a, Options{View: "FULL", RankDir: "lr", Theme: "Light", Precision: DefaultPrecision})) {
		t.Error("zero options and explicit defaults give different DOT")
	}
	if err := (Options{View: "sideways"}).Validate(); err == nil {
		t.Error("an unknown view is accepted")
	}
	if err := (Options{Precision: 18}).Validate(); err == nil {
		t.Error("precision 18 is accepted")
	}
}
