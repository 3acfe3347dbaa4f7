package render

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// nodeLines returns the DOT statement of each node nN of a diagram, by N.
func nodeLines(dot []byte) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\t(n\d+) \[.*$`).FindAllSubmatch(dot, -1) {
		out[string(m[1])] = string(m[0])
	}
	return out
}

func TestWarningMarkers(t *testing.T) {
	a := loadSpec(t, "warned")
	dot := DOT(a, Options{})
	lines := nodeLines(dot)
	// x, w (zero gradients), h (ReLU at 0) and side (does not reach the
	// output) have warnings; z, f and the constant have none.
	for _, name := range []string{"x", "w", "h", "side"} {
		n := a.Graph.Node(name)
		line := lines["n"+strconv.Itoa(n.ID)]
		if !strings.Contains(line, warnMark) || !strings.Contains(line, `COLOR="`+lightPalette.Warn+`"`) {
			t.Errorf("node %s has no warning marker: %s", name, line)
		}
		if !strings.Contains(line, "tooltip=") {
			t.Errorf("node %s has no tooltip", name)
		}
	}
	if line := lines["n"+strconv.Itoa(a.Graph.Node("h").ID)]; !strings.Contains(line, "is evaluated at 0") {
		t.Errorf("h's tooltip lacks its warning: %s", line)
	}
	for _, name := range []string{"z", "f"} {
		if line := lines["n"+strconv.Itoa(a.Graph.Node(name).ID)]; strings.Contains(line, warnMark) || strings.Contains(line, "tooltip=") {
			t.Errorf("node %s is marked without a warning: %s", name, line)
		}
	}
	// Every warning is also a footnote of the caption, read in a PNG too
	// (a kind with at most three warnings is not summarised).
	caption := string(dot[:strings.Index(string(dot), "\tnode [")])
	for _, w := range a.Warnings {
		if !strings.Contains(caption, escapeHTML(warnMark + " " + w.Summary)[:40]) {
			t.Errorf("the caption lacks the footnote %q", w.Summary)
		}
	}
	// Graphviz keeps the tooltip in the SVG, where viewers show it.
	svg, err := SVG(dot)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), `xlink:title="⚠ h = ReLU(z) is evaluated at 0`) {
		t.Error("the SVG has no tooltip for h")
	}
}

func TestNoWarningNoMarker(t *testing.T) {
	if dot := string(DOT(loadSpec(t, "worked_example"), Options{})); strings.Contains(dot, warnMark) || strings.Contains(dot, "tooltip") {
		t.Error("a graph without warnings has a marker")
	}
}
