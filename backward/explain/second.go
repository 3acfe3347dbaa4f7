package explain

import (
	"strings"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// SecondOrder is the second derivative ∂²output/∂w² of a leaf w, the
// derivative of the first derivative (the note's d²y/dx² = d/dx(dy/dx)).
type SecondOrder struct {
	// Value is the second derivative from AddHigherOrder (elementwise, the
	// Hessian's diagonal, for tensors).
	Value *graph.Tensor
	// First is the first derivative as a formula: the sum over paths of the
	// products of the local derivatives' formulas, such as 3·x^2; it is ""
	// when the paths were not listed or are not all scalar.
	First string
	// Second is the second derivative as a formula, such as 6·x, when the
	// output is a single op applied to w whose derivative rule is known
	// here; otherwise "".
	Second string
}

// second builds the second-order part of d.
func (s *scope) second(d *Derivation) *SecondOrder {
	so := &SecondOrder{Value: s.a.Higher[0][s.wrt.ID]}
	if d.UseDelta || len(d.Paths) == 0 || !d.Scalar {
		// For tensors the local derivatives are Jacobians, whose formulas
		// do not multiply into the gradient's formula elementwise.
		return so
	}
	var terms []string
	for _, p := range d.Paths {
		var fs []string
		for _, f := range p.Factors {
			if f.Expr != "1" {
				fs = append(fs, f.Expr)
			}
		}
		switch len(fs) {
		case 0:
			terms = append(terms, "1")
		case 1:
			terms = append(terms, fs[0])
		default:
			for i, f := range fs {
				if needsParen(f) {
					fs[i] = "(" + f + ")"
				}
			}
			terms = append(terms, strings.Join(fs, "·"))
		}
	}
	so.First = strings.Join(terms, " + ")
	if len(d.Paths) == 1 && len(d.Paths[0].Edges) == 1 {
		so.Second = secondExpr(d.Paths[0].Edges[0])
	}
	return so
}

// secondExpr returns ∂²To/∂From² as a formula when the op gives one
// (graph.Op.Second), or "".
func secondExpr(e backward.Edge) string {
	n := e.To
	x := e.From.DisplayName()
	if needsParen(x) {
		x = "(" + x + ")"
	}
	if n.Inputs[0] == n.Inputs[len(n.Inputs)-1] && len(n.Inputs) > 1 {
		return "" // x·x and the like: two paths, handled by the caller.
	}
	if n.Op.Second == nil {
		return ""
	}
	return n.Op.Second(n, e.Arg, x)
}
