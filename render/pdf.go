package render

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"
)

// mmPerPoint converts the SVG's points (1/72 inch) into canvas's millimetres.
const mmPerPoint = 25.4 / 72

// pdfCreationDate matches the creation date canvas's PDF writer stamps from
// the clock; it is blanked so that the same spec gives the same bytes.
var pdfCreationDate = regexp.MustCompile(`/CreationDate ?\([^)]*\)`)

// PDF converts an SVG made by SVG into a vector PDF of one page at the
// drawing's natural size (one SVG point is one PDF point), with the same
// embedded fonts and colours as the PNG. It never panics.
func PDF(svg []byte) (out []byte, err error) {
	if err := setupFonts(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("pdf: drawing: %v", r)
		}
	}()
	c, err := canvas.ParseSVG(bytes.NewReader(withFallbackRuns(rasterFriendly(svg))))
	if err != nil {
		return nil, fmt.Errorf("pdf: reading SVG: %w", err)
	}
	// canvas reads Graphviz's point sizes as pixels of 96 per inch: without
	// this scale the page would be 96/72·25.4/… ≈ 3.8 times too large.
	widthPt, ok := svgWidth(svg)
	if !ok || c.W <= 0 {
		return nil, fmt.Errorf("pdf: SVG has no width")
	}
	scale := widthPt * mmPerPoint / c.W
	var buf bytes.Buffer
	p := pdf.New(&buf, c.W*scale, c.H*scale, nil)
	c.RenderViewTo(p, canvas.Identity.Scale(scale, scale))
	if err := p.Close(); err != nil {
		return nil, fmt.Errorf("pdf: writing: %w", err)
	}
	// Spaces keep every byte offset of the cross-reference table right;
	// the fonts' dates are made constant after.
	data := pdfCreationDate.ReplaceAllFunc(buf.Bytes(), func(m []byte) []byte {
		return bytes.Repeat([]byte(" "), len(m))
	})
	return reproduciblePDF(data)
}
