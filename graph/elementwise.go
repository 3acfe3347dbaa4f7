package graph

import (
	"math"
	"strconv"
	"strings"
)

// This file holds the elementwise ops. Each keeps its forward function next
// to its derivative rule, which builds the gradient from graph nodes.

var opAdd = &Op{
	Name: "add", MinArgs: 2, MaxArgs: -1, Elementwise: true,
	Shape: elementwiseShape,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		out := zipWith(in[0], in[1], func(x, y float64) float64 { return x + y })
		for _, t := range in[2:] {
			out = zipWith(out, t, func(x, y float64) float64 { return x + y })
		}
		return out
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		out := b.Slots(len(n.Inputs))
		for i := range out {
			out[i] = g
		}
		return out
	},
	Local:  func(ins []string, _ string, _ int) string { return "1" },
	Delta:  func(_ *Node, _ int) string { return "{δ}" },
	Second: zeroSecond,
	Formula: func(_ *Node, ins []string) string {
		terms := make([]string, len(ins))
		for i, in := range ins {
			terms[i] = in
			if strings.HasPrefix(in, "-") {
				terms[i] = "(" + in + ")" // x + (-1), not x + -1.
			}
		}
		return strings.Join(terms, " + ")
	},
}

var opSub = &Op{
	Name: "sub", MinArgs: 2, MaxArgs: 2, Elementwise: true,
	Shape: elementwiseShape,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		return zipWith(in[0], in[1], func(x, y float64) float64 { return x - y })
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		return b.Of(g, b.Neg(g))
	},
	Local:   func(_ []string, _ string, arg int) string { return [2]string{"1", "−1"}[arg] },
	Formula: func(_ *Node, ins []string) string { return ins[0] + " − " + paren(ins[1]) },
	Delta:   func(_ *Node, arg int) string { return [2]string{"{δ}", "−{δ}"}[arg] },
	Second:  zeroSecond,
}

var opMul = &Op{
	Name: "mul", MinArgs: 2, MaxArgs: 2, Elementwise: true,
	Shape: elementwiseShape,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		return zipWith(in[0], in[1], func(x, y float64) float64 { return x * y })
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		x, y := n.Inputs[0], n.Inputs[1]
		out := b.Slots(2)
		if need[0] {
			out[0] = b.Mul(g, y)
		}
		if need[1] {
			out[1] = b.Mul(g, x)
		}
		return out
	},
	Local: func(ins []string, _ string, arg int) string { return ins[1-arg] },
	// A product of two tensors is elementwise, a ⊙ b; · is kept for
	// products with a scalar (and matrix products).
	Formula: func(n *Node, ins []string) string {
		if n != nil && len(n.Inputs) == 2 && len(n.Inputs[0].Shape) > 0 && len(n.Inputs[1].Shape) > 0 {
			return paren(ins[0]) + " ⊙ " + paren(ins[1])
		}
		return paren(ins[0]) + "·" + paren(ins[1])
	},
	// Multiplying by a scalar is written δ · c; any other product is the
	// generic δ ⊙ local.
	Delta: func(n *Node, arg int) string {
		if len(n.Inputs[1-arg].Shape) == 0 {
			return "{δ} · {" + strconv.Itoa(1-arg) + "}"
		}
		return ""
	},
	// The other input does not depend on this one (x·x is two paths).
	Second: zeroSecond,
}

var opDiv = &Op{
	Name: "div", MinArgs: 2, MaxArgs: 2, Elementwise: true,
	Shape: elementwiseShape,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		return zipWith(in[0], in[1], func(x, y float64) float64 { return x / y })
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		x, y := n.Inputs[0], n.Inputs[1]
		out := b.Slots(2)
		if need[0] {
			out[0] = b.Div(g, y)
		}
		if need[1] {
			out[1] = b.Neg(b.Div(b.Mul(g, x), b.Mul(y, y)))
		}
		return out
	},
	Local: func(ins []string, _ string, arg int) string {
		if arg == 0 {
			return "1/" + paren(ins[1])
		}
		return "−" + paren(ins[0]) + "/" + paren(ins[1]) + "²"
	},
	Formula: func(_ *Node, ins []string) string { return paren(ins[0]) + " / " + paren(ins[1]) },
}

var opPow = &Op{
	Name: "pow", MinArgs: 2, MaxArgs: 2, Elementwise: true,
	Shape: elementwiseShape,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		return zipWith(in[0], in[1], math.Pow)
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		x, p := n.Inputs[0], n.Inputs[1]
		out := b.Slots(2)
		if need[0] && !zeroConst(p) {
			// x^0 = 1 is constant: its derivative is 0 even at x = 0,
			// where 0·x^(0−1) would be 0·∞ (as PyTorch masks it).
			out[0] = b.Mul(g, b.Mul(p, b.Call("pow", x, b.Sub(p, b.Const(1)))))
		}
		if need[1] {
			// As PyTorch: where the base is 0 (and so the exponent ≥ 0, or
			// the value would be infinite), this derivative is 0, not 0·ln 0.
			out[1] = b.Mul(g, b.Mul(n, b.Call("log0", x)))
		}
		return out
	},
	Local: func(ins []string, out string, arg int) string {
		x, p := paren(ins[0]), paren(ins[1])
		if arg == 1 {
			return out + "·ln " + x
		}
		if e, err := strconv.ParseFloat(ins[1], 64); err == nil {
			// A literal exponent: 3·x^2 rather than 3·x^(3−1).
			switch e - 1 {
			case -1:
				return "0"
			case 0:
				return p
			case 1:
				return p + "·" + x
			}
			return p + "·" + x + "^" + paren(FormatNumber(e-1))
		}
		return p + "·" + x + "^(" + p + "−1)"
	},
	Formula: func(_ *Node, ins []string) string { return paren(ins[0]) + "^" + paren(ins[1]) },
	Second: func(n *Node, arg int, x string) string {
		p := n.Inputs[1]
		if arg != 0 || p.Kind != KindConst {
			return ""
		}
		return powSecond(p.Value.Item(), x)
	},
}

// zeroConst reports whether n is a constant (or a leaf without gradient)
// whose elements are all 0.
func zeroConst(n *Node) bool {
	if !n.IsLeaf() || !n.NoGrad {
		return false
	}
	for _, v := range n.Value.Data {
		if v != 0 {
			return false
		}
	}
	return true
}

// powSecond is the second derivative of x^p: p(p−1)·x^(p−2), simplified.
func powSecond(p float64, x string) string {
	c, k := p*(p-1), p-2
	switch {
	case c == 0:
		return "0"
	case k == 0:
		return NumberText(c)
	}
	pow := x
	if k != 1 {
		ks := NumberText(k)
		if strings.HasPrefix(ks, "−") || strings.ContainsAny(ks, ".e") {
			ks = "(" + ks + ")"
		}
		pow = x + "^" + ks
	}
	if c == 1 {
		return pow
	}
	return NumberText(c) + "·" + pow
}

var opNeg = unary("neg", func(x float64) float64 { return -x },
	func(b *Builder, a, out *Node) *Node { return b.Const(-1) }, "−1", "−{a}").second("0")

var opSquare = unary("square", func(x float64) float64 { return x * x },
	func(b *Builder, a, out *Node) *Node { return b.Scale(2, a) }, "2·{a}", "{a}²").second("2")

var opExp = unary("exp", math.Exp,
	func(b *Builder, a, out *Node) *Node { return out }, "exp({a})", "exp({a})").
	fn("exp", `\exp`).second("exp({x})")

var opLog = unary("log", math.Log,
	func(b *Builder, a, out *Node) *Node { return b.Div(b.Const(1), a) }, "1/{a}", "ln({a})").
	fn("ln", `\ln`).second("−1/{x}²")

var opSin = unary("sin", math.Sin,
	func(b *Builder, a, out *Node) *Node { return b.Call("cos", a) }, "cos({a})", "sin({a})").
	fn("sin", `\sin`).second("−sin({x})")

var opCos = unary("cos", math.Cos,
	func(b *Builder, a, out *Node) *Node { return b.Neg(b.Call("sin", a)) }, "−sin({a})", "cos({a})").
	fn("cos", `\cos`).second("−cos({x})")

var opTanh = unary("tanh", math.Tanh,
	func(b *Builder, a, out *Node) *Node { return b.Sub(b.Const(1), b.Mul(out, out)) }, "1 − tanh²({a})", "tanh({a})").
	fn("tanh", `\tanh`).second("−2·tanh({x})(1 − tanh²({x}))").
	saturates(func(y float64) float64 { return 1 - y*y })

var opSigmoid = unary("sigmoid", sigmoid,
	func(b *Builder, a, out *Node) *Node { return b.Mul(out, b.Sub(b.Const(1), out)) }, "σ({a})(1 − σ({a}))", "σ({a})").
	second("σ({x})(1 − σ({x}))(1 − 2σ({x}))").
	saturates(func(y float64) float64 { return y * (1 - y) })

var opRelu = unary("relu", func(x float64) float64 { return math.Max(0, x) },
	func(b *Builder, a, out *Node) *Node { return b.Call("step", a) }, "1[{a}>0]", "ReLU({a})").
	fn("ReLU", `\operatorname{ReLU}`).second("0").
	kinkAt0("ReLU", "0").pieces(func(x float64) int { return int(step(x)) })

// opLog0 is ln a where a ≠ 0 and 0 where a = 0; pow's derivative with
// respect to its exponent uses it, so that 0^p has a zero derivative there.
var opLog0 = func() *Op {
	op := unary("log0", func(x float64) float64 {
		if x == 0 {
			return 0
		}
		return math.Log(x)
	}, func(b *Builder, a, out *Node) *Node { return b.Call("recip0", a) }, "1/{a}", "ln0({a})")
	op.Internal = true
	return op
}()

// opRecip0 is 1/a where a ≠ 0 and 0 where a = 0, the derivative of log0.
var opRecip0 = func() *Op {
	op := unary("recip0", func(x float64) float64 {
		if x == 0 {
			return 0
		}
		return 1 / x
	}, func(b *Builder, a, out *Node) *Node { return b.Neg(b.Mul(out, out)) }, "−1/{a}²", "1/{a}")
	op.Internal = true
	return op
}()

// opStep is relu's derivative, 1 where a > 0 and 0 elsewhere (0 at a = 0,
// as PyTorch). Its own derivative is zero everywhere it exists.
var opStep = unary("step", step,
	func(b *Builder, a, out *Node) *Node { return nil }, "0", "1[{a}>0]")

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func step(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}
