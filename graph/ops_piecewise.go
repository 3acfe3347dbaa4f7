package graph

import (
	"math"
	"strings"
)

// This file holds abs, sqrt, maximum, minimum and clip, and the internal
// indicator ops their derivatives are built from (sign, ge, gt, tie). The
// indicators are piecewise constant: their own derivative is zero.

var opAbs = unary("abs", math.Abs,
	func(b *Builder, a, out *Node) *Node { return b.Call("sign", a) }, "sign({a})", "|{a}|").
	second("0").kinkAt0("abs", "0").pieces(sign)

var opSqrt = unary("sqrt", math.Sqrt,
	func(b *Builder, a, out *Node) *Node { return b.Div(b.Const(0.5), out) }, "1/(2·sqrt({a}))", "sqrt({a})").
	fn("sqrt", `\operatorname{sqrt}`).second("−1/(4·{x}^1.5)")

// opSign is abs's derivative: −1, 0 or 1 (0 at 0, as PyTorch).
var opSign = func() *Op {
	op := unary("sign", func(x float64) float64 { return float64(sign(x)) },
		func(b *Builder, a, out *Node) *Node { return nil }, "0", "sign({a})")
	op.Internal = true
	return op
}()

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// indicator builds an internal elementwise op of two inputs whose value is
// f(a, b), a piecewise constant with a zero derivative.
func indicator(name string, f func(a, b float64) float64, formula string) *Op {
	return &Op{
		Name: name, MinArgs: 2, MaxArgs: 2, Internal: true, Elementwise: true,
		Shape:   elementwiseShape,
		Forward: func(in []*Tensor, _ []int) *Tensor { return zipWith(in[0], in[1], f) },
		VJP:     func(b *Builder, n, g *Node, need []bool) []*Node { return b.Slots(2) },
		Local:   func(ins []string, _ string, _ int) string { return "0" },
		Formula: func(_ *Node, ins []string) string {
			return strings.NewReplacer("{a}", ins[0], "{b}", ins[1]).Replace(formula)
		},
	}
}

var (
	opGe = indicator("ge", func(a, b float64) float64 { return b2f(a >= b) }, "1[{a} ≥ {b}]")
	opGt = indicator("gt", func(a, b float64) float64 { return b2f(a > b) }, "1[{a} > {b}]")
	// opTie is maximum's derivative with respect to a: 1 where a > b, ½
	// at a tie (PyTorch splits the gradient evenly), 0 elsewhere.
	opTie = indicator("tie", func(a, b float64) float64 {
		switch {
		case a > b:
			return 1
		case a == b:
			return 0.5
		}
		return 0
	}, "1[{a} > {b}] + 1[{a} = {b}]/2")
)

func b2f(c bool) float64 {
	if c {
		return 1
	}
	return 0
}

// extremum builds maximum (larger true) or minimum: elementwise,
// broadcasting, with ties splitting the gradient evenly as PyTorch does.
func extremum(name, fname, tex string, larger bool) *Op {
	pick := math.Min
	if larger {
		pick = math.Max
	}
	return &Op{
		Name: name, MinArgs: 2, MaxArgs: 2, Elementwise: true,
		Shape:   elementwiseShape,
		Forward: func(in []*Tensor, _ []int) *Tensor { return zipWith(in[0], in[1], pick) },
		VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
			x, y := n.Inputs[0], n.Inputs[1]
			if !larger {
				x, y = y, x
			}
			// For maximum, a gets the gradient where a > b; for minimum,
			// where b > a. Ties get half each.
			out := b.Slots(2)
			if need[0] {
				out[0] = b.Mul(g, b.Call("tie", x, y))
			}
			if need[1] {
				out[1] = b.Mul(g, b.Call("tie", y, x))
			}
			return out
		},
		Local: func(ins []string, _ string, arg int) string {
			a, c := paren(ins[arg]), paren(ins[1-arg])
			rel := ">"
			if !larger {
				rel = "<"
			}
			return "1[" + a + " " + rel + " " + c + "] + 1[" + a + " = " + c + "]/2"
		},
		Formula: func(_ *Node, ins []string) string { return fname + "(" + ins[0] + ", " + ins[1] + ")" },
		Func:    fname, TeX: tex,
		Second: zeroSecond,
		Pieces: func(in []*Tensor, _ []int, dst []int) []int {
			d := zipWith(in[0], in[1], func(a, b float64) float64 { return float64(sign(a - b)) })
			for _, v := range d.Data {
				dst = append(dst, int(v))
			}
			return dst
		},
		Kink: func(n *Node) string {
			d := zipWith(n.Inputs[0].Value, n.Inputs[1].Value, func(a, b float64) float64 { return b2f(a == b) })
			for _, v := range d.Data {
				if v == 1 {
					return n.Name + " = " + n.Op.Formula(n, n.InputNames()) + " has a tie, where it is not differentiable; the gradient is split evenly between " +
						n.Inputs[0].DisplayName() + " and " + n.Inputs[1].DisplayName() + " there (as PyTorch does)"
				}
			}
			return ""
		},
	}
}

var (
	opMaximum = extremum("maximum", "max", `\max`, true)
	opMinimum = extremum("minimum", "min", `\min`, false)
)

// opClip is clip(x, lo, hi) = min(max(x, lo), hi), elementwise and
// broadcasting. As PyTorch's clamp, the gradient reaches x where
// lo ≤ x ≤ hi, lo where x < lo and hi where x > hi.
var opClip = &Op{
	Name: "clip", MinArgs: 3, MaxArgs: 3, Elementwise: true,
	Shape: elementwiseShape,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		lo := zipWith(in[0], in[1], math.Max)
		return zipWith(lo, in[2], math.Min)
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		x, lo, hi := n.Inputs[0], n.Inputs[1], n.Inputs[2]
		out := b.Slots(3)
		if need[0] {
			out[0] = b.Mul(g, b.Mul(b.Call("ge", x, lo), b.Call("ge", hi, x)))
		}
		if need[1] {
			out[1] = b.Mul(g, b.Call("gt", lo, x))
		}
		if need[2] {
			out[2] = b.Mul(g, b.Call("gt", x, hi))
		}
		return out
	},
	Local: func(ins []string, _ string, arg int) string {
		x, lo, hi := paren(ins[0]), paren(ins[1]), paren(ins[2])
		return [3]string{
			"1[" + lo + " ≤ " + x + " ≤ " + hi + "]",
			"1[" + x + " < " + lo + "]",
			"1[" + x + " > " + hi + "]",
		}[arg]
	},
	Formula: func(_ *Node, ins []string) string { return "clip(" + strings.Join(ins, ", ") + ")" },
	Func:    "clip", TeX: `\operatorname{clip}`,
	Second: zeroSecond,
	Pieces: func(in []*Tensor, _ []int, dst []int) []int {
		below := zipWith(in[0], in[1], func(x, lo float64) float64 { return b2f(x < lo) })
		above := zipWith(in[0], in[2], func(x, hi float64) float64 { return b2f(x > hi) })
		for i := range below.Data {
			dst = append(dst, int(below.Data[i]))
		}
		for i := range above.Data {
			dst = append(dst, int(above.Data[i]))
		}
		return dst
	},
	Kink: func(n *Node) string {
		x := n.Inputs[0].Value
		lo := zipWith(x, n.Inputs[1].Value, func(x, lo float64) float64 { return b2f(x == lo) })
		hi := zipWith(x, n.Inputs[2].Value, func(x, hi float64) float64 { return b2f(x == hi) })
		if lo.Sum() > 0 || hi.Sum() > 0 {
			return n.Name + " = " + n.Op.Formula(n, n.InputNames()) + " is evaluated exactly at a bound, where it is not differentiable; the gradient there goes to " +
				n.Inputs[0].DisplayName() + " (as PyTorch's clamp does)"
		}
		return ""
	},
}
