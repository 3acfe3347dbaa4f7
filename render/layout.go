package render

import (
	"fmt"
	"math"

	"github.com/chainviz/chainviz/backward"
)

// This file is the middle stage of the pipeline: DOT text in (dot.go and
// the files it uses write it, as a pure function of the graph and the
// options), laid out by Graphviz into SVG (svg.go) and rasterized into PNG
// (png.go). The last stage, writing the files of a batch, is batch.go and
// write.go; formats.go ties the three together for one graph.

// layoutDiagram returns the DOT text of a's diagram and its SVG. With
// RankDir Auto it lays the diagram out left to right and top to bottom and
// keeps the drawing whose aspect ratio is closer to a 16:9 page.
func layoutDiagram(a *backward.Annotated, opt Options) (dot, svg []byte, err error) {
	if opt.RankDir != Auto {
		dot = DOT(a, opt)
		svg, err = SVG(dot)
		return dot, svg, err
	}
	best := math.Inf(1)
	for _, rd := range []RankDir{LR, TB} {
		opt.RankDir = rd
		d := DOT(a, opt)
		s, err := SVG(d)
		if err != nil {
			return nil, nil, err
		}
		w, h, ok := svgSize(s)
		if !ok {
			return nil, nil, fmt.Errorf("graphviz: the SVG has no size")
		}
		if miss := math.Abs(math.Log(w / h / (16.0 / 9))); miss < best {
			best, dot, svg = miss, d, s
		}
	}
	return dot, svg, nil
}

// renderDOT returns a drawing given as DOT text in each of the formats dot,
// svg and png, laying it out once.
func renderDOT(dot []byte, fs []Format, pngScale float64) ([][]byte, error) {
	var svg []byte
	for _, f := range fs {
		if f == FormatSVG || f == FormatPNG || f == FormatPDF {
			var err error
			if svg, err = SVG(dot); err != nil {
				return nil, err
			}
			break
		}
	}
	out, _, err := rasterize(dot, svg, fs, pngScale)
	return out, err
}

// rasterize returns a drawing, given as its DOT text and SVG (which may be
// nil when no format needs it), in each of the formats dot, svg, png and
// pdf.
func rasterize(dot, svg []byte, fs []Format, pngScale float64) ([][]byte, []string, error) {
	out := make([][]byte, len(fs))
	var notes []string
	for i, f := range fs {
		switch f {
		case FormatDOT:
			out[i] = dot
		case FormatSVG:
			out[i] = svg
		case FormatPNG:
			png, note, err := pngNoted(svg, pngScale)
			if err != nil {
				return nil, nil, err
			}
			out[i] = png
			if note != "" {
				notes = append(notes, note)
			}
		case FormatPDF:
			pdf, err := PDF(svg)
			if err != nil {
				return nil, nil, err
			}
			out[i] = pdf
		default:
			return nil, nil, fmt.Errorf("format %q is not a drawing (want svg, png, pdf or dot)", f)
		}
	}
	return out, notes, nil
}
