package render

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// decodePNG renders a's full view to PNG at the default scale and decodes
// it, returning the image with its SVG.
func decodePNG(t *testing.T, svg []byte) image.Image {
	t.Helper()
	data, err := PNG(svg, 0)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	return img
}

// rgb parses #rrggbb.
func rgb(hex string) color.RGBA {
	v, _ := strconv.ParseUint(hex[1:], 16, 32)
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// near reports whether c is within tol of want in every channel.
func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) bool { return math.Abs(float64(int(x>>8)-int(y))) <= float64(tol) }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// graphTranslate matches the translation Graphviz applies to all drawing.
var graphTranslate = regexp.MustCompile(`class="graph" transform="scale\(1 1\) rotate\(0\) translate\(([0-9.]+) ([0-9.]+)\)"`)

// toPixel maps SVG coordinates of a drawing to pixels of its PNG.
func toPixel(t *testing.T, svg []byte, x, y float64) (int, int) {
	m := graphTranslate.FindSubmatch(svg)
	if m == nil {
		t.Fatal("no graph transform in the SVG")
	}
	tx, _ := strconv.ParseFloat(string(m[1]), 64)
	ty, _ := strconv.ParseFloat(string(m[2]), 64)
	return int(math.Round((x + tx) * DefaultPNGScale)), int(math.Round((y + ty) * DefaultPNGScale))
}

// findNear reports whether a pixel within r pixels of (px, py) has a colour
// near want.
func findNear(img image.Image, px, py, r int, want color.RGBA) bool {
	for y := py - r; y <= py+r; y++ {
		for x := px - r; x <= px+r; x++ {
			if near(img.At(x, y), want, 40) {
				return true
			}
		}
	}
	return false
}

var edgePath = regexp.MustCompile(`(?s)<g id="edge\d+" class="edge">\s*<title>n0&#45;&gt;e0[^<]*</title>\s*<path fill="none" stroke="#[0-9a-f]+" [^>]*d="M([0-9.-]+),([0-9.-]+)C([0-9.,\s-]+)"`)

// TestPNGOneEdge rasterizes a graph of two nodes and one edge and probes
// the pixels where the SVG draws the edge's line and the nodes' outlines.
func TestPNGOneEdge(t *testing.T) {
	a := loadSource(t, "name: one\ninputs:\n  x: 2\nnodes:\n  y: neg(x)\n")
	svg := renderSVG(t, a, Options{})
	img := decodePNG(t, svg)

	widthPt, _ := svgWidth(svg)
	if got, want := img.Bounds().Dx(), int(math.Round(widthPt*DefaultPNGScale)); abs(got-want) > 1 {
		t.Errorf("PNG is %d pixels wide, want %d (%.0fpt at %d pixels per point)", got, want, widthPt, DefaultPNGScale)
	}

	// The middle of the edge from x to its wire.
	m := edgePath.FindSubmatch(svg)
	if m == nil {
		t.Fatalf("no edge from x to its wire in the SVG:\n%s", svg)
	}
	nums := number.FindAllString(string(m[3]), -1)
	x0, _ := strconv.ParseFloat(string(m[1]), 64)
	y0, _ := strconv.ParseFloat(string(m[2]), 64)
	x1, _ := strconv.ParseFloat(nums[len(nums)-2], 64)
	y1, _ := strconv.ParseFloat(nums[len(nums)-1], 64)
	px, py := toPixel(t, svg, (x0+x1)/2, (y0+y1)/2)
	if !findNear(img, px, py, 3, rgb(lightPalette.Wire)) {
		t.Errorf("no edge line near pixel (%d, %d)", px, py)
	}

	// The left outline of each node, halfway down.
	nodes, _, _ := parseSVG(t, svg)
	for _, n := range nodes {
		style := map[string]nodeStyle{"n0": styleInput, "n1": styleOutput}
		st, ok := style[n.Title]
		if !ok {
			continue
		}
		px, py := toPixel(t, svg, n.MinX, (n.MinY+n.MaxY)/2)
		if !findNear(img, px, py, 3, rgb(lightPalette.Kinds[st].Border)) {
			t.Errorf("node %s: no outline near pixel (%d, %d)", n.Title, px, py)
		}
	}

	// Away from the drawing the background is white.
	if c := img.At(1, img.Bounds().Dy()-2); !near(c, rgb(lightPalette.Background), 2) {
		t.Errorf("background is %v, want white", c)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestPNGCoverage checks that the worked example's PNG is not blank: enough
// pixels are dark (text, lines), green (values) and red (gradients), in
// both themes.
func TestPNGCoverage(t *testing.T) {
	a := loadSpec(t, "worked_example")
	for _, theme := range []Theme{Light, Dark} {
		p := paletteOf(theme)
		img := decodePNG(t, renderSVG(t, a, Options{Theme: theme}))
		b := img.Bounds()
		if c := img.At(b.Max.X-1, b.Max.Y-1); !near(c, rgb(p.Background), 2) {
			t.Errorf("%s theme: the corner is %v, want the background %s", theme, c, p.Background)
		}
		var text, green, red int
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := img.At(x, y)
				switch {
				case near(c, rgb(p.Text), 60):
					text++
				case near(c, rgb(p.Forward), 50):
					green++
				case near(c, rgb(p.Gradient), 50):
					red++
				}
			}
		}
		total := b.Dx() * b.Dy()
		// Measured on the worked example: about 0.5% text, 0.11% green
		// and 0.26% red pixels; the thresholds are a third of that.
		if text*600 < total || green*2700 < total || red*1150 < total {
			t.Errorf("%s theme: %d text, %d green, %d red pixels of %d: the picture is nearly blank",
				theme, text, green, red, total)
		}
		t.Logf("%s theme: %.2f%% text, %.2f%% green, %.2f%% red", theme,
			100*float64(text)/float64(total), 100*float64(green)/float64(total), 100*float64(red)/float64(total))
	}
}

func TestPNGErrors(t *testing.T) {
	if _, err := PNG([]byte("not an svg"), 0); err == nil {
		t.Error("PNG of a non-SVG gives no error")
	}
	if _, err := PNG([]byte(`<svg width="10pt" height="10pt" viewBox="0 0 10 10"><text font-family="No Such Font" x="1" y="5">x</text></svg>`), 1); err != nil {
		t.Errorf("an unknown font family: %v (it should fall back to DejaVu Sans)", err)
	}
}

// TestEncodePNG checks the PNG encoder on a tiny image: pixels decode as
// they were drawn, and transparent ones are composed over the background.
func TestEncodePNG(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.SetRGBA(0, 0, color.RGBA{10, 20, 30, 255})
	img.SetRGBA(1, 0, color.RGBA{0, 0, 0, 0})         // Transparent.
	img.SetRGBA(2, 0, color.RGBA{100, 0, 0, 128})     // Half red, premultiplied.
	img.SetRGBA(0, 1, color.RGBA{200, 200, 200, 255}) // Differs from the row above.
	var buf bytes.Buffer
	if err := encodePNG(&buf, img, color.RGBA{0, 0, 254, 255}); err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		x, y int
		want color.RGBA
	}{
		{0, 0, color.RGBA{10, 20, 30, 255}},
		{1, 0, color.RGBA{0, 0, 254, 255}},
		{2, 0, color.RGBA{100, 0, 126, 255}},
		{0, 1, color.RGBA{200, 200, 200, 255}},
		{1, 1, color.RGBA{0, 0, 254, 255}},
	} {
		if !near(got.At(c.x, c.y), c.want, 1) {
			t.Errorf("pixel (%d, %d) = %v, want %v", c.x, c.y, got.At(c.x, c.y), c.want)
		}
	}
}

// TestFallbackRuns checks that text with Hangul, which DejaVu Sans lacks,
// is split into runs drawn in the fallback font, one after the other.
func TestFallbackRuns(t *testing.T) {
	in := `<text text-anchor="start" x="9" y="-1" font-family="DejaVu Sans" font-size="11.00" fill="#000">note &quot;실전 예제&quot; end</text>`
	out := string(withFallbackRuns([]byte(in)))
	m := textElement.FindAllStringSubmatch(out, -1)
	if len(m) != 3 {
		t.Fatalf("got %d text elements, want 3:\n%s", len(m), out)
	}
	wantText := []string{"note &#34;", "실전 예제", "&#34; end"}
	wantFamily := []string{fontName, fallbackFamily, fontName}
	lastX := 0.0
	for i, el := range m {
		if el[2] != wantText[i] || !strings.Contains(el[1], `font-family="`+wantFamily[i]+`"`) {
			t.Errorf("run %d: %s, want text %q in %s", i, el[0], wantText[i], wantFamily[i])
		}
		x, _ := strconv.ParseFloat(textAttr.FindAllStringSubmatch(el[1], -1)[1][2], 64)
		if x <= lastX {
			t.Errorf("run %d starts at x %v, not after the previous run (%v)", i, x, lastX)
		}
		lastX = x
	}
	if plain := `<text x="1" font-size="11.00">ascii only ∂</text>`; string(withFallbackRuns([]byte(plain))) != plain {
		t.Error("text that DejaVu Sans covers was changed")
	}
}
