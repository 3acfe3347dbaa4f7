package render

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// The backward graph is the computation the backward pass built to get
// every gradient: the derivative rules build ordinary graph nodes (a.Tape),
// so the gradient computation is a computation graph of the same ops, with
// values, and is drawn as one. Its inputs are the forward values it reads
// and a few constants; its results are the gradients ∂L/∂x.

// BackwardDOT returns the DOT text of a's backward graph: every node of
// a.Tape on which a gradient in a.GradNodes depends, the forward nodes those
// read (drawn green, as values from the forward pass) and the constants
// (small and dashed). A node that computes the gradient of one or more
// nodes of the graph is named after the one nearest the output (∂L/∂z₂) and
// shows the gradient of each (∂L/∂z₂ = ∂L/∂b₂ = 18); the gradients of leaves
// are drawn with a thick border. The other nodes are named t₁, t₂, … in the
// order the backward pass built them. Options.View is ignored. Like DOT,
// it is a pure function of its arguments (it records a's tape when that
// was not done yet, which changes no value).
func BackwardDOT(a *backward.Annotated, opt Options) []byte {
	// Annotate ran the same pass with the same values, so recording it
	// cannot fail; if it did, the drawing would show no gradient nodes.
	_ = a.RecordTape()
	opt.Collapse, opt.Focus, opt.Roll = nil, "", false
	d := newDiagram(a, opt)
	tape, reads := backwardNodes(a)
	d.nameTape(tape)
	var b strings.Builder
	g := a.Graph
	title := g.Title
	if strings.TrimSpace(title) == "" {
		title = g.Name
	}
	desc := "The computation the backward pass builds to get every gradient, drawn as a graph of the same ops: " +
		"green nodes are values read from the forward pass, dashed ones constants, and each gradient " +
		d.partialText("x") + " is one node's value."
	d.header(&b, d.captionTable("Backward graph of "+title, d.textRows(desc, d.pal.Muted, sizeSmall+1), d.backLegend()))
	for _, n := range reads {
		fmt.Fprintf(&b, "\tn%d [label=<%s>];\n", n.ID, d.readLabel(n))
	}
	for _, n := range tape {
		fmt.Fprintf(&b, "\tn%d [label=<%s>];\n", n.ID, d.tapeLabel(n))
	}
	onTape := map[*graph.Node]bool{}
	for _, n := range tape {
		onTape[n] = true
	}
	for _, n := range tape {
		for _, in := range n.Inputs {
			color := d.pal.Wire
			if !onTape[in] && in.Kind != graph.KindConst {
				color = d.pal.Forward
			}
			fmt.Fprintf(&b, "\tn%d -> n%d [color=%q];\n", in.ID, n.ID, color)
		}
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

// backwardNodes returns the nodes of a.Tape on which a gradient depends, and
// the other nodes they read (nodes of the forward graph), each in ID order.
func backwardNodes(a *backward.Annotated) (tape, reads []*graph.Node) {
	onTape := map[*graph.Node]bool{}
	for _, n := range a.Tape {
		onTape[n] = true
	}
	seen := map[*graph.Node]bool{}
	var stack []*graph.Node
	for _, gn := range a.GradNodes {
		if gn != nil && !seen[gn] {
			seen[gn] = true
			stack = append(stack, gn)
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !onTape[n] {
			reads = append(reads, n)
			continue
		}
		tape = append(tape, n)
		for _, in := range n.Inputs {
			if !seen[in] {
				seen[in] = true
				stack = append(stack, in)
			}
		}
	}
	sortByID(tape)
	sortByID(reads)
	return tape, reads
}

// sortByID sorts nodes by ID, which is the order in which they were
// created.
func sortByID(ns []*graph.Node) {
	slices.SortFunc(ns, func(x, y *graph.Node) int { return x.ID - y.ID })
}

// nameTape names the nodes of the backward graph, for their headers and for
// the formulas of the nodes that read them: the gradient of a graph node is
// ∂L/∂ followed by that node's name (the node nearest the output when it is
// the gradient of several), a scalar constant is its value, and any other
// node is t1, t2, … in creation order. It also records, in d.aliases, whose
// gradient each node is.
func (d *diagram) nameTape(tape []*graph.Node) {
	size := len(d.names)
	for _, n := range tape {
		size = max(size, n.ID+1)
	}
	d.names = append(d.names, make([]string, size-len(d.names))...)
	d.raw = make([]string, size)
	d.aliases = make([][]*graph.Node, size)
	for _, f := range d.a.Graph.Nodes {
		if f.ID < len(d.a.GradNodes) {
			if gn := d.a.GradNodes[f.ID]; gn != nil && gn.ID < size {
				d.aliases[gn.ID] = append(d.aliases[gn.ID], f)
			}
		}
	}
	prefix := tempPrefix(d.a.Graph)
	temps := 0
	for _, n := range tape {
		var raw string
		switch al := d.aliases[n.ID]; {
		case n.Kind == graph.KindConst && n.Value.IsScalar():
			// Builder.Const makes one node per value, so the seed 1 of
			// the backward pass may also be the 1 of 1 − tanh²: a
			// constant is named by its value even when it is ∂L/∂L.
			raw = d.num(n.Value.Item())
		case len(al) > 0:
			raw = "∂" + d.out.Name + "/∂" + al[len(al)-1].Name
		default:
			temps++
			raw = prefix + strconv.Itoa(temps)
		}
		d.raw[n.ID] = raw
		d.names[n.ID] = prettyExpr(raw, d.consts)
	}
}

// tempPrefix returns the letter the intermediate nodes of the backward
// graph are numbered after: t, unless a node of the graph is already named
// like t1, then the first free one of a few others.
func tempPrefix(g *graph.Graph) string {
	for _, p := range []string{"t", "u", "v", "w", "s"} {
		re := regexp.MustCompile(`^` + p + `_?[0-9]+$`)
		free := true
		for _, n := range g.Nodes {
			free = free && !re.MatchString(n.Name)
		}
		if free {
			return p
		}
	}
	return "tmp_t"
}

// readLabel returns the label of a forward node that the backward graph
// reads: its name, kind and value, on the green of forward values.
func (d *diagram) readLabel(n *graph.Node) string {
	if n.Kind == graph.KindConst {
		return d.constLabel(n)
	}
	p := d.pal
	var b strings.Builder
	b.WriteString(`<TABLE STYLE="rounded" BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="` + p.Forward + `" BGCOLOR="` + p.ForwardTint + `">`)
	b.WriteString(d.headerRow(n, "forward · "+d.kindCaption(n)))
	b.WriteString(row(d.tensorHTML(n.Value, p.Forward, p.Background, sizeText+1, true), ""))
	b.WriteString(`</TABLE>`)
	return b.String()
}

// constLabel returns the label of a constant: a small dashed box with its
// value (∂L/∂L = 1 for the seed of the backward pass).
func (d *diagram) constLabel(n *graph.Node) string {
	p := d.pal
	kc := p.Kinds[styleConst]
	var b strings.Builder
	b.WriteString(`<TABLE STYLE="rounded,dashed" BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" COLOR="` + kc.Border + `" BGCOLOR="` + kc.Fill + `">`)
	if d.isGradient(n) {
		b.WriteString(d.gradientRows(n))
	} else {
		b.WriteString(row(d.tensorHTML(n.Value, p.Text, p.Background, sizeText, true), ""))
	}
	b.WriteString(`</TABLE>`)
	return b.String()
}

// tapeLabel returns the label of a node the backward pass built: its name
// and op, its formula and its value, which for the gradient of graph nodes
// is written ∂L/∂x = 72.
func (d *diagram) tapeLabel(n *graph.Node) string {
	if n.Op == nil {
		return d.constLabel(n)
	}
	p := d.pal
	st := styleOp
	if d.isLeafGradient(n) {
		st = styleOutput
	}
	kc := p.Kinds[st]
	var b strings.Builder
	b.WriteString(`<TABLE STYLE="rounded" BORDER="` + borderWidth(st) + `" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="` + kc.Border + `" BGCOLOR="` + kc.Fill + `">`)
	caption := n.Op.Name
	if len(n.Shape) > 0 {
		caption += " · " + headerShape(n.Shape)
	}
	b.WriteString(d.headerRow(n, caption))
	b.WriteString(row(font(escapeHTML(d.formula(n)), p.Text, sizeText), "LEFT"))
	if d.isGradient(n) {
		b.WriteString(d.gradientRows(n))
	} else {
		b.WriteString(row(d.tensorHTML(n.Value, p.Text, p.Kinds[styleConst].Fill, sizeText+1, true), ""))
	}
	b.WriteString(`</TABLE>`)
	return b.String()
}

// headerRow returns the header of a node's label: its name in bold on the
// left and a caption on the right, as nodeLabel draws it.
func (d *diagram) headerRow(n *graph.Node, caption string) string {
	return `<TR><TD ALIGN="LEFT">` + font(bold(escapeHTML(d.name(n))), d.pal.Text, sizeText+1) +
		`</TD><TD ALIGN="RIGHT">` + font(escapeHTML(nbsp+nbsp+caption), d.pal.Muted, sizeSmall) + `</TD></TR>`
}

// gradientRows returns the value of a node that is the gradient of graph
// nodes, as gradRows draws a gradient: ∂L/∂z₁ = ∂L/∂a₁ = 36, the node
// nearest the output first, or the same over a panel for a tensor.
func (d *diagram) gradientRows(n *graph.Node) string {
	p := d.pal
	al := d.aliases[n.ID]
	parts := make([]string, len(al))
	for i, f := range al {
		parts[len(al)-1-i] = d.partialText(d.name(f))
	}
	lhs := escapeHTML(strings.Join(parts, " = ") + " =")
	if n.Value.IsScalar() {
		return row(font(lhs+" "+escapeHTML(d.num(n.Value.Item())), p.Gradient, sizeText+1), "")
	}
	return row(font(lhs, p.Gradient, sizeText), "LEFT") + row(d.tensorHTML(n.Value, p.Gradient, p.GradientTint, sizeText, false), "")
}

// isGradient reports whether n computes the gradient of a graph node.
func (d *diagram) isGradient(n *graph.Node) bool {
	return n.ID < len(d.aliases) && len(d.aliases[n.ID]) > 0
}

// isLeafGradient reports whether n computes the gradient of a leaf: a
// result of the backward graph.
func (d *diagram) isLeafGradient(n *graph.Node) bool {
	if !d.isGradient(n) {
		return false
	}
	for _, f := range d.aliases[n.ID] {
		if f.IsLeaf() {
			return true
		}
	}
	return false
}

// backLegend returns the legend of the backward graph.
func (d *diagram) backLegend() string {
	p := d.pal
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="3" CELLPADDING="3"><TR>`)
	b.WriteString(d.swatch(kindColors{Fill: p.ForwardTint, Border: p.Forward}, "from the forward pass", false))
	b.WriteString(d.swatch(p.Kinds[styleConst], "constant", true))
	b.WriteString(d.swatch(p.Kinds[styleOp], "op", false))
	b.WriteString(d.swatch(p.Kinds[styleOutput], "gradient of a leaf", false))
	b.WriteString(d.colorKey("green", p.Forward, " forward value"))
	b.WriteString(d.colorKey("red", p.Gradient, " gradient "+d.partialText("·")))
	b.WriteString(`</TR></TABLE>`)
	return b.String()
}
