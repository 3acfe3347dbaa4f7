package render

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/chainviz/chainviz/backward"
)

// Format is a kind of output file.
type Format string

// The output formats, named by their file extensions.
const (
	FormatSVG  Format = "svg"
	FormatPNG  Format = "png"
	FormatDOT  Format = "dot"
	FormatJSON Format = "json"
	FormatPDF  Format = "pdf"
)

// formats lists every format in the order files are written.
var formats = []Format{FormatSVG, FormatPNG, FormatDOT, FormatJSON, FormatPDF}

// ParseFormat returns the format named s ("svg", "png", "dot" or "json", in
// any case).
func ParseFormat(s string) (Format, error) {
	return parseEnum(strings.ToLower(strings.TrimSpace(s)), "format", formats...)
}

// ParseFormats parses a comma-separated list of formats such as "svg,png".
// Repeated formats are kept once, in their first position.
func ParseFormats(list string) ([]Format, error) {
	var out []Format
	seen := map[Format]bool{}
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		f, err := ParseFormat(s)
		if err != nil {
			return nil, err
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no format given (want %s)", formatNames())
	}
	return out, nil
}

func formatNames() string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// Render returns a's diagram in each of the given formats, in the same
// order. The DOT text and the SVG are computed once and shared: the PNG is
// rasterized from the SVG. pngScale is the PNG's resolution in pixels per
// point (DefaultPNGScale when zero). An error leaves no partial result.
// With RankDir Auto, the diagram is laid out both ways and the drawing
// closer to a 16:9 page is kept. Notes about the result (a PNG drawn at a
// lower resolution than asked) are dropped; RenderNoted returns them.
func Render(a *backward.Annotated, fs []Format, opt Options, pngScale float64) ([][]byte, error) {
	out, _, err := RenderNoted(a, fs, opt, pngScale)
	return out, err
}

// RenderNoted is Render that also returns notes for the user about the
// result, such as a PNG that had to be drawn at a lower resolution than
// asked, with how to get a smaller drawing.
func RenderNoted(a *backward.Annotated, fs []Format, opt Options, pngScale float64) ([][]byte, []string, error) {
	if err := opt.Validate(); err != nil {
		return nil, nil, err
	}
	if err := opt.CheckGraph(a); err != nil {
		return nil, nil, err
	}
	return renderDiagram(a, fs, opt.normalized(), pngScale)
}

// renderDiagram is RenderNoted for options validated and normalized by the
// caller.
func renderDiagram(a *backward.Annotated, fs []Format, opt Options, pngScale float64) ([][]byte, []string, error) {
	out := make([][]byte, len(fs))
	var drawn []Format // The formats of the drawing, at the indices at.
	var at []int
	for i, f := range fs {
		switch f {
		case FormatDOT, FormatSVG, FormatPNG, FormatPDF:
			drawn, at = append(drawn, f), append(at, i)
		case FormatJSON:
			var buf bytes.Buffer
			if err := backward.WriteJSON(&buf, a); err != nil {
				return nil, nil, err
			}
			out[i] = buf.Bytes()
		default:
			return nil, nil, fmt.Errorf("unknown format %q (want %s)", f, formatNames())
		}
	}
	var notes []string
	if len(drawn) > 0 {
		dot, svg, err := layoutDiagram(a, opt)
		if err != nil {
			return nil, nil, err
		}
		data, n, err := rasterize(dot, svg, drawn, pngScale)
		if err != nil {
			return nil, nil, err
		}
		notes = n
		for j, i := range at {
			out[i] = data[j]
		}
	}
	return out, notes, nil
}
