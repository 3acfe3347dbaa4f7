package render

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/tdewolff/canvas"
)

// svgText is one text element of an SVG: where it starts, its font and
// its content.
type svgText struct {
	X, Y, Size float64
	Anchor     string
	Bold       bool
	Text       string
}

// svgNode is a node group of Graphviz's SVG: its title, the bounding box
// of what is drawn in it and its texts.
type svgNode struct {
	Title                  string
	MinX, MinY, MaxX, MaxY float64
	Texts                  []svgText
}

// parseSVG decodes an SVG with encoding/xml, failing the test when it is
// not well-formed, and returns its node groups and all its texts.
func parseSVG(t *testing.T, svg []byte) (nodes []*svgNode, texts []svgText, elements map[string]int) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = true
	elements = map[string]int{}
	var cur *svgNode
	var inText *svgText
	inTitle := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			elements[tok.Name.Local]++
			attr := map[string]string{}
			for _, a := range tok.Attr {
				attr[a.Name.Local] = a.Value
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
					elements["attribute "+a.Name.Local]++
				}
			}
			switch tok.Name.Local {
			case "g":
				if attr["class"] == "node" {
					cur = &svgNode{MinX: 1e9, MinY: 1e9, MaxX: -1e9, MaxY: -1e9}
					nodes = append(nodes, cur)
				}
			case "title":
				inTitle = true
			case "polygon", "path", "polyline":
				if cur != nil && attr["fill"] != "none" || cur != nil && tok.Name.Local == "path" {
					cur.extend(attr["points"] + " " + attr["d"])
				}
			case "text":
				x, _ := strconv.ParseFloat(attr["x"], 64)
				y, _ := strconv.ParseFloat(attr["y"], 64)
				size, _ := strconv.ParseFloat(attr["font-size"], 64)
				inText = &svgText{X: x, Y: y, Size: size, Anchor: attr["text-anchor"], Bold: attr["font-weight"] == "bold"}
			}
		case xml.CharData:
			switch {
			case inText != nil:
				inText.Text += string(tok)
			case inTitle && cur != nil:
				cur.Title += string(tok)
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "title":
				inTitle = false
			case "text":
				texts = append(texts, *inText)
				if cur != nil {
					cur.Texts = append(cur.Texts, *inText)
				}
				inText = nil
			case "g":
				cur = nil
			}
		}
	}
	return nodes, texts, elements
}

// mmPerPt is the length of a point in millimetres, canvas' unit.
const mmPerPt = 25.4 / 72

var number = regexp.MustCompile(`-?[0-9.]+`)

// extend grows the node's box by the coordinates of a polygon or path.
func (n *svgNode) extend(coords string) {
	nums := number.FindAllString(coords, -1)
	for i := 0; i+1 < len(nums); i += 2 {
		x, _ := strconv.ParseFloat(nums[i], 64)
		y, _ := strconv.ParseFloat(nums[i+1], 64)
		n.MinX, n.MaxX = min(n.MinX, x), max(n.MaxX, x)
		n.MinY, n.MaxY = min(n.MinY, y), max(n.MaxY, y)
	}
}

func renderSVG(t *testing.T, a *backward.Annotated, opt Options) []byte {
	t.Helper()
	svg, err := SVG(DOT(a, opt))
	if err != nil {
		t.Fatal(err)
	}
	return svg
}

// TestSVGShowsValuesAndGradients checks, for every golden case, that the SVG
// is well-formed and shows each node's value and gradient as text.
func TestSVGShowsValuesAndGradients(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.file, func(t *testing.T) {
			a := loadSpec(t, c.spec)
			opt := c.opt.normalized()
			svg := renderSVG(t, a, opt)
			_, texts, _ := parseSVG(t, svg)
			all := map[string]bool{}
			for _, tx := range texts {
				all[tx.Text] = true
			}
			out := prettyName(a.Graph.Output.Name)
			for _, n := range a.Graph.Nodes {
				name := prettyName(n.Name)
				if !isAnonymous(n) && !all[name] {
					t.Errorf("node %s: no text %q", n.Name, name)
				}
				if opt.View != ViewBackward && !isAnonymous(n) {
					for _, v := range shownElements(n.Value, opt.Precision) {
						if !all[v] {
							t.Errorf("node %s: value %q not shown", n.Name, v)
						}
					}
				}
				g := a.Grads[n.ID]
				if opt.View == ViewForward || g == nil {
					continue
				}
				if g.IsScalar() {
					want := "∂" + out + "/∂" + name + " ="
					found := false
					for tx := range all {
						if strings.HasPrefix(tx, want) && strings.HasSuffix(tx, " "+formatNumber(g.Item(), opt.Precision)) {
							found = true
						}
					}
					if !found {
						t.Errorf("node %s: no text %q…%s", n.Name, want, formatNumber(g.Item(), opt.Precision))
					}
					continue
				}
				for _, v := range shownElements(g, opt.Precision) {
					if !all[v] {
						t.Errorf("node %s: gradient element %q not shown", n.Name, v)
					}
				}
			}
		})
	}
}

// shownElements returns the numbers of a tensor that a node shows.
func shownElements(t *graph.Tensor, p int) []string {
	var out []string
	for _, r := range cells(t, p, nodeRows, nodeCols) {
		out = append(out, r...)
	}
	return out
}

func TestSVGDeterministic(t *testing.T) {
	a := loadSpec(t, "tensor")
	dot := DOT(a, Options{})
	first, err := SVG(dot)
	if err != nil {
		t.Fatal(err)
	}
	// Renders from several goroutines are serialized and give the same
	// bytes, also across instance renewals.
	var wg sync.WaitGroup
	errs := make([]error, 2*rendersPerInstance)
	outs := make([][]byte, len(errs))
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = SVG(dot)
		}()
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("render %d: %v", i, errs[i])
		}
		if !bytes.Equal(outs[i], first) {
			t.Fatalf("render %d differs from the first", i)
		}
	}
}

func TestSVGErrors(t *testing.T) {
	if _, err := SVG([]byte("digraph { a -> }")); err == nil {
		t.Error("a DOT syntax error gives no error")
	}
	if _, err := SVG([]byte(`digraph { a [shape=plain, label=<<TABLE><TR><TD>x</TD></TR>>] }`)); err == nil {
		t.Error("a malformed HTML label gives no error")
	}
	if _, err := runGraphviz([]byte("digraph { a }"), "pdf"); err == nil {
		t.Error("a format outside the allowlist is passed to Graphviz")
	}
	// Graphviz still works after the errors.
	if _, err := SVG(DOT(loadSpec(t, "fanout"), Options{})); err != nil {
		t.Errorf("after errors: %v", err)
	}
}

// TestSVGEscaping checks that markup in a spec comes out as text: the
// title's <script> is text, not an element, and no attribute handler is
// created.
func TestSVGEscaping(t *testing.T) {
	a := loadSpec(t, "escape")
	dot := string(DOT(a, Options{}))
	if strings.Contains(dot, "<script") || strings.Contains(dot, "<svg") || strings.Contains(dot, "<i>") {
		t.Error("DOT contains markup from the spec")
	}
	svg := renderSVG(t, a, Options{})
	_, texts, elements := parseSVG(t, svg)
	for _, bad := range []string{"script", "i", "b", "foreignObject", "iframe", "attribute onload"} {
		if elements[bad] > 0 {
			t.Errorf("SVG has a <%s> element", bad)
		}
	}
	if elements["svg"] != 1 {
		t.Errorf("SVG has %d svg elements", elements["svg"])
	}
	want := []string{
		`<script>alert('x')</script> & "quotes" \N \G <b>bold</b>`,
		"line two with <i>html</i> & ]]> entities &amp; \\l",
		"<svg onload=alert(1)>",
		`  output · <script>evil()</script>"q" & {}[]|\`,
	}
	for _, w := range want {
		found := false
		for _, tx := range texts {
			if strings.ReplaceAll(tx.Text, "\u00a0", " ") == w {
				found = true
			}
		}
		if !found {
			t.Errorf("no text %q in the SVG", w)
		}
	}
}

// TestSVGBoxesFit measures every text of every node with DejaVu Sans, the
// font the PNG is drawn with, and checks that it lies inside the node's
// box: Graphviz sizes boxes with its own estimate of text widths.
func TestSVGBoxesFit(t *testing.T) {
	regular, bold := canvas.NewFontFamily("r"), canvas.NewFontFamily("b")
	if err := regular.LoadFont(dejavusans.TTF, 0, canvas.FontRegular); err != nil {
		t.Fatal(err)
	}
	if err := bold.LoadFont(dejavusansbold.TTF, 0, canvas.FontRegular); err != nil {
		t.Fatal(err)
	}
	for _, c := range goldenCases {
		t.Run(c.file, func(t *testing.T) {
			nodes, _, _ := parseSVG(t, renderSVG(t, loadSpec(t, c.spec), c.opt))
			for _, n := range nodes {
				if !strings.HasPrefix(n.Title, "n") {
					continue // Wires have no box.
				}
				for _, tx := range n.Texts {
					fam := regular
					if tx.Bold {
						fam = bold
					}
					w := fam.Face(tx.Size).TextWidth(tx.Text) / mmPerPt
					x0 := tx.X
					if tx.Anchor == "middle" {
						x0 -= w / 2
					}
					if x0 < n.MinX-0.5 || x0+w > n.MaxX+0.5 {
						t.Errorf("node %s: text %q spans x %.1f to %.1f, outside the box %.1f to %.1f",
							n.Title, tx.Text, x0, x0+w, n.MinX, n.MaxX)
					}
				}
			}
		})
	}
}
