package render

import (
	"bytes"
	"testing"
)

// TestSVGKeepsSpacesBetweenRuns checks that every text element of the SVG
// keeps its white space, so that a browser shows "red gradient" rather than
// "redgradient" where Graphviz splits a label into runs.
func TestSVGKeepsSpacesBetweenRuns(t *testing.T) {
	svg, err := SVG([]byte(`digraph { n [fontname="DejaVu Sans" label=<<B>red</B> gradient>] }`))
	if err != nil {
		t.Fatal(err)
	}
	texts := bytes.Count(svg, []byte("<text "))
	kept := bytes.Count(svg, []byte(`<text xml:space="preserve" `))
	if texts < 2 || kept != texts {
		t.Fatalf("%d of %d text elements keep their spaces:\n%s", kept, texts, svg)
	}
	if !bytes.Contains(svg, []byte("> gradient</text>")) {
		t.Errorf("the second run lost its leading space:\n%s", svg)
	}
}
