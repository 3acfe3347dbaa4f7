package render

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// This file rolls repeated calls of one block that share their weights (an
// unrolled RNN) into one box, as torchview rolls recurrent modules: the box
// is the first call's, every call's nodes are folded into it, and the box
// lists each call's output value and gradient in order. An edge from a
// shared weight carries the sum over the calls of the gradients it stands
// for, written out term by term; the edges from one call to the next (the
// recurrent state) are drawn as one loop on the box.

// roll is one set of rolled calls.
type roll struct {
	// calls holds the group indices of the calls, in the graph's order.
	calls []int
	// shared lists the params every call reads: the shared weights.
	shared []*graph.Node
}

// findRolls returns the rolls of the graph: the calls of one block, at
// least two, in one enclosing group, that read the same non-empty set of
// params from outside. callOf holds, by node ID, the index of the
// innermost block call around the node, or −1.
func (p *drawPlan) findRolls(g *graph.Graph) []roll {
	callOf := make([]int, len(p.chain))
	for id := range callOf {
		callOf[id] = -1
		for _, i := range p.chain[id] {
			if p.groups[i].Kind == graph.GroupBlock {
				callOf[id] = i
				break
			}
		}
	}
	// params holds, by call, the params read from outside the call.
	params := map[int]map[*graph.Node]bool{}
	for _, n := range g.Nodes {
		c := callOf[n.ID]
		if c < 0 {
			continue
		}
		for _, in := range n.Inputs {
			if in.Kind == graph.KindParam && callOf[in.ID] != c {
				if params[c] == nil {
					params[c] = map[*graph.Node]bool{}
				}
				params[c][in] = true
			}
		}
	}
	type key struct{ block, parent string }
	sets := map[key][]int{}
	var order []key
	for i, gr := range p.groups {
		if gr.Kind != graph.GroupBlock || gr.Block == "" {
			continue
		}
		k := key{gr.Block, gr.Parent}
		if sets[k] == nil {
			order = append(order, k)
		}
		sets[k] = append(sets[k], i)
	}
	var rolls []roll
	for _, k := range order {
		calls := sets[k]
		if len(calls) < 2 || len(params[calls[0]]) == 0 {
			continue
		}
		same := true
		for _, c := range calls[1:] {
			same = same && sameSet(params[c], params[calls[0]])
		}
		if !same {
			continue
		}
		var shared []*graph.Node
		for n := range params[calls[0]] {
			shared = append(shared, n)
		}
		sort.Slice(shared, func(a, b int) bool { return shared[a].ID < shared[b].ID })
		rolls = append(rolls, roll{calls: calls, shared: shared})
	}
	return rolls
}

func sameSet(a, b map[*graph.Node]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for n := range a {
		if !b[n] {
			return false
		}
	}
	return true
}

// roll folds the calls of each roll into the box of its first call.
func (p *drawPlan) roll(g *graph.Graph) {
	p.rolls = p.findRolls(g)
	p.rollOf = make([]int, len(p.groups))
	for i := range p.rollOf {
		p.rollOf[i] = -1
	}
	for r, rl := range p.rolls {
		box := rl.calls[0]
		p.collapsed[box] = true
		p.rollOf[box] = r
		in := map[int]bool{}
		for _, c := range rl.calls {
			in[c] = true
		}
		for _, n := range g.Nodes {
			for _, i := range p.chain[n.ID] {
				if in[i] {
					p.folded[n.ID] = box
					break
				}
			}
		}
	}
}

// rolledRoll returns the roll drawn as box i, or nil.
func (p *drawPlan) rolledRoll(i int) *roll {
	if p == nil || p.rollOf == nil || p.rollOf[i] < 0 {
		return nil
	}
	return &p.rolls[p.rollOf[i]]
}

// callIndex returns the position in r.calls of the call around n, or −1.
func (p *drawPlan) callIndex(r *roll, n *graph.Node) int {
	for k, c := range r.calls {
		for _, i := range p.chain[n.ID] {
			if i == c {
				return k
			}
		}
	}
	return -1
}

// rollTitle returns the box's title: the common start of the calls' names,
// the block and its arguments, those that differ between the calls as …
// ("s = cell(…, …, Wx, Wh)").
func (d *diagram) rollTitle(r *roll) string {
	var names []string
	var args [][]string
	for _, c := range r.calls {
		gr := d.plan.groups[c]
		names = append(names, gr.Name)
		t := gr.Title
		if open, end := strings.Index(t, "("), strings.LastIndex(t, ")"); open >= 0 && end > open {
			args = append(args, strings.Split(t[open+1:end], ", "))
		}
	}
	prefix := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	prefix = strings.TrimRight(prefix, "0123456789_")
	if prefix == "" {
		prefix = "out"
	}
	shown := "…"
	if len(args) == len(r.calls) {
		parts := make([]string, len(args[0]))
		for j, a := range args[0] {
			parts[j] = a
			for _, other := range args[1:] {
				if j >= len(other) || other[j] != a {
					parts[j] = "…"
				}
			}
		}
		shown = strings.Join(parts, ", ")
	}
	return prettyName(prefix) + " = " + d.plan.groups[r.calls[0]].Block + "(" + shown + ")"
}

// rollLabel returns the label of a rolled box: its title with the ×N
// badge, then one row for each call in order: the call and its output's
// value and gradient.
func (d *diagram) rollLabel(r *roll) string {
	p := d.pal
	kc := p.Kinds[styleOp]
	var b strings.Builder
	b.WriteString(`<TABLE STYLE="rounded" BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="` + kc.Border + `" BGCOLOR="` + kc.Fill + `">`)
	b.WriteString(`<TR><TD ALIGN="LEFT">` + font(bold(escapeHTML(d.rollTitle(r))), p.Text, sizeText+1) + `</TD>`)
	b.WriteString(`<TD ALIGN="RIGHT">` + font(bold(escapeHTML(nbsp+nbsp+"×"+strconv.Itoa(len(r.calls)))), p.Gradient, sizeText+3) + `</TD></TR>`)
	for k, c := range r.calls {
		gr := d.plan.groups[c]
		line := font(escapeHTML(strconv.Itoa(k+1)+". "+gr.Title+"   "), p.Muted, sizeSmall)
		if o := d.a.Graph.Node(gr.Name); o != nil {
			switch {
			case o.Value == nil || d.o.View == ViewBackward:
			case o.Value.IsScalar():
				line += font(bold(escapeHTML(d.name(o)+" = "+d.num(o.Value.Item()))), p.Forward, sizeText)
			default:
				line += font(escapeHTML(d.name(o)+": "+shapeText(o.Shape)+" tensor"), p.Muted, sizeSmall)
			}
			if g := d.grad(o); g != nil && g.IsScalar() && d.o.View != ViewForward {
				line += font(escapeHTML("   "+d.partial(o)+" = "+d.num(g.Item())), p.Gradient, sizeText)
			}
		}
		b.WriteString(`<TR><TD ALIGN="LEFT" COLSPAN="2">` + line + `</TD></TR>`)
	}
	b.WriteString(d.loopRows(r, d.loopEdges(r)))
	var shared []string
	for _, n := range r.shared {
		shared = append(shared, d.name(n))
	}
	b.WriteString(`<TR><TD ALIGN="LEFT" COLSPAN="2">` + font(escapeHTML("shared: "+strings.Join(shared, ", ")+"; "+strconv.Itoa(len(d.members(r.calls[0])))+" nodes rolled"), p.Muted, sizeSmall) + `</TD></TR>`)
	b.WriteString(`</TABLE>`)
	return b.String()
}

// RollTerms returns, for the edges idx of a from one node into a roll's
// calls, the gradient each call contributes (the sum of the edges into
// it) in call order, as the rolled drawing writes them; callOf gives the
// call of an edge's consumer. Calls without an edge are left out.
func rollTerms(d *diagram, r *roll, idx []int) []float64 {
	sums := make([]float64, len(r.calls))
	has := make([]bool, len(r.calls))
	for _, i := range idx {
		e := d.a.Edges[i]
		k := d.plan.callIndex(r, e.To)
		if k < 0 || e.Grad == nil || !e.Grad.IsScalar() {
			continue
		}
		sums[k] += e.Grad.Item()
		has[k] = true
	}
	var out []float64
	for k := range sums {
		if has[k] {
			out = append(out, sums[k])
		}
	}
	return out
}

// rollCrossingLabel returns the label of the edge from x into a rolled
// box: x's value and the gradient, for a shared weight written as the sum
// of each call's contribution.
func (d *diagram) rollCrossingLabel(x *graph.Node, r *roll, idx []int) string {
	e0 := d.a.Edges[idx[0]]
	var above, below []string
	if d.labels != LabelsNone && d.o.View != ViewBackward {
		above = []string{d.valueText(e0)}
	}
	sum := CrossingGrad(d.a, idx)
	if sum == nil || d.o.View == ViewForward || d.labels == LabelsNone {
		return d.wireTable(above, below, d.pal.Wire)
	}
	calls := map[int]bool{}
	for _, i := range idx {
		calls[d.plan.callIndex(r, d.a.Edges[i].To)] = true
	}
	terms := rollTerms(d, r, idx)
	if !sum.IsScalar() || len(terms) < 2 {
		below = append(below, d.edgeTensor(sum, d.pal.Gradient))
		if k := d.plan.callIndex(r, d.a.Edges[idx[0]].To); len(calls) == 1 {
			below = append(below, font(escapeHTML("into call "+strconv.Itoa(k+1)), d.pal.Muted, sizeSmall))
		} else {
			below = append(below, font(escapeHTML("summed over "+strconv.Itoa(len(calls))+" calls"), d.pal.Muted, sizeSmall))
		}
		return d.wireTable(above, below, d.pal.Wire)
	}
	parts := make([]string, len(terms))
	for k, t := range terms {
		parts[k] = d.num(t)
		if k > 0 && strings.HasPrefix(parts[k], minus) {
			parts[k] = "(" + parts[k] + ")"
		}
	}
	lhs := "Σ over the calls"
	if g := d.grad(x); g != nil && g.IsScalar() && closeTo(g.Item(), sum.Item()) {
		lhs = d.partialText(d.name(x))
	}
	below = append(below, font(escapeHTML(lhs+" = "+strings.Join(parts, " + ")), d.pal.Gradient, sizeEdge))
	below = append(below, font(escapeHTML("= "+d.num(sum.Item())+", summed over "+strconv.Itoa(len(terms))+" calls"), d.pal.Gradient, sizeEdge))
	return d.wireTable(above, below, d.pal.Wire)
}

// loopRows returns the rows a rolled box ends with: the edges from one
// call to a later one (the recurrent state), each with its value and the
// gradient it carries back. The loop edge itself (see loopEdge) carries no
// label, so no other edge can cross one.
func (d *diagram) loopRows(r *roll, idx []int) string {
	var b strings.Builder
	for _, i := range idx {
		e := d.a.Edges[i]
		line := "↻ " + d.name(e.From) + " → call " + strconv.Itoa(d.plan.callIndex(r, e.To)+1)
		if v := e.From.Value; v != nil && v.IsScalar() && d.o.View != ViewBackward {
			line += ": value " + d.num(v.Item())
		}
		if e.Grad != nil && e.Grad.IsScalar() && d.o.View != ViewForward {
			line += ", gradient back " + d.num(e.Grad.Item())
		}
		b.WriteString(`<TR><TD ALIGN="LEFT" COLSPAN="2">` + font(escapeHTML(line), d.pal.Wire, sizeSmall) + `</TD></TR>`)
	}
	return b.String()
}

// loopEdge writes the loop on a rolled box, the state one call passes to
// the next.
func (d *diagram) loopEdge(edges *strings.Builder, box int) {
	fmt.Fprintf(edges, "\t%s -> %s [id=%q, color=%q, penwidth=1.6];\n", boxID(box), boxID(box), "loop_"+d.plan.groups[box].Name, d.pal.Wire)
}

// loopEdges returns the indices in a.Edges of the edges from one call of
// r to another.
func (d *diagram) loopEdges(r *roll) []int {
	var idx []int
	for i, e := range d.a.Edges {
		a, b := d.plan.callIndex(r, e.From), d.plan.callIndex(r, e.To)
		if a >= 0 && b >= 0 && a != b {
			idx = append(idx, i)
		}
	}
	return idx
}

// rollNote returns the caption's note on --roll: what it rolled or why it
// rolled nothing.
func (d *diagram) rollNote() string {
	p := d.plan
	if !d.o.Roll {
		return ""
	}
	if p == nil || len(p.rolls) == 0 {
		return nothingToRoll + "."
	}
	var parts []string
	for _, r := range p.rolls {
		var names []string
		for _, c := range r.calls {
			names = append(names, p.groups[c].Name)
		}
		parts = append(parts, p.groups[r.calls[0]].Block+" ×"+strconv.Itoa(len(r.calls))+" ("+strings.Join(names, ", ")+")")
	}
	return "Rolled: " + strings.Join(parts, "; ") + ". A rolled box lists each call's output value and gradient ∂L/∂out in call order; an edge from a shared weight carries its gradient as the sum of each call's contribution (the edges of the annotated JSON, summed per call); the loop is the state one call passes to the next. --roll off draws every call."
}

// nothingToRoll says why --roll changed nothing, in the caption and as a
// warning.
const nothingToRoll = "--roll: nothing to roll; it rolls two or more calls of one block that read the same params (shared weights), and this graph has none"

// rollsAny reports whether --roll rolls any calls of a's graph.
func rollsAny(a *backward.Annotated) bool {
	return len(newDiagram(a, Options{Roll: true}).plan.rolls) > 0
}
