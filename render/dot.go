package render

import (
	"fmt"
	"strings"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// fontName is the only font the diagrams use. The PNG rasterizer embeds it,
// and Graphviz has width tables for it, so boxes are sized for it.
const fontName = "DejaVu Sans"

// Font sizes, in points.
const (
	sizeTitle   = 16
	sizeText    = 12
	sizeSmall   = 10
	sizeEdge    = 11
	sizeLegend  = 10
	descWidth   = 100 // Runes per line of the description.
	titleWidth  = 80  // Runes per line of the title.
	maxFanTerms = 4   // Terms written out in a fan-out sum.
)

// DOT returns the Graphviz DOT text of a's diagram. It is a pure function of
// its arguments: the same graph and options give the same bytes. Every text
// taken from the spec (names, labels, title, description) is escaped, so it
// can neither break the DOT nor inject markup into the SVG.
func DOT(a *backward.Annotated, opt Options) []byte { return newDiagram(a, opt).dot() }

// dot writes the diagram. In a frame of the step-by-step animation, each
// node and edge is drawn with the palette of its state (see frameStep).
func (d *diagram) dot() []byte {
	var b strings.Builder
	d.header(&b, d.caption())
	if d.plan.active() {
		d.planned(&b)
		b.WriteString("}\n")
		return []byte(b.String())
	}
	base := d.pal
	for _, n := range d.a.Graph.Nodes {
		d.pal = d.step.nodePalette(base, n)
		fmt.Fprintf(&b, "\tn%d [%slabel=<%s>];\n", n.ID, d.tooltip(n), d.nodeLabel(n))
	}
	for i := range d.a.Edges {
		d.pal = d.step.edgePalette(base, d.a.Edges[i], i)
		d.edge(&b, i)
	}
	d.pal = base
	b.WriteString("}\n")
	return []byte(b.String())
}

// diagram holds what the labels of one graph share: the options, the
// palette and the display form of names.
type diagram struct {
	a   *backward.Annotated
	o   Options
	pal *palette
	out *graph.Node
	// names holds each node's display name, by node ID.
	names []string
	// consts maps an anonymous constant's name (#1) to its displayed value,
	// and the name of a node shown as written (its spec's display text, or
	// every name with Options.NoSubscripts) to that text; prettyExpr shows
	// the other names with subscripts.
	consts map[string]string
	// from lists the indices in a.Edges of each node's outgoing edges, by
	// node ID.
	from [][]int
	// raw holds, by node ID, the name a node has in formulas before
	// prettyExpr, where it differs from the node's Name (the nodes of the
	// backward graph).
	raw []string
	// aliases holds, for each node of the backward graph by ID, the nodes
	// of the graph whose gradient it is, in ID order.
	aliases [][]*graph.Node
	// warns holds the warnings about each node, by node ID.
	warns [][]string
	// step, when not nil, is the state of one frame of the step-by-step
	// animation.
	step *frameStep
	// plan is what is drawn of a graph with groups, a collapse or a focus
	// (see fold.go); labels is the edge label policy, resolved from
	// LabelsAuto by the number of boxes drawn.
	plan   *drawPlan
	labels EdgeLabels
	// compact draws scalar nodes on two lines (name; value and gradient)
	// when more than autoNoLocalNodes boxes are drawn.
	compact bool
}

func newDiagram(a *backward.Annotated, opt Options) *diagram {
	o := opt.normalized()
	d := &diagram{a: a, o: o, pal: paletteOf(o.Theme), out: a.Graph.Output, consts: map[string]string{}}
	maxID := 0
	for _, n := range a.Graph.Nodes {
		maxID = max(maxID, n.ID+1)
	}
	d.names = make([]string, maxID)
	d.from = make([][]int, maxID)
	for _, n := range a.Graph.Nodes {
		if isAnonymous(n) && n.Value != nil {
			v := inline(n.Value, o.Precision)
			if strings.HasPrefix(v, minus) {
				v = "(" + v + ")"
			}
			d.consts[n.Name] = v
			d.names[n.ID] = v
		} else {
			d.names[n.ID] = prettyName(n.Name)
			switch {
			case n.Display() != "":
				d.names[n.ID] = n.Display()
				d.consts[n.Name] = n.Display()
			case o.NoSubscripts:
				d.names[n.ID] = n.Name
				d.consts[n.Name] = n.Name
			}
		}
	}
	for i, e := range a.Edges {
		d.from[e.From.ID] = append(d.from[e.From.ID], i)
	}
	d.warns = nodeWarnings(a.Graph.Nodes, a.Warnings, maxID)
	d.plan = d.newPlan()
	d.labels = o.EdgeLabels
	drawn := d.drawnNodes()
	d.compact = drawn > autoNoLocalNodes
	if d.labels == LabelsAuto {
		switch n := drawn; {
		case n <= autoFullNodes:
			d.labels = LabelsFull
		case n <= autoNoLocalNodes:
			d.labels = LabelsNoLocal
		default:
			d.labels = LabelsGrad
		}
	}
	return d
}

// name returns n's display name.
func (d *diagram) name(n *graph.Node) string { return d.names[n.ID] }

// num formats a number with the diagram's precision.
func (d *diagram) num(v float64) string { return formatNumber(v, d.o.Precision) }

// grad returns ∂output/∂n, or nil when n has no gradient.
func (d *diagram) grad(n *graph.Node) *graph.Tensor {
	if n.ID < len(d.a.Grads) {
		return d.a.Grads[n.ID]
	}
	return nil
}

// partial writes ∂L/∂x for the output L and the node x, escaped.
func (d *diagram) partial(x *graph.Node) string { return d.partialOf(d.name(x)) }

// partialOf writes ∂L/∂x for the output L and a displayed name x, escaped.
func (d *diagram) partialOf(x string) string { return escapeHTML(d.partialText(x)) }

// partialText writes ∂L/∂x for the output L and a displayed name x.
func (d *diagram) partialText(x string) string {
	out := "L"
	if d.out != nil {
		out = d.name(d.out)
	}
	return "∂" + out + "/∂" + x
}

// rawName returns n's name in formulas, before prettyExpr.
func (d *diagram) rawName(n *graph.Node) string {
	if n.ID < len(d.raw) && d.raw[n.ID] != "" {
		return d.raw[n.ID]
	}
	return n.Name
}

// header writes the graph, node and edge defaults and the graph's label,
// the HTML-like caption.
func (d *diagram) header(b *strings.Builder, caption string) {
	p := d.pal
	b.WriteString("digraph chainviz {\n")
	rankdir := d.o.RankDir
	if rankdir == Auto {
		rankdir = LR // Render chooses between LR and TB by laying out both.
	}
	fmt.Fprintf(b, "\tgraph [rankdir=%s, bgcolor=%q, fontname=%q, fontsize=%d, fontcolor=%q,\n",
		rankdir, p.Background, fontName, sizeText, p.Text)
	nodesep := "0.3"
	if d.compact {
		nodesep = "0.12" // Compact nodes are short; keep their ranks tight.
	}
	b.WriteString("\t\tnodesep=" + nodesep + ", ranksep=0.3, pad=0.3, labelloc=t, labeljust=l,\n")
	fmt.Fprintf(b, "\t\tlabel=<%s>];\n", caption)
	fmt.Fprintf(b, "\tnode [shape=plain, fontname=%q, fontsize=%d, fontcolor=%q];\n", fontName, sizeText, p.Text)
	fmt.Fprintf(b, "\tedge [fontname=%q, fontsize=%d, color=%q, penwidth=1.2, arrowsize=0.8];\n",
		fontName, sizeEdge, p.Wire)
}
