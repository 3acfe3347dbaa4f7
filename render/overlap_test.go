package render

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	tdfont "github.com/tdewolff/font"
)

// This file holds a reusable checker that no two text labels of an SVG
// overlap. Each <text>'s box is computed from its position, its anchor and
// the advance widths of the embedded DejaVu Sans (bold where the text is
// bold); its height spans the font's ink, 0.76 em above the baseline and
// 0.24 em below.

// textBox is the box of one <text> of an SVG, in SVG units.
type textBox struct {
	text                   string
	x0, y0, x1, y1         float64
	line                   int
	size                   float64
	anchor, weight, family string
}

var textElem = regexp.MustCompile(`<text([^>]*)>([^<]*)</text>`)
var svgTextAttr = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)

// advanceFonts holds the embedded fonts the boxes are measured with.
type advanceFonts struct{ regular, bold *tdfont.SFNT }

func loadAdvanceFonts(t testing.TB) advanceFonts {
	t.Helper()
	r, err := tdfont.ParseSFNT(dejavusans.TTF, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tdfont.ParseSFNT(dejavusansbold.TTF, 0)
	if err != nil {
		t.Fatal(err)
	}
	return advanceFonts{r, b}
}

// width returns the advance width of s at size in the regular or bold
// font.
func (f advanceFonts) width(s string, size float64, bold bool) float64 {
	font := f.regular
	if bold {
		font = f.bold
	}
	units := 0.0
	for _, r := range s {
		units += float64(font.GlyphAdvance(font.GlyphIndex(r)))
	}
	return units * size / float64(font.Head.UnitsPerEm)
}

// textBoxes returns the box of every non-blank <text> of svg.
func textBoxes(f advanceFonts, svg []byte) []textBox {
	var out []textBox
	for _, m := range textElem.FindAllSubmatchIndex(svg, -1) {
		attrs := map[string]string{}
		for _, a := range svgTextAttr.FindAllSubmatch(svg[m[2]:m[3]], -1) {
			attrs[string(a[1])] = string(a[2])
		}
		text := html.UnescapeString(string(svg[m[4]:m[5]]))
		blank := true
		for _, r := range text {
			if r != ' ' && r != '\u00a0' {
				blank = false
			}
		}
		if blank {
			continue
		}
		x, _ := strconv.ParseFloat(attrs["x"], 64)
		y, _ := strconv.ParseFloat(attrs["y"], 64)
		size, _ := strconv.ParseFloat(attrs["font-size"], 64)
		w := f.width(text, size, attrs["font-weight"] == "bold")
		x0 := x
		switch attrs["text-anchor"] {
		case "middle":
			x0 = x - w/2
		case "end":
			x0 = x - w
		}
		line := 1
		for _, c := range svg[:m[0]] {
			if c == '\n' {
				line++
			}
		}
		out = append(out, textBox{text: text, x0: x0, x1: x0 + w, y0: y - 0.76*size, y1: y + 0.24*size, line: line, size: size,
			anchor: attrs["text-anchor"], weight: attrs["font-weight"]})
	}
	return out
}

// overlapTolerance is how far, in points, two boxes may run into each
// other before they count as overlapping: Graphviz rounds positions to
// tenths of a point and sizes text with its own width tables.
const overlapTolerance = 0.75

// textOverlaps returns a description of every pair of text boxes of svg
// that overlap by more than overlapTolerance in both directions.
func textOverlaps(f advanceFonts, svg []byte) []string {
	boxes := textBoxes(f, svg)
	sort.Slice(boxes, func(i, j int) bool { return boxes[i].x0 < boxes[j].x0 })
	var out []string
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			if b.x0 >= a.x1-overlapTolerance {
				break
			}
			dx := min(a.x1, b.x1) - max(a.x0, b.x0)
			dy := min(a.y1, b.y1) - max(a.y0, b.y0)
			if dx > overlapTolerance && dy > overlapTolerance {
				out = append(out, fmt.Sprintf("%q (line %d) and %q (line %d) overlap by %.1f × %.1f pt", a.text, a.line, b.text, b.line, dx, dy))
			}
		}
	}
	return out
}

// TestNoTextOverlapInOut runs the checker over every SVG in out/.
func TestNoTextOverlapInOut(t *testing.T) {
	f := loadAdvanceFonts(t)
	files, _ := filepath.Glob(filepath.Join("..", "out", "*.svg"))
	if len(files) == 0 {
		t.Fatal("no SVG in out/")
	}
	for _, file := range files {
		svg, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(file) == "worked_example-anim.svg" {
			continue // Frames stacked on one another, shown one at a time.
		}
		for _, o := range textOverlaps(f, svg) {
			t.Errorf("%s: %s", file, o)
		}
	}
}

// TestOverlapCheckerFindsOverlaps makes sure the checker can fail: two
// texts at one place overlap, two apart do not, and widths follow the
// font.
func TestOverlapCheckerFindsOverlaps(t *testing.T) {
	f := loadAdvanceFonts(t)
	text := func(x, y float64, anchor, s string) string {
		return fmt.Sprintf(`<text text-anchor="%s" x="%g" y="%g" font-family="DejaVu Sans" font-size="12.00">%s</text>`, anchor, x, y, s)
	}
	svg := []byte(text(0, 0, "start", "∂L/∂x = 1.5") + "\n" + text(40, 0, "middle", "0.25"))
	if len(textOverlaps(f, svg)) != 1 {
		t.Errorf("overlapping texts not found: %v", textBoxes(f, svg))
	}
	svg = []byte(text(0, 0, "start", "abc") + "\n" + text(0, 15, "start", "abc") + "\n" + text(100, 0, "end", "abc"))
	if o := textOverlaps(f, svg); len(o) != 0 {
		t.Errorf("separate texts reported: %v", o)
	}
	if w, wide := f.width("i", 12, false), f.width("W", 12, false); !(w > 2 && wide > 2*w) {
		t.Errorf("advance widths look wrong: i %.2f, W %.2f", w, wide)
	}
}
