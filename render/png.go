package render

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"regexp"
	"strconv"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/rasterizer"
)

// DefaultPNGScale is the PNG resolution in pixels per SVG point when
// PNG is given zero: twice the 72 points per inch of the SVG, which keeps
// small text legible on high-density screens.
const DefaultPNGScale = 2

// Bounds on the size of a PNG: larger diagrams are drawn at a lower
// resolution rather than taking gigabytes of memory, and PNG says so (see
// pngNoted). maxSide keeps a PNG usable as a figure: viewers, browsers and
// documents scale larger images down anyway.
const (
	maxPixels = 64e6
	maxSide   = 8000
)

// svgRoot matches the width of Graphviz's svg element, in points.
var svgRoot = regexp.MustCompile(`<svg width="([0-9.]+)pt"`)

// graphBackground matches the polygon Graphviz fills with the graph's
// background colour, the first one drawn.
var graphBackground = regexp.MustCompile(`class="graph"[^>]*>\s*(?:<title>[^<]*</title>\s*)?<polygon fill="(#[0-9a-fA-F]{6})"`)

// background returns the background colour of a Graphviz SVG, or white.
func background(svg []byte) color.RGBA {
	m := graphBackground.FindSubmatch(svg)
	if m == nil {
		return color.RGBA{255, 255, 255, 255}
	}
	v, _ := strconv.ParseUint(string(m[1][1:]), 16, 32)
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// svgHeight matches the height of Graphviz's svg element, in points.
var svgHeight = regexp.MustCompile(`<svg width="[0-9.]+pt" height="([0-9.]+)pt"`)

// svgSize returns the width and height of a Graphviz SVG in points.
func svgSize(svg []byte) (w, h float64, ok bool) {
	w, ok = svgWidth(svg)
	m := svgHeight.FindSubmatch(svg)
	if !ok || m == nil {
		return 0, 0, false
	}
	h, err := strconv.ParseFloat(string(m[1]), 64)
	return w, h, err == nil && h > 0
}

// svgWidth returns the width of a Graphviz SVG in points.
func svgWidth(svg []byte) (float64, bool) {
	m := svgRoot.FindSubmatch(svg)
	if m == nil {
		return 0, false
	}
	w, err := strconv.ParseFloat(string(m[1]), 64)
	return w, err == nil && w > 0
}

// PNG rasterizes an SVG made by SVG into a PNG with scale pixels per point
// (DefaultPNGScale when zero), drawing text with the embedded DejaVu Sans
// fonts. It never panics.
func PNG(svg []byte, scale float64) ([]byte, error) {
	out, _, err := pngNoted(svg, scale)
	return out, err
}

// pngNoted is PNG that also returns a note, for the user, when the drawing
// is too large for the PNG at the scale asked and was drawn at a lower
// resolution: how large it is, and how to get a smaller one.
func pngNoted(svg []byte, scale float64) (out []byte, note string, err error) {
	if scale <= 0 {
		scale = DefaultPNGScale
	}
	if err := setupFonts(); err != nil {
		return nil, "", err
	}
	defer func() {
		if r := recover(); r != nil {
			out, note, err = nil, "", fmt.Errorf("png: rasterizing: %v", r)
		}
	}()
	c, err := canvas.ParseSVG(bytes.NewReader(withFallbackRuns(rasterFriendly(svg))))
	if err != nil {
		return nil, "", fmt.Errorf("png: reading SVG: %w", err)
	}
	// canvas reads Graphviz's point sizes in its own units; the resolution
	// is chosen so that one point of the SVG becomes scale pixels.
	widthPt, ok := svgWidth(svg)
	if !ok || c.W <= 0 {
		return nil, "", fmt.Errorf("png: SVG has no width")
	}
	dpmm := widthPt * scale / c.W
	asked := dpmm
	if w, h := c.W*dpmm, c.H*dpmm; w*h > maxPixels {
		dpmm *= math.Sqrt(maxPixels / (w * h))
	}
	if side := max(c.W, c.H) * dpmm; side > maxSide {
		dpmm *= maxSide / side
	}
	if dpmm < asked {
		heightPt := widthPt * c.H / c.W
		got := scale * dpmm / asked
		note = fmt.Sprintf("the drawing is %.0f × %.0f pt; at %s px/pt its PNG would be %.0f × %.0f px, more than the limit of %d px a side or %d megapixels, "+
			"so the PNG is drawn at %s px/pt (%.0f × %.0f px)", widthPt, heightPt, formatNumber(scale, 3), widthPt*scale, heightPt*scale,
			maxSide, int(maxPixels/1e6), formatNumber(got, 3), widthPt*got, heightPt*got)
		if got < 1 {
			note += ", where small text is hard to read"
		}
		note += "; for a smaller drawing, fold groups with --collapse all or NAME, draw one neighbourhood with --focus NODE, " +
			"shorten labels with --edge-labels grad, or ask for fewer pixels with --scale 1; the SVG has every detail"
	}
	img := rasterizer.Draw(c, canvas.DPMM(dpmm), canvas.DefaultColorSpace)
	var buf bytes.Buffer
	if err := encodePNG(&buf, img, background(svg)); err != nil {
		return nil, "", fmt.Errorf("png: encoding: %w", err)
	}
	return buf.Bytes(), note, nil
}

// fontAttrs matches the font attributes of Graphviz's text elements: the
// family and, when bold, the weight.
var fontAttrs = regexp.MustCompile(`font-family="[^"]*"( font-weight="bold")?`)

// rasterFriendly rewrites what canvas.ParseSVG would misread in Graphviz's
// SVG. It ignores font-weight, so bold text is given the bold family; and
// it fails on a family it cannot find, so every family becomes DejaVu Sans,
// the only font the PNG embeds.
func rasterFriendly(svg []byte) []byte {
	return fontAttrs.ReplaceAllFunc(svg, func(m []byte) []byte {
		if bytes.HasSuffix(m, []byte(`font-weight="bold"`)) {
			return []byte(`font-family="` + boldFamily + `"`)
		}
		return []byte(`font-family="` + fontName + `"`)
	})
}
