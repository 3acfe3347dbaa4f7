package render

import (
	"fmt"
	"strings"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// An edge is drawn as two DOT edges through a small "wire" node in between,
// as cs231n draws its circuits: the wire node is a table whose middle cell
// is a thin line of the edge's colour, with the forward value above it and
// the gradient below it, and the two halves of the edge attach to that
// line's ends. So the numbers sit on the wire, on either side of it,
// wherever Graphviz routes the edge.
//
// The line cell must have a non-zero width and height: Graphviz 12 (as
// WebAssembly) corrupts its memory laying out two or more tables with an
// empty cell of zero size, and then renders nothing.

// edge writes the wire node and the two DOT edges of a.Edges[i].
func (d *diagram) edge(b *strings.Builder, i int) {
	b.WriteString("\t" + d.wireNode(i) + "\n")
	d.wireEdges(b, i, nodeID(d.a.Edges[i].From), nodeID(d.a.Edges[i].To))
}

// wireColor returns the colour and extra DOT style of the edge a.Edges[i].
func (d *diagram) wireColor(i int) (color, style string) {
	e := d.a.Edges[i]
	color = d.pal.Wire
	flows := e.Grad != nil
	switch {
	case !flows && d.o.View != ViewForward:
		color, style = d.pal.NoGrad, ", style=dashed"
	case d.o.View == ViewBackward:
		color = d.pal.Gradient
	}
	return color, style + d.step.wireStyle(e, i)
}

// ports returns the sides of a wire's line the two halves of an edge
// attach to.
func (d *diagram) ports() (in, out string) {
	if d.o.RankDir == TB {
		return "n", "s"
	}
	return "w", "e"
}

// wireNode returns the DOT statement of the wire node of a.Edges[i].
func (d *diagram) wireNode(i int) string {
	color, _ := d.wireColor(i)
	return fmt.Sprintf("e%d [label=<%s>];", i, d.wireLabel(d.a.Edges[i], color))
}

// wireEdges writes the two halves of a.Edges[i], from the DOT node from to
// the wire and from the wire to the DOT node to. The half into a consumer
// of a fan-out is kept short (a heavy weight pulls the wire next to its
// consumer), so that each label sits at its own edge rather than in a
// column shared by every edge of the fan-out.
func (d *diagram) wireEdges(b *strings.Builder, i int, from, to string) {
	e := d.a.Edges[i]
	color, style := d.wireColor(i)
	in, out := d.ports()
	// The first half carries no arrowhead; in the backward view it carries
	// the arrow back into From, so the picture reads from the output to the
	// leaves while the layout keeps the forward order.
	first, second := "arrowhead=none, ", ""
	if d.o.View == ViewBackward {
		if e.Grad != nil {
			first = "dir=back, "
		}
		second = "arrowhead=none, "
	}
	if len(d.from[e.From.ID]) > 1 {
		second += "weight=4, "
	}
	fmt.Fprintf(b, "\t%s -> e%d:p:%s [%scolor=%q%s];\n", from, i, in, first, color, style)
	fmt.Fprintf(b, "\te%d:p:%s -> %s [%scolor=%q%s];\n", i, out, to, second, color, style)
}

// wireLabel returns the HTML-like label of an edge's wire node: the line
// itself as a port cell, with the texts the view and the label policy show
// on either side.
func (d *diagram) wireLabel(e backward.Edge, color string) string {
	var above, below []string
	level := d.labels
	switch d.o.View {
	case ViewForward:
		above = []string{d.valueText(e)}
	case ViewBackward:
		if e.Grad != nil {
			above = []string{d.gradText(e, level)}
			below = d.localText(e)
		}
	default:
		if level != LabelsGrad {
			above = []string{d.valueText(e)}
		}
		if e.Grad != nil {
			below = append([]string{d.gradText(e, level)}, d.localText(e)...)
		}
	}
	switch level {
	case LabelsNone:
		above, below = nil, nil
	case LabelsGrad, LabelsNoLocal:
		if len(below) > 1 {
			below = below[:1]
		}
		if d.o.View == ViewBackward {
			below = nil
		}
	}
	return d.wireTable(above, below, color)
}

// wireTable lays out a wire node: the line as a port cell of the given
// colour, with the texts above and below it (left and right of it in TB).
func (d *diagram) wireTable(above, below []string, color string) string {
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">`)
	if d.o.RankDir == TB {
		// The wire runs downwards: texts left and right of it.
		b.WriteString(`<TR><TD ALIGN="RIGHT" BALIGN="RIGHT">` + strings.Join(above, "<BR/>") + `</TD>`)
		b.WriteString(`<TD PORT="p" WIDTH="1" HEIGHT="8" CELLPADDING="0" BGCOLOR="` + color + `"></TD>`)
		b.WriteString(`<TD ALIGN="LEFT" BALIGN="LEFT">` + strings.Join(below, "<BR/>") + `</TD></TR>`)
	} else {
		b.WriteString(`<TR><TD>` + strings.Join(above, "<BR/>") + `</TD></TR>`)
		b.WriteString(`<TR><TD PORT="p" HEIGHT="1" WIDTH="8" CELLPADDING="0" BGCOLOR="` + color + `"></TD></TR>`)
		b.WriteString(`<TR><TD>` + strings.Join(below, "<BR/>") + `</TD></TR>`)
	}
	b.WriteString(`</TABLE>`)
	return b.String()
}

// edgeTensor writes a value carried by an edge in a few short lines, each
// in bold and the given colour.
func (d *diagram) edgeTensor(t *graph.Tensor, color string) string {
	lines := tensorLines(t, d.o.Precision)
	for i, l := range lines {
		lines[i] = font(bold(escapeHTML(l)), color, sizeEdge)
	}
	return strings.Join(lines, "<BR/>")
}

// valueText returns the forward value an edge carries, in green.
func (d *diagram) valueText(e backward.Edge) string {
	if e.From.Value == nil {
		return ""
	}
	return d.edgeTensor(e.From.Value, d.pal.Forward)
}

// gradText returns the gradient an edge carries back, in red, followed for
// scalars by the product it comes from, upstream × local, unless the label
// policy shows the gradient only.
func (d *diagram) gradText(e backward.Edge, level EdgeLabels) string {
	s := d.edgeTensor(e.Grad, d.pal.Gradient)
	if level != LabelsGrad && e.Grad.IsScalar() && e.Upstream != nil && e.Upstream.IsScalar() && e.Local != nil && e.Local.IsScalar() {
		s += font(escapeHTML(" = "+d.num(e.Upstream.Item())+" × "+d.num(e.Local.Item())), d.pal.Muted, sizeSmall)
	}
	return s
}

// localText returns the local derivative ∂to/∂from of an edge with its
// formula and, for scalars, its value, in small muted text.
func (d *diagram) localText(e backward.Edge) []string {
	s := "∂" + d.name(e.To) + "/∂" + d.name(e.From)
	expr := prettyExpr(e.LocalExpr, d.consts)
	if expr != "" {
		s += " = " + expr
	}
	if e.Local != nil && e.Local.IsScalar() {
		if v := d.num(e.Local.Item()); v != expr {
			s += " = " + v
		}
	}
	return []string{font(escapeHTML(s), d.pal.Muted, sizeSmall)}
}
