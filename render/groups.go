package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// This file writes the DOT text of a diagram drawn by a plan (see fold.go):
// each group as a titled cluster, nested as the groups nest; a collapsed
// group as one box; a focus as the nodes it keeps with stubs where the
// graph goes on.

// planned writes the nodes and edges of the diagram by its plan.
func (d *diagram) planned(b *strings.Builder) {
	p := d.plan
	top := len(p.groups)
	lines := make([][]string, top+1)
	parent := make([]int, top)
	for c, kids := range p.children {
		for _, k := range kids {
			parent[k] = c
		}
	}
	scopeOf := func(n *graph.Node) int {
		if f := p.folded[n.ID]; f >= 0 {
			return parent[f]
		}
		if len(p.chain[n.ID]) > 0 {
			return p.chain[n.ID][0]
		}
		return top
	}
	var edges strings.Builder
	for _, n := range d.a.Graph.Nodes {
		if !p.visible(n) {
			continue
		}
		s := scopeOf(n)
		lines[s] = append(lines[s], fmt.Sprintf("n%d [%slabel=<%s>];", n.ID, d.tooltip(n), d.nodeLabel(n)))
		if p.shown != nil {
			d.stubs(&lines[s], &edges, n)
		}
	}
	for i := range p.groups {
		if !p.collapsed[i] {
			continue
		}
		if r := p.rolledRoll(i); r != nil {
			lines[parent[i]] = append(lines[parent[i]], fmt.Sprintf("%s [id=%q, label=<%s>];", boxID(i), "roll_"+p.groups[i].Name, d.rollLabel(r)))
		} else if ms := d.members(i); len(ms) > 0 {
			// The id lets the live page expand the box again.
			lines[parent[i]] = append(lines[parent[i]], fmt.Sprintf("%s [id=%q, label=<%s>];", boxID(i), "box_"+p.groups[i].Name, d.boxLabel(i, ms)))
		}
	}
	type crossing struct {
		from *graph.Node
		box  int
		idx  []int
	}
	var crossings []*crossing
	byKey := map[[2]int]*crossing{}
	loops := map[int]bool{}
	for i, e := range d.a.Edges {
		if p.hidden(e.From) || p.hidden(e.To) {
			continue
		}
		fb, tb := p.folded[e.From.ID], p.folded[e.To.ID]
		switch {
		case fb >= 0 && fb == tb:
			if r := p.rolledRoll(fb); r != nil && p.callIndex(r, e.From) != p.callIndex(r, e.To) {
				loops[fb] = true
			}
			continue // Inside a box.
		case tb >= 0:
			key := [2]int{e.From.ID, tb}
			c := byKey[key]
			if c == nil {
				c = &crossing{from: e.From, box: tb}
				byKey[key] = c
				crossings = append(crossings, c)
			}
			c.idx = append(c.idx, i)
			continue
		}
		// The wire sits with its consumer: so each edge of a fan-out into
		// a group has its label next to its own consumer, not in a column
		// outside the group shared by every edge of the fan-out.
		s := scopeOf(e.To)
		lines[s] = append(lines[s], d.wireNode(i))
		d.wireEdges(&edges, i, p.endpoint(e.From), nodeID(e.To))
	}
	for k, c := range crossings {
		s := parent[c.box]
		label := ""
		if r := p.rolledRoll(c.box); r != nil {
			label = d.rollCrossingLabel(c.from, r, c.idx)
		} else {
			label = d.crossingLabel(c.from, c.box, c.idx)
		}
		lines[s] = append(lines[s], fmt.Sprintf("x%d [label=<%s>];", k, label))
		color, style := d.pal.Wire, ""
		if d.a.Edges[c.idx[0]].Grad == nil && d.o.View != ViewForward {
			color, style = d.pal.NoGrad, ", style=dashed"
		}
		in, out := d.ports()
		fmt.Fprintf(&edges, "\t%s -> x%d:p:%s [arrowhead=none, color=%q%s];\n", p.endpoint(c.from), k, in, color, style)
		fmt.Fprintf(&edges, "\tx%d:p:%s -> %s [color=%q%s];\n", k, out, boxID(c.box), color, style)
	}
	for i := range p.groups {
		if r := p.rolledRoll(i); r != nil && loops[i] {
			d.loopEdge(&edges, i)
		}
	}
	d.writeScope(b, lines, top, "\t")
	b.WriteString(edges.String())
}

// writeScope writes the lines of scope s and, as clusters, the groups in
// it that are not collapsed; it reports whether it wrote anything.
func (d *diagram) writeScope(b *strings.Builder, lines [][]string, s int, indent string) bool {
	p := d.plan
	wrote := false
	for _, l := range lines[s] {
		b.WriteString(indent + l + "\n")
		wrote = true
	}
	for _, c := range p.children[s] {
		if p.collapsed[c] {
			continue
		}
		var inner strings.Builder
		if !d.writeScope(&inner, lines, c, indent+"\t") {
			continue
		}
		gr := p.groups[c]
		fmt.Fprintf(b, "%ssubgraph cluster_%d {\n", indent, c)
		// The id lets the live page collapse the group by a click.
		fmt.Fprintf(b, "%s\tid=%q;\n", indent, "group_"+gr.Name)
		fmt.Fprintf(b, "%s\tlabel=<%s>; style=\"rounded\"; color=%q; penwidth=1.2; labeljust=l; margin=10;\n",
			indent, font(bold(escapeHTML(gr.Title)), d.pal.Muted, sizeSmall+1), d.pal.PendingLine)
		b.WriteString(inner.String())
		b.WriteString(indent + "}\n")
		wrote = true
	}
	return wrote
}

// stubs writes, for a node the focus keeps, the small "… N more" nodes
// where its inputs or consumers are left out.
func (d *diagram) stubs(lines *[]string, edges *strings.Builder, n *graph.Node) {
	p := d.plan
	stub := func(id string, k int, dir string) {
		*lines = append(*lines, fmt.Sprintf("%s [label=<%s>];", id, font(escapeHTML("… "+strconv.Itoa(k)+" more "+dir), d.pal.Muted, sizeSmall)))
	}
	if k := p.stubsIn[n.ID]; k > 0 {
		stub(fmt.Sprintf("si%d", n.ID), k, plural(k, "input"))
		fmt.Fprintf(edges, "\tsi%d -> n%d [style=dashed, color=%q];\n", n.ID, n.ID, d.pal.PendingLine)
	}
	if k := p.stubsOut[n.ID]; k > 0 {
		stub(fmt.Sprintf("so%d", n.ID), k, plural(k, "consumer"))
		fmt.Fprintf(edges, "\tn%d -> so%d [style=dashed, color=%q];\n", n.ID, n.ID, d.pal.PendingLine)
	}
}

// boxOutputs returns the members of a collapsed group whose values leave
// it: those used outside it, and the graph's output.
func (d *diagram) boxOutputs(box int, ms []*graph.Node) []*graph.Node {
	var outs []*graph.Node
	for _, n := range ms {
		leaves := n == d.out
		for _, i := range d.from[n.ID] {
			leaves = leaves || d.plan.folded[d.a.Edges[i].To.ID] != box
		}
		if leaves {
			outs = append(outs, n)
		}
	}
	return outs
}

// maxBoxOutputs is the number of outputs a collapsed box lists.
const maxBoxOutputs = 4

// boxLabel returns the label of the box of the collapsed group i: its
// title, its size, and the value and gradient of each output.
func (d *diagram) boxLabel(i int, ms []*graph.Node) string {
	p := d.pal
	gr := d.plan.groups[i]
	kc := p.Kinds[styleOp]
	var b strings.Builder
	b.WriteString(`<TABLE STYLE="rounded" BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="` + kc.Border + `" BGCOLOR="` + kc.Fill + `">`)
	b.WriteString(`<TR><TD ALIGN="LEFT">` + font(bold(escapeHTML(gr.Title)), p.Text, sizeText+1) + `</TD>`)
	b.WriteString(`<TD ALIGN="RIGHT">` + font(escapeHTML(nbsp+nbsp+"collapsed · "+strconv.Itoa(len(ms))+" "+plural(len(ms), "node")), p.Muted, sizeSmall) + `</TD></TR>`)
	outs := d.boxOutputs(i, ms)
	for k, o := range outs {
		if k == maxBoxOutputs {
			b.WriteString(row(font(escapeHTML("… and "+strconv.Itoa(len(outs)-k)+" more outputs"), p.Muted, sizeSmall), "LEFT"))
			break
		}
		line := font(escapeHTML(d.name(o)+" = "), p.Text, sizeText)
		if o.Value != nil && o.Value.IsScalar() {
			line += font(bold(escapeHTML(d.num(o.Value.Item()))), p.Forward, sizeText)
		} else if o.Value != nil {
			line += font(escapeHTML(shapeText(o.Shape)+" tensor"), p.Muted, sizeSmall)
		}
		if g := d.grad(o); g != nil && g.IsScalar() && d.o.View != ViewForward {
			line += font(escapeHTML("   "+d.partial(o)+" = "+d.num(g.Item())), p.Gradient, sizeText)
		}
		b.WriteString(row(line, "LEFT"))
	}
	b.WriteString(`</TABLE>`)
	return b.String()
}

// CrossingGrad returns the gradient a collapsed drawing shows on the edge
// from x into a group: the sum of the gradients of the edges of a from x
// to the group's nodes (given by their indices in a.Edges), or nil when
// none carries one.
func CrossingGrad(a *backward.Annotated, idx []int) *graph.Tensor {
	var sum *graph.Tensor
	for _, i := range idx {
		g := a.Edges[i].Grad
		if g == nil {
			continue
		}
		if sum == nil {
			sum = &graph.Tensor{Shape: g.Shape, Data: append([]float64(nil), g.Data...)}
			continue
		}
		for k := range sum.Data {
			sum.Data[k] += g.Data[k]
		}
	}
	return sum
}

// compositeLocal returns ∂o/∂x through the collapsed group box, for the
// edges idx from x into it: the sum over the paths inside the group of the
// products of the edges' local derivatives. It is false when a local
// derivative on the way is not a scalar.
func (d *diagram) compositeLocal(o *graph.Node, box int, idx []int) (float64, bool) {
	// through holds ∂o/∂u along paths inside the group, by node ID.
	through := map[int]float64{o.ID: 1}
	ms := d.members(box)
	for k := len(ms) - 1; k >= 0; k-- {
		u := ms[k]
		if u == o {
			continue
		}
		sum := 0.0
		for _, i := range d.from[u.ID] {
			e := d.a.Edges[i]
			if d.plan.folded[e.To.ID] != box {
				continue
			}
			if t, ok := through[e.To.ID]; ok && t != 0 {
				if e.Local == nil || !e.Local.IsScalar() {
					return 0, false
				}
				sum += e.Local.Item() * t
			}
		}
		if sum != 0 {
			through[u.ID] = sum
		}
	}
	total := 0.0
	for _, i := range idx {
		e := d.a.Edges[i]
		if t, ok := through[e.To.ID]; ok && t != 0 {
			if e.Local == nil || !e.Local.IsScalar() {
				return 0, false
			}
			total += e.Local.Item() * t
		}
	}
	return total, true
}

// crossingLabel returns the label of the edge from x into the collapsed
// group box, which stands for the edges idx: the value of x, the gradient
// they carry back (their sum) and, for scalars, the composite local
// derivative of each output of the group with respect to x.
func (d *diagram) crossingLabel(x *graph.Node, box int, idx []int) string {
	e0 := d.a.Edges[idx[0]]
	var above, below []string
	level := d.labels
	if level != LabelsNone && d.o.View != ViewBackward && level != LabelsGrad || d.o.View == ViewForward && level != LabelsNone {
		above = []string{d.valueText(e0)}
	}
	sum := CrossingGrad(d.a, idx)
	if sum != nil && d.o.View != ViewForward && level != LabelsNone {
		g := d.edgeTensor(sum, d.pal.Gradient)
		if len(idx) > 1 {
			g += font(escapeHTML(" = sum of "+strconv.Itoa(len(idx))+" edges"), d.pal.Muted, sizeSmall)
		}
		below = append(below, g)
		outs := d.boxOutputs(box, d.members(box))
		if sum.IsScalar() && level != LabelsGrad {
			below = append(below, d.compositeLines(x, box, idx, sum.Item(), outs)...)
		}
	}
	return d.wireTable(above, below, d.pal.Wire)
}

// compositeLines returns the lines under the gradient of a crossing edge:
// for one output o, the product ∂L/∂o × ∂o/∂x it equals; then, in full
// labels, ∂o/∂x of each output (at most two) summed over the paths inside.
func (d *diagram) compositeLines(x *graph.Node, box int, idx []int, sum float64, outs []*graph.Node) []string {
	var lines []string
	muted := func(s string) { lines = append(lines, font(escapeHTML(s), d.pal.Muted, sizeSmall)) }
	for k, o := range outs {
		if k == 2 {
			muted("… " + strconv.Itoa(len(outs)-k) + " more outputs")
			break
		}
		loc, ok := d.compositeLocal(o, box, idx)
		if !ok {
			break
		}
		local := "∂" + d.name(o) + "/∂" + d.name(x)
		if g := d.grad(o); len(outs) == 1 && g != nil && g.IsScalar() && closeTo(g.Item()*loc, sum) {
			muted("= " + d.partialText(d.name(o)) + " × " + local + " = " + d.num(g.Item()) + " × " + d.num(loc))
		}
		if d.labels == LabelsFull {
			muted(local + " = " + d.num(loc) + ", summed over the paths inside")
		}
	}
	return lines
}

// closeTo reports whether a and b agree to about 12 significant digits.
func closeTo(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// drawnNodes returns the number of boxes the plan draws: the nodes it
// keeps and the boxes of collapsed groups.
func (d *diagram) drawnNodes() int {
	boxes := map[int]bool{}
	count := 0
	for _, n := range d.a.Graph.Nodes {
		switch {
		case d.plan != nil && d.plan.hidden(n):
		case d.plan != nil && d.plan.folded[n.ID] >= 0:
			boxes[d.plan.folded[n.ID]] = true
		default:
			count++
		}
	}
	return count + len(boxes)
}
