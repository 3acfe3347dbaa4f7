package render

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// FrameSeconds is how long the animated SVG shows each frame.
const FrameSeconds = 2

// Animate combines SVGs made by SVG, such as those of Frames, into one
// self-contained animated SVG that shows them in turn, each for
// FrameSeconds, and starts over after the last. It needs no script: each
// frame is a group that a CSS animation shows during its slot of the cycle.
// Viewers without CSS animations, and readers who ask for reduced motion,
// see the last frame. The ids of each frame are prefixed with its number,
// so that they stay unique. The result is deterministic.
func Animate(svgs [][]byte) ([]byte, error) {
	if len(svgs) == 0 {
		return nil, errors.New("animate: no frames")
	}
	type frame struct {
		w, h     float64
		viewBox  string
		contents []byte
	}
	frames := make([]frame, len(svgs))
	var width, height float64
	for k, svg := range svgs {
		m := svgStart.FindSubmatchIndex(svg)
		end := bytes.LastIndex(svg, []byte("</svg>"))
		if m == nil || end < m[1] {
			return nil, fmt.Errorf("animate: frame %d is not an SVG made by Graphviz", k+1)
		}
		vb := string(svg[m[2]:m[3]])
		var x, y, w, h float64
		if _, err := fmt.Sscanf(vb, "%g %g %g %g", &x, &y, &w, &h); err != nil || w <= 0 || h <= 0 {
			return nil, fmt.Errorf("animate: frame %d has a bad viewBox %q", k+1, vb)
		}
		prefix := "f" + strconv.Itoa(k+1) + "-"
		frames[k] = frame{w: w, h: h, viewBox: vb, contents: prefixIDs(svg[m[1]:end], prefix)}
		width, height = max(width, w), max(height, h)
	}
	n := len(frames)
	bg := background(svgs[0])
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="no"?>` + "\n")
	fmt.Fprintf(&b, `<svg width="%spt" height="%spt" viewBox="0 0 %s %s" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">`+"\n",
		svgNum(width), svgNum(height), svgNum(width), svgNum(height))
	b.WriteString("<style>\n")
	fmt.Fprintf(&b, ".cv-frame { opacity: 0; animation: cv-show %ds step-end infinite; }\n", n*FrameSeconds)
	b.WriteString(".cv-last { opacity: 1; }\n")
	fmt.Fprintf(&b, "@keyframes cv-show { 0%% { opacity: 1; } %s%% { opacity: 0; } }\n", svgNum(100/float64(n)))
	b.WriteString("@media (prefers-reduced-motion: reduce) { .cv-frame { animation: none; } }\n")
	b.WriteString("</style>\n")
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#%02x%02x%02x"/>`+"\n", bg.R, bg.G, bg.B)
	for k, f := range frames {
		class := "cv-frame"
		if k == n-1 {
			class += " cv-last"
		}
		// A negative delay starts every animation at once, each at the
		// point of the cycle that shows frame k during [k, k+1)·FrameSeconds.
		fmt.Fprintf(&b, `<g id="frame%d" class="%s" style="animation-delay: %ds">`+"\n", k+1, class, (k-n)*FrameSeconds)
		fmt.Fprintf(&b, `<svg width="%s" height="%s" viewBox="%s">`, svgNum(f.w), svgNum(f.h), f.viewBox)
		b.Write(f.contents)
		b.WriteString("</svg>\n</g>\n")
	}
	b.WriteString("</svg>\n")
	return b.Bytes(), nil
}

// svgStart matches the start tag of Graphviz's svg element and captures its
// viewBox.
var svgStart = regexp.MustCompile(`<svg\b[^>]*\bviewBox="([^"]*)"[^>]*>`)

// idRefs matches an id and the two ways SVG refers to one.
var idRefs = regexp.MustCompile(`\bid="|url\(#|href="#`)

// prefixIDs returns svg with every id, and every reference to one, prefixed.
func prefixIDs(svg []byte, prefix string) []byte {
	return idRefs.ReplaceAllFunc(svg, func(m []byte) []byte {
		return append(append([]byte(nil), m...), prefix...)
	})
}

// svgNum formats a length for SVG.
func svgNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
