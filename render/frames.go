package render

import (
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// Frame is one picture of the step-by-step animation of a diagram.
type Frame struct {
	// Caption says in plain text what happens in the frame, such as
	// "δ flows from a₂ back to h₁: ∂L/∂a₂ × ∂a₂/∂h₁ = 18 × 2 = 36". The
	// frame's diagram shows it too, after the frame's number.
	Caption string
	// DOT is the frame's diagram, for SVG.
	DOT []byte
}

// TitleFrames is the number of frames that open a pass rather than compute
// a node or an edge: one before the forward pass and one, which seeds the
// gradient at the output, before the backward pass.
const TitleFrames = 2

// MaxFrames is the largest number of frames Frames makes; a larger graph is
// better explained by its diagram.
const MaxFrames = 1000

// Pass names the pass a Step belongs to.
type Pass string

// The two passes.
const (
	PassForward  Pass = "forward"
	PassBackward Pass = "backward"
)

// Step is one step of the forward and backward passes: what one frame of
// Frames computes and says, without its picture. The live page's step
// slider shows the same steps.
type Step struct {
	Pass Pass
	// Node is the ID of the node the step highlights: the node it computes
	// in the forward pass, the one the gradient flows back into in the
	// backward pass (the output in the step that seeds the gradient); −1 in
	// the title step of the forward pass.
	Node int
	// Edge is the index in a.Edges of the edge a backward step follows; −1
	// in the title steps and the forward pass. The edges into Node are
	// highlighted with it in the forward pass.
	Edge int
	// Caption says in plain text what happens in the step, such as
	// "δ flows from a₂ back to h₁: ∂L/∂a₂ × ∂a₂/∂h₁ = 18 × 2 = 36.".
	Caption string
}

// Steps returns the steps of the passes through a, in the order of Frames:
// a title step; the forward pass, one step per node in a.Graph.Nodes order;
// a title step that seeds the gradient at the output; then the backward
// pass, one step per edge, from the output back to the leaves. So there
// are len(a.Graph.Nodes) + len(a.Edges) + TitleFrames steps, each with the
// caption of its frame. Only opt.Precision changes them; unlike Frames,
// Steps draws nothing, costs time linear in the size of the graph and has
// no limit on the number of steps.
func Steps(a *backward.Annotated, opt Options) ([]Step, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	opt.View, opt.Collapse, opt.Focus, opt.Roll = ViewFull, nil, "", false
	return newDiagram(a, opt).steps(), nil
}

// steps returns the steps of Steps.
func (d *diagram) steps() []Step {
	g := d.a.Graph
	steps := make([]Step, 0, len(g.Nodes)+len(d.a.Edges)+TitleFrames)
	steps = append(steps, Step{Pass: PassForward, Node: -1, Edge: -1, Caption: d.forwardTitle()})
	for _, n := range g.Nodes {
		steps = append(steps, Step{Pass: PassForward, Node: n.ID, Edge: -1, Caption: d.nodeCaption(n)})
	}
	steps = append(steps, Step{Pass: PassBackward, Node: d.out.ID, Edge: -1, Caption: d.backwardTitle()})
	// pending counts, by node ID, the edges out of the node that have not
	// carried their gradient back yet.
	pending := make([]int, len(d.from))
	for id, edges := range d.from {
		pending[id] = len(edges)
	}
	for _, i := range backwardOrder(d.a.Edges) {
		from := d.a.Edges[i].From.ID
		pending[from]--
		steps = append(steps, Step{Pass: PassBackward, Node: from, Edge: i, Caption: d.edgeCaption(i, pending[from] == 0)})
	}
	return steps
}

// Frames returns the step-by-step animation of a's diagram: one frame per
// step of Steps, with its caption. So there are
// len(a.Graph.Nodes) + len(a.Edges) + TitleFrames frames.
//
// Every frame is the full view (opt.View is ignored) with the same layout,
// so nothing moves from one frame to the next: what is not computed yet is
// greyed out and its numbers are drawn in the colour of their background,
// and what the frame computes is highlighted. Frames is a pure function of
// its arguments, like DOT.
func Frames(a *backward.Annotated, opt Options) ([]Frame, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	return frames(a, opt)
}

// frames is Frames for options the caller has validated.
func frames(a *backward.Annotated, opt Options) ([]Frame, error) {
	g := a.Graph
	count := len(g.Nodes) + len(a.Edges) + TitleFrames
	if count > MaxFrames {
		return nil, fmt.Errorf("%s would take %d frames, more than %d; draw its diagram instead", g.Name, count, MaxFrames)
	}
	// The frames draw every node, in frames of their own; they are drawn
	// without groups' boxes or a focus.
	opt.View, opt.Collapse, opt.Focus, opt.Roll = ViewFull, nil, "", false
	d := newDiagram(a, opt)
	flowed := make([]bool, len(a.Edges))
	var steps []*frameStep
	for _, st := range d.steps() {
		var s *frameStep
		if st.Pass == PassForward {
			s = &frameStep{forward: true, cur: st.Node, known: st.Node + 1}
		} else {
			if st.Edge >= 0 {
				flowed[st.Edge] = true
			}
			s = d.backwardStep(flowed, st)
		}
		s.caption = st.Caption
		steps = append(steps, s)
	}
	// Every frame reserves room for the longest caption, so that a
	// caption wider than the graph does not widen some frames only.
	lines, runes := 0, 0
	for _, s := range steps {
		wrapped := wrapLines(s.caption, frameCaptionWidth)
		lines = max(lines, len(wrapped))
		for _, l := range wrapped {
			runes = max(runes, utf8.RuneCountInString(l))
		}
	}
	label := strconv.Itoa(len(steps)) + "/" + strconv.Itoa(len(steps))
	width := int(float64(runes+utf8.RuneCountInString(label)+2) * (sizeText + 1) * runeWidth)
	frames := make([]Frame, len(steps))
	for k, s := range steps {
		s.out, s.lines, s.width = g.Output, lines, width
		s.label = strconv.Itoa(k+1) + "/" + strconv.Itoa(len(steps))
		fd := newDiagram(a, opt)
		fd.step = s
		frames[k] = Frame{Caption: s.caption, DOT: fd.dot()}
	}
	return frames, nil
}

// frameCaptionWidth is the number of runes per line of a frame's caption;
// the frame's number goes before the first line.
const frameCaptionWidth = descWidth - 8

// runeWidth is a generous average width of a character of DejaVu Sans, in
// ems, for sizing the caption before Graphviz measures it.
const runeWidth = 0.57

// backwardOrder returns the indices of edges in the order the backward pass
// follows them: by their To node from the output back, and the edges into
// one node in argument order.
func backwardOrder(edges []backward.Edge) []int {
	order := make([]int, len(edges))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return edges[order[i]].To.ID > edges[order[j]].To.ID })
	return order
}

// frameStep is the state of one frame: which values and gradients are
// computed, and what the frame highlights. Its methods accept a nil
// receiver, which stands for the finished diagram.
type frameStep struct {
	// forward is set in the title frame and the frames of the forward
	// pass; there, the nodes with ID below known have their values.
	forward bool
	known   int
	// cur is the ID of the node the frame highlights: the node it computes
	// in the forward pass, the one the gradient flows back into in the
	// backward pass; −1 for none.
	cur int
	// flowed marks, in the backward pass, the edges that have carried
	// their gradient; edge is the one the frame follows (−1 in the title
	// frame); complete marks, by node ID, the nodes whose gradient is
	// complete.
	flowed   []bool
	edge     int
	complete []bool
	// out is the graph's output; caption says what the frame does, label
	// is the frame's number ("5/25"), and lines and width (in points) are
	// the room every frame reserves for its caption, so that the layout
	// does not move.
	out     *graph.Node
	caption string
	label   string
	lines   int
	width   int
}

// backwardStep returns the state of the frame of the backward step st,
// after the edges marked in flowed, which it copies.
func (d *diagram) backwardStep(flowed []bool, st Step) *frameStep {
	s := &frameStep{flowed: append([]bool(nil), flowed...), edge: st.Edge, cur: st.Node, complete: make([]bool, len(d.from))}
	for _, n := range d.a.Graph.Nodes {
		s.complete[n.ID] = true
		for _, i := range d.from[n.ID] {
			s.complete[n.ID] = s.complete[n.ID] && flowed[i]
		}
	}
	return s
}

// nodePalette returns the palette n is drawn with in the frame.
func (s *frameStep) nodePalette(base *palette, n *graph.Node) *palette {
	if s == nil {
		return base
	}
	p := *base
	st := styleOf(n, s.out)
	switch {
	case s.forward && n.ID >= s.known:
		p.Text, p.Muted, p.Warn = base.Pending, base.Pending, base.Pending
		p.Kinds = recolor(base.Kinds, kindColors{Fill: base.Background, Header: base.Background, Border: base.PendingLine})
		hideValues(&p, base.Background)
	case n.ID == s.cur:
		p.Kinds = recolor(base.Kinds, kindColors{Fill: base.CurrentTint, Header: base.CurrentTint, Border: base.Current})
	}
	if s.forward || !s.complete[n.ID] {
		hideGradients(&p, p.Kinds[st].Fill)
	}
	return &p
}

// edgePalette returns the palette the edge a.Edges[i] is drawn with in the
// frame.
func (s *frameStep) edgePalette(base *palette, e backward.Edge, i int) *palette {
	if s == nil {
		return base
	}
	p := *base
	switch {
	case s.forward && e.To.ID >= s.known:
		p.Wire, p.NoGrad = base.PendingLine, base.PendingLine
		hideValues(&p, base.Background)
	case s.forward && e.To.ID == s.cur, !s.forward && i == s.edge:
		p.Wire, p.NoGrad = base.Current, base.Current
	}
	if s.forward || !s.flowed[i] {
		hideGradients(&p, base.Background)
		p.Muted = base.Background
	}
	return &p
}

// wireStyle returns the extra DOT attributes of the edge a.Edges[i] in the
// frame: a wider line for what the frame follows.
func (s *frameStep) wireStyle(e backward.Edge, i int) string {
	if s != nil && (s.forward && e.To.ID == s.cur || !s.forward && i == s.edge) {
		return ", penwidth=2.6"
	}
	return ""
}

// captionRows returns the frame's caption as rows of the graph label: its
// number, then its text, padded to the same number of lines in every frame.
func (s *frameStep) captionRows(d *diagram) string {
	lines := wrapLines(s.caption, frameCaptionWidth)
	var b strings.Builder
	for k := 0; k < max(s.lines, 1); k++ {
		if k == 0 {
			b.WriteString(`<TR><TD ALIGN="LEFT" WIDTH="` + strconv.Itoa(s.width) + `">`)
		} else {
			b.WriteString(`<TR><TD ALIGN="LEFT">`)
		}
		text := nbsp
		if k < len(lines) {
			text = escapeHTML(lines[k])
		}
		if k == 0 {
			text = font(bold(escapeHTML(s.label)), d.pal.Current, sizeText+1) + font(escapeHTML(nbsp+nbsp)+text, d.pal.Text, sizeText+1)
		} else {
			text = font(text, d.pal.Text, sizeText+1)
		}
		b.WriteString(text + `</TD></TR>`)
	}
	return b.String()
}

// recolor returns kinds with every node style drawn in the colours c.
func recolor(kinds map[nodeStyle]kindColors, c kindColors) map[nodeStyle]kindColors {
	out := maps.Clone(kinds)
	for st := range out {
		out[st] = c
	}
	return out
}

// hideValues draws forward values in the colour of their background.
func hideValues(p *palette, bg string) { p.Forward, p.ForwardTint = bg, bg }

// hideGradients draws gradients and updated params in the colour of their
// background.
func hideGradients(p *palette, bg string) { p.Gradient, p.GradientTint, p.Update = bg, bg, bg }
