package render

import (
	"strconv"
	"strings"

	"github.com/chainviz/chainviz/graph"
)

// nbsp is a no-break space; Graphviz keeps it at the start of a cell.
const nbsp = "\u00a0"

// Largest tensor extent shown in full in a node; larger ones are elided.
const (
	nodeRows = 4
	nodeCols = 4
)

// nodeLabel returns the HTML-like label of n: a header with its name and
// op, the formula it computes, its value and its gradient, as the view
// asks for.
func (d *diagram) nodeLabel(n *graph.Node) string {
	p := d.pal
	st := styleOf(n, d.out)
	kc := p.Kinds[st]
	var b strings.Builder
	b.WriteString(`<TABLE STYLE="`)
	b.WriteString(tableStyle(st))
	mark, border, width := d.warnStyle(n, kc.Border, borderWidth(st))
	b.WriteString(`" BORDER="`)
	b.WriteString(width)
	b.WriteString(`" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="` + border + `" BGCOLOR="` + kc.Fill + `">`)

	// The header: name on the left (after the marker of a warning), op or
	// kind (and shape) on the right.
	b.WriteString(`<TR><TD ALIGN="LEFT">`)
	b.WriteString(mark + font(bold(escapeHTML(d.name(n))), p.Text, sizeText+1))
	b.WriteString(`</TD><TD ALIGN="RIGHT">`)
	b.WriteString(font(escapeHTML(nbsp+nbsp+d.kindCaption(n)), p.Muted, sizeSmall))
	b.WriteString(`</TD></TR>`)

	if d.compact && d.compactRow(&b, n) {
		b.WriteString(`</TABLE>`)
		return b.String()
	}
	if n.Op != nil {
		b.WriteString(row(font(escapeHTML(d.formula(n)), p.Text, sizeText), "LEFT"))
	}
	if d.o.View != ViewBackward && !isAnonymous(n) && n.Value != nil {
		b.WriteString(row(d.tensorHTML(n.Value, p.Forward, p.ForwardTint, sizeText+1, true), ""))
	}
	if d.o.View != ViewForward && !isAnonymous(n) {
		b.WriteString(d.gradRows(n))
		b.WriteString(d.updateRows(n))
	}
	b.WriteString(`</TABLE>`)
	return b.String()
}

// compactRow writes the one row of a compact node, its value in green and
// its gradient in red on one line, and reports whether it did: only scalar
// nodes are drawn compact. The formula is left out, as the edges into the
// node show what it is computed from.
func (d *diagram) compactRow(b *strings.Builder, n *graph.Node) bool {
	p := d.pal
	if n.Value == nil || !n.Value.IsScalar() || isAnonymous(n) || d.step != nil {
		return false
	}
	var parts []string
	if d.o.View != ViewBackward {
		parts = append(parts, font(bold(escapeHTML(d.num(n.Value.Item()))), p.Forward, sizeText))
	}
	if d.o.View != ViewForward {
		if g := d.grad(n); g != nil && g.IsScalar() {
			parts = append(parts, font(escapeHTML("∂ "+d.num(g.Item())), p.Gradient, sizeText))
		}
	}
	b.WriteString(row(strings.Join(parts, font(nbsp+nbsp+nbsp, p.Text, sizeText)), ""))
	return true
}

// tableStyle returns the TABLE STYLE of a node style: constants are dashed.
func tableStyle(st nodeStyle) string {
	if st == styleConst {
		return "rounded,dashed"
	}
	return "rounded"
}

// borderWidth returns the TABLE BORDER of a node style: the output stands
// out with a thicker border.
func borderWidth(st nodeStyle) string {
	if st == styleOutput {
		return "3"
	}
	return "1"
}

// kindCaption returns the small text in a node's header: the spec's label,
// else the op name or the leaf's kind, followed by the shape of a tensor.
func (d *diagram) kindCaption(n *graph.Node) string {
	c := n.Label()
	switch {
	case c != "":
	case n.Op != nil:
		c = n.Op.Name
	case n.Kind == graph.KindConst:
		c = "constant"
	default:
		c = n.Kind.String()
	}
	switch {
	case n == d.out:
		c = "output · " + c
	case n.Op != nil && n.Op.Loss:
		c = "loss · " + c
	}
	if n.NoGrad && n.Kind == graph.KindInput {
		c += " · no grad"
	}
	if len(n.Shape) > 0 {
		c += " · " + headerShape(n.Shape)
	}
	return c
}

// formula returns "z1 = a1 + b1" for an op node, with display names.
func (d *diagram) formula(n *graph.Node) string {
	ins := make([]string, len(n.Inputs))
	for i, in := range n.Inputs {
		ins[i] = d.rawName(in)
	}
	rhs := n.Op.Name + "(" + strings.Join(ins, ", ") + ")"
	if n.Op.Formula != nil {
		rhs = n.Op.Formula(n, ins)
	}
	return d.name(n) + " = " + prettyExpr(rhs, d.consts)
}

// gradRows returns the gradient rows of a node: ∂L/∂x = g, with the
// fan-out sum written out when several scalar edges contribute; for a
// tensor, ∂L/∂x over a panel of its elements; or a note that the node has
// no gradient.
func (d *diagram) gradRows(n *graph.Node) string {
	p := d.pal
	g := d.grad(n)
	if g == nil {
		return row(font("no gradient", p.Muted, sizeSmall), "")
	}
	lhs := d.partial(n) + " ="
	if g.IsScalar() {
		// One span for the whole line: Graphviz over-estimates the width
		// of ∂, and a second span on the line would be pushed away from
		// the first.
		return row(font(lhs+escapeHTML(d.fanOutSum(n)+" "+d.num(g.Item())), p.Gradient, sizeText+1), "")
	}
	if k := len(d.from[n.ID]); k > 1 {
		lhs += " sum of " + strconv.Itoa(k) + " edges"
	}
	return row(font(lhs, p.Gradient, sizeText), "LEFT") +
		row(d.tensorHTML(g, p.Gradient, p.GradientTint, sizeText, false), "")
}

// updateRows returns, for a param after backward.Annotated.AddUpdate, its
// value after one step of gradient descent: W₁ ← 2.28.
func (d *diagram) updateRows(n *graph.Node) string {
	if n.ID >= len(d.a.Updated) || d.a.Updated[n.ID] == nil {
		return ""
	}
	p, u := d.pal, d.a.Updated[n.ID]
	lhs := escapeHTML(d.name(n) + " ←")
	if u.IsScalar() {
		return row(font(lhs+" "+escapeHTML(d.num(u.Item())), p.Update, sizeText), "")
	}
	return row(font(lhs, p.Update, sizeText), "LEFT") + row(d.tensorHTML(u, p.Update, p.Background, sizeText, false), "")
}

// row returns a table row of one cell spanning a node's two columns, with
// the given alignment (centred when empty).
func row(html, align string) string {
	if align != "" {
		return `<TR><TD COLSPAN="2" ALIGN="` + align + `">` + html + `</TD></TR>`
	}
	return `<TR><TD COLSPAN="2">` + html + `</TD></TR>`
}

// fanOutSum returns " 2 + 3 =" when n's gradient is the sum of several
// scalar edge gradients, and "" otherwise.
func (d *diagram) fanOutSum(n *graph.Node) string {
	idx := d.from[n.ID]
	if len(idx) < 2 {
		return ""
	}
	var b strings.Builder
	for k, i := range idx {
		g := d.a.Edges[i].Grad
		if g == nil || !g.IsScalar() {
			return ""
		}
		if k == maxFanTerms-1 && len(idx) > maxFanTerms {
			b.WriteString(" + … (" + strconv.Itoa(len(idx)) + " terms)")
			break
		}
		v := g.Item()
		switch {
		case k == 0:
			b.WriteString(" " + d.num(v))
		case v < 0:
			b.WriteString(" " + minus + " " + d.num(-v))
		default:
			b.WriteString(" + " + d.num(v))
		}
	}
	return b.String() + " ="
}

// tensorHTML returns a tensor as HTML: a scalar as its number, a vector or
// matrix as a grid of numbers on a tinted panel, elided beyond
// nodeRows×nodeCols. (Graphviz stretches a nested table to the width of its
// cell, so brackets around the grid would drift apart; a panel may stretch.)
func (d *diagram) tensorHTML(t *graph.Tensor, color, tint string, size float64, strong bool) string {
	if t.IsScalar() {
		s := escapeHTML(d.num(t.Item()))
		if strong {
			s = bold(s)
		}
		return font(s, color, size)
	}
	rows := cells(t, d.o.Precision, nodeRows, nodeCols)
	var b strings.Builder
	b.WriteString(`<TABLE STYLE="rounded" BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" BGCOLOR="` + tint + `">`)
	for _, r := range rows {
		b.WriteString(`<TR>`)
		for _, c := range r {
			b.WriteString(`<TD ALIGN="RIGHT">` + font(escapeHTML(c), color, size-1) + `</TD>`)
		}
		b.WriteString(`</TR>`)
	}
	b.WriteString(`</TABLE>`)
	return b.String()
}
