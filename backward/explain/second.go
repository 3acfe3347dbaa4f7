package backward

import (
	"strings"

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

// secondExpr returns ∂²To/∂From² as a formula for the ops whose second
// derivative is a simple formula, or "".
func secondExpr(e Edge) string {
	n := e.To
	x := e.From.DisplayName()
	if needsParen(x) {
		x = "(" + x + ")"
	}
	if n.Inputs[0] == n.Inputs[len(n.Inputs)-1] && len(n.Inputs) > 1 {
		return "" // x·x and the like: two paths, handled by the caller.
	}
	switch n.Op.Name {
	case "pow":
		p := n.Inputs[1]
		if e.Arg != 0 || p.Kind != graph.KindConst {
			return ""
		}
		return powSecond(p.Value.Item(), x)
	case "square":
		return "2"
	case "exp":
		return "exp(" + x + ")"
	case "sin":
		return "−sin(" + x + ")"
	case "cos":
		return "−cos(" + x + ")"
	case "log":
		return "−1/" + x + "²"
	case "tanh":
		return "−2·tanh(" + x + ")(1 − tanh²(" + x + "))"
	case "sigmoid":
		return "σ(" + x + ")(1 − σ(" + x + "))(1 − 2σ(" + x + "))"
	case "neg", "relu", "add", "sub", "mul":
		return "0" // Linear in x (mul: the other input does not depend on x).
	}
	return ""
}

// powSecond is the second derivative of x^p: p(p−1)·x^(p−2), simplified.
func powSecond(p float64, x string) string {
	c, k := p*(p-1), p-2
	switch {
	case c == 0:
		return "0"
	case k == 0:
		return numText(c)
	}
	pow := x
	if k != 1 {
		ks := numText(k)
		if needsParen(ks) || strings.ContainsAny(ks, ".e") {
			ks = "(" + ks + ")"
		}
		pow = x + "^" + ks
	}
	if c == 1 {
		return pow
	}
	return numText(c) + "·" + pow
}
