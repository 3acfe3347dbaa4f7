package render

import (
	"fmt"

	"github.com/chainviz/chainviz/backward"
)

// Drawing is a set of the drawings RenderFiles makes of each spec. The
// empty set means DrawDiagram.
type Drawing uint8

// The drawings, with the names of their files.
const (
	// DrawDiagram is the annotated graph: <name>.<format>.
	DrawDiagram Drawing = 1 << iota
	// DrawBackwardGraph is the gradient computation drawn as a graph
	// (BackwardDOT): <name>-backward.<format>.
	DrawBackwardGraph
	// DrawFrames are the frames of the step-by-step animation (Frames):
	// <name>-frame-01.<format>, <name>-frame-02.<format>, …
	DrawFrames
	// DrawAnimation is the same frames as one animated SVG (Animate):
	// <name>-anim.svg, whatever the formats.
	DrawAnimation
)

// output is one file of a drawing: the end of its name, after the spec's
// name, and its content.
type output struct {
	suffix string
	data   []byte
}

// check reports a *UsageError when the drawings cannot be written in the
// formats fs, or, when toFile is set, to a single file.
func (ds Drawing) check(fs []Format, toFile bool) error {
	if ds == 0 || ds == DrawDiagram {
		return nil
	}
	for _, f := range fs {
		if f == FormatJSON && ds&(DrawBackwardGraph|DrawFrames) != 0 {
			return &UsageError{"the backward graph and the frames cannot be written as json; use svg, png or dot"}
		}
	}
	if !toFile {
		return nil
	}
	switch {
	case ds&DrawFrames != 0:
		return &UsageError{"the frames are several files; give a folder with -o"}
	case ds&(ds-1) != 0:
		return &UsageError{"several drawings are several files; give a folder with -o"}
	case ds == DrawAnimation && (len(fs) != 1 || fs[0] != FormatSVG):
		return &UsageError{"the animation is an SVG file; name it .svg or give a folder with -o"}
	}
	return nil
}

// render returns the files of the drawings of a, in the formats fs, in the
// order of the Drawing constants and then of fs.
func (ds Drawing) render(a *backward.Annotated, fs []Format, opt Options, pngScale float64) ([]output, []string, error) {
	if ds == 0 {
		ds = DrawDiagram
	}
	var outs []output
	add := func(suffix string, data [][]byte) {
		for i, f := range fs {
			outs = append(outs, output{suffix + "." + string(f), data[i]})
		}
	}
	var notes []string
	if ds&DrawDiagram != 0 {
		data, n, err := renderDiagram(a, fs, opt, pngScale)
		if err != nil {
			return nil, nil, err
		}
		notes = n
		add("", data)
	}
	// The other drawings have a direction of their own to choose.
	if opt.RankDir == Auto {
		opt.RankDir = LR
	}
	if ds&DrawBackwardGraph != 0 {
		data, err := renderDOT(BackwardDOT(a, opt), fs, pngScale)
		if err != nil {
			return nil, nil, err
		}
		add("-backward", data)
	}
	if ds&(DrawFrames|DrawAnimation) == 0 {
		return outs, notes, nil
	}
	frames, err := frames(a, opt)
	if err != nil {
		return nil, nil, err
	}
	digits := max(2, len(fmt.Sprint(len(frames))))
	svgs := make([][]byte, len(frames))
	for k, fr := range frames {
		formats := fs
		if ds&DrawFrames == 0 {
			formats = []Format{FormatSVG}
		}
		data, err := renderDOT(fr.DOT, formats, pngScale)
		if err != nil {
			return nil, nil, fmt.Errorf("frame %d: %w", k+1, err)
		}
		for i, f := range formats {
			if f == FormatSVG {
				svgs[k] = data[i]
			}
		}
		if ds&DrawFrames != 0 {
			add(fmt.Sprintf("-frame-%0*d", digits, k+1), data)
		}
	}
	if ds&DrawAnimation != 0 {
		if svgs[0] == nil {
			for k, fr := range frames {
				if svgs[k], err = SVG(fr.DOT); err != nil {
					return nil, nil, fmt.Errorf("frame %d: %w", k+1, err)
				}
			}
		}
		anim, err := Animate(svgs)
		if err != nil {
			return nil, nil, err
		}
		outs = append(outs, output{"-anim.svg", anim})
	}
	return outs, notes, nil
}
