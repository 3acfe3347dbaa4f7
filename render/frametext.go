package render

import (
	"strconv"

	"github.com/chainviz/chainviz/graph"
)

// This file writes the captions of the frames of the step-by-step
// animation, as plain text.

// forwardTitle returns the caption of the frame that opens the forward
// pass.
func (d *diagram) forwardTitle() string {
	return "Forward pass: each node's value is computed from the values of its inputs, from the leaves to the output " + d.name(d.out) + "."
}

// nodeCaption returns the caption of the forward frame that computes n: its
// formula with the numbers put in, for scalars.
func (d *diagram) nodeCaption(n *graph.Node) string {
	var s string
	switch {
	case isAnonymous(n):
		s = "The constant " + d.name(n)
	case n.IsLeaf():
		s = d.name(n)
		if n.Value.IsScalar() {
			s += " = " + d.num(n.Value.Item())
		}
		s += ", " + leafKind(n)
	default:
		s = d.formula(n)
		if numbers := d.numericFormula(n); numbers != "" {
			s += " = " + numbers + " = " + d.num(n.Value.Item())
		} else {
			s += ", a " + shapeText(n.Shape) + " tensor"
		}
	}
	if n == d.out {
		s += ": the output"
	}
	return s + "."
}

// leafKind describes a leaf for a caption: "a parameter", "an input",
// "an input without gradient (grad: false)".
func leafKind(n *graph.Node) string {
	var s string
	switch n.Kind {
	case graph.KindParam:
		s = "a parameter"
	case graph.KindConst:
		s = "a constant"
	default:
		s = "an input"
	}
	if n.NoGrad && n.Kind != graph.KindConst {
		s += " without gradient (grad: false)"
	}
	if !n.Value.IsScalar() {
		s += " of shape " + shapeText(n.Shape)
	}
	return s
}

// numericFormula returns n's formula with its inputs' values in place of
// their names, such as "3·2", when n and its inputs are scalars, and ""
// otherwise.
func (d *diagram) numericFormula(n *graph.Node) string {
	if !n.Value.IsScalar() || n.Op.Formula == nil {
		return ""
	}
	vals := make([]string, len(n.Inputs))
	for i, in := range n.Inputs {
		if in.Value == nil || !in.Value.IsScalar() {
			return ""
		}
		vals[i] = d.num(in.Value.Item())
	}
	return n.Op.Formula(n, vals)
}

// backwardTitle returns the caption of the frame that opens the backward
// pass by seeding the gradient at the output.
func (d *diagram) backwardTitle() string {
	out := d.name(d.out)
	seed := d.partialText(out) + " = 1"
	if !d.out.Value.IsScalar() {
		seed += " for every element"
	}
	return "Backward pass: the gradient of " + out + " with respect to itself is " + seed +
		"; from there each edge carries upstream × local derivative back to its input, from the output to the leaves."
}

// edgeCaption returns the caption of the backward frame that follows the
// edge a.Edges[i], given whether its From node's gradient is complete after
// it: the product it carries and, when that completes a sum over several
// edges, the sum.
func (d *diagram) edgeCaption(i int, complete bool) string {
	e := d.a.Edges[i]
	from, to := d.name(e.From), d.name(e.To)
	if e.Grad == nil {
		why := "it is declared with grad: false"
		if e.From.Kind == graph.KindConst {
			why = "it is a constant"
		}
		return "No gradient flows from " + to + " back to " + from + ": " + why + "."
	}
	local := "∂" + to + "/∂" + from
	s := "δ flows from " + to + " back to " + from + ": " + d.partialText(to) + " × " + local
	if e.Grad.IsScalar() && e.Upstream != nil && e.Upstream.IsScalar() && e.Local != nil && e.Local.IsScalar() {
		s += " = " + d.num(e.Upstream.Item()) + " × " + d.num(e.Local.Item()) + " = " + d.num(e.Grad.Item())
	} else if expr := prettyExpr(e.LocalExpr, d.consts); expr != "" {
		s += ", with " + local + " = " + expr
	}
	if k := len(d.from[e.From.ID]); k > 1 && complete {
		if g := d.grad(e.From); g != nil && g.IsScalar() {
			s += "; so " + d.partialText(from) + " =" + d.fanOutSum(e.From) + " " + d.num(g.Item())
		} else {
			s += "; " + d.partialText(from) + " is complete: the sum of " + strconv.Itoa(k) + " edges"
		}
	}
	return s + "."
}
