package graph

import (
	"fmt"
	"math"
)

// This file holds the classification and robust losses: cross_entropy,
// nll, binary_cross_entropy, bce_with_logits and huber. They reduce as
// PyTorch's defaults do, by the mean over elements (or over the batch).

// lossPairShape is the shape rule of a loss comparing two operands element
// by element: the shapes must be equal, or one a scalar. Anything else
// would broadcast silently (an mse of [n,1] against [n] compares n² pairs),
// so it is an error that says how to line the operands up.
func lossPairShape(in [][]int, _ []int) ([]int, error) {
	a, b := in[0], in[1]
	if sameShape(a, b) || len(a) == 0 || len(b) == 0 {
		return nil, nil
	}
	hint := fmt.Sprintf("; reshape one operand to the other's shape (reshape(…, shape=%s)) or flatten both (flatten(…))", ShapeString(a))
	if big, err := BroadcastShapes(a, b); err == nil {
		return nil, fmt.Errorf("the operands' shapes %s and %s differ, and would broadcast to %s: a loss compares elements one to one%s", ShapeString(a), ShapeString(b), ShapeString(big), hint)
	}
	return nil, fmt.Errorf("the operands' shapes %s and %s differ: a loss compares elements one to one%s", ShapeString(a), ShapeString(b), hint)
}

// pairShape is the shape of the elements a loss of two operands compares:
// the larger operand's.
func pairShape(n *Node) []int {
	s, _ := BroadcastShapes(n.Inputs[0].Shape, n.Inputs[1].Shape)
	return s
}

// pairCount is the number of elements a loss of two operands averages.
func pairCount(n *Node) int { return Size(pairShape(n)) }

// meanOf returns the mean of f over the broadcast elements of a and b.
func meanOf(a, b *Tensor, f func(x, y float64) float64) *Tensor {
	d := zipWith(a, b, f)
	return Scalar(d.Sum() / float64(len(d.Data)))
}

// divided writes a formula divided by a batch size or element count n.
func divided(f string, n int) string {
	if n == 1 {
		return f
	}
	return "(" + f + ")/" + fmt.Sprint(n)
}

// classShape is the shape rule of the losses over logits and targets:
// logits [c] with a class index (a scalar) or a distribution [c], or
// logits [b,c] with indices [b] or distributions [b,c]. probs says whether
// distributions are accepted.
func classShape(probs bool) func(in [][]int, _ []int) ([]int, error) {
	return func(in [][]int, _ []int) ([]int, error) {
		z, t := in[0], in[1]
		if len(z) == 0 {
			return nil, fmt.Errorf("%s: the first operand must be a vector of class scores or a matrix [batch, classes]", ShapeString(z))
		}
		if len(t) == len(z)-1 && (len(t) == 0 || t[0] == z[0]) {
			return nil, nil
		}
		if probs && sameShape(z, t) {
			return nil, nil
		}
		want := "class indices of shape " + ShapeString(z[:len(z)-1])
		if probs {
			want += " or probabilities of shape " + ShapeString(z)
		}
		return nil, fmt.Errorf("%s and %s: the target must be %s", ShapeString(z), ShapeString(t), want)
	}
}

// indexTarget reports whether n's target (input 1) holds class indices.
func indexTarget(n *Node) bool { return len(n.Inputs[1].Shape) < len(n.Inputs[0].Shape) }

// batchSize is the number of rows of n's first operand (1 for a vector).
func batchSize(n *Node) int {
	if s := n.Inputs[0].Shape; len(s) == 2 {
		return s[0]
	}
	return 1
}

// checkTargets checks that index targets are classes of the logits, held
// by a leaf without gradient.
func checkTargets(n *Node, in []*Tensor) error {
	z, t := in[0], in[1]
	if t.Rank() < z.Rank() {
		if err := indexLeaf(n, 1, "the target"); err != nil {
			return err
		}
		return checkClasses(t, z.Shape[z.Rank()-1], "target")
	}
	return nil
}

var opCrossEntropy = &Op{
	Name: "cross_entropy", MinArgs: 2, MaxArgs: 2, Loss: true,
	Shape: classShape(true),
	Check: checkTargets,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		z, t := in[0], in[1]
		c := z.Shape[z.Rank()-1]
		rowsN, sum := len(z.Data)/c, 0.0
		for i := 0; i < rowsN; i++ {
			row := z.Data[i*c : (i+1)*c]
			l := logSumExp(row)
			if t.Rank() < z.Rank() {
				sum += l - row[int(t.Data[i])]
				continue
			}
			for j, v := range row {
				sum -= t.Data[i*c+j] * (v - l)
			}
		}
		return Scalar(sum / float64(rowsN))
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		z, t := n.Inputs[0], n.Inputs[1]
		k := b.Scale(1/float64(batchSize(n)), g)
		out := b.Slots(2)
		if indexTarget(n) {
			if need[0] {
				hot := b.Apply(b.ops.Get("onehot"), []int{z.Shape[len(z.Shape)-1]}, t)
				out[0] = b.Mul(k, b.Sub(b.Call("softmax", z), hot))
			}
			return out
		}
		if need[0] {
			out[0] = b.Mul(k, b.Sub(b.Mul(b.Call("softmax", z), rowSumKeep(b, t)), t))
		}
		if need[1] {
			out[1] = b.Neg(b.Mul(k, b.Call("log_softmax", z)))
		}
		return out
	},
	LocalOf: func(n *Node, arg int) string {
		ins, B := n.InputNames(), batchSize(n)
		z, y := paren(ins[0]), paren(ins[1])
		switch {
		case indexTarget(n) && arg == 0:
			return divided("softmax("+ins[0]+") − onehot("+ins[1]+")", B)
		case indexTarget(n):
			return "0"
		case arg == 0 && B == 1:
			return "softmax(" + ins[0] + ")·Σ " + y + " − " + y
		case arg == 0:
			return divided("softmax("+ins[0]+") ⊙ Σ_rows "+y+" − "+y, B)
		}
		return divided("−log_softmax("+z+")", B)
	},
	Formula: func(_ *Node, ins []string) string { return "cross_entropy(" + ins[0] + ", " + ins[1] + ")" },
	Func:    "cross_entropy", TeX: `\operatorname{CE}`,
}

var opNLL = &Op{
	Name: "nll", MinArgs: 2, MaxArgs: 2, Loss: true,
	Shape: classShape(false),
	Check: checkTargets,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		lp, t := in[0], in[1]
		c := lp.Shape[lp.Rank()-1]
		rowsN, sum := len(lp.Data)/c, 0.0
		for i := 0; i < rowsN; i++ {
			sum -= lp.Data[i*c+int(t.Data[i])]
		}
		return Scalar(sum / float64(rowsN))
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		lp, t := n.Inputs[0], n.Inputs[1]
		hot := b.Apply(b.ops.Get("onehot"), []int{lp.Shape[len(lp.Shape)-1]}, t)
		return b.Of(b.Mul(b.Scale(-1/float64(batchSize(n)), g), hot), nil)
	},
	LocalOf: func(n *Node, arg int) string {
		if arg == 1 {
			return "0"
		}
		return divided("−onehot("+n.InputNames()[1]+")", batchSize(n))
	},
	Formula: func(_ *Node, ins []string) string { return "nll(" + ins[0] + ", " + ins[1] + ")" },
	Func:    "nll", TeX: `\operatorname{NLL}`,
}

// clampedLog is ln x, at least −100, as PyTorch's binary_cross_entropy
// clamps it so that a probability of exactly 0 or 1 gives a finite loss.
func clampedLog(x float64) float64 { return math.Max(math.Log(x), -100) }

var opBCE = &Op{
	Name: "binary_cross_entropy", MinArgs: 2, MaxArgs: 2, Loss: true,
	Shape: lossPairShape,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		return meanOf(in[0], in[1], func(p, y float64) float64 {
			return -(y*clampedLog(p) + (1-y)*clampedLog(1-p))
		})
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		p, y := n.Inputs[0], n.Inputs[1]
		k := b.Scale(1/float64(pairCount(n)), g)
		out := b.Slots(2)
		one := b.Const(1)
		if need[0] {
			out[0] = b.Mul(k, b.Div(b.Sub(p, y), b.Mul(p, b.Sub(one, p))))
		}
		if need[1] {
			out[1] = b.BroadcastTo(b.Mul(k, b.Sub(b.Call("log", b.Sub(one, p)), b.Call("log", p))), pairShape(n))
		}
		return out
	},
	LocalOf: func(n *Node, arg int) string {
		ins := n.InputNames()
		p, y := paren(ins[0]), paren(ins[1])
		if arg == 0 {
			return divided("("+p+" − "+y+")/("+p+"(1 − "+p+"))", pairCount(n))
		}
		return divided("ln(1 − "+p+") − ln "+p, pairCount(n))
	},
	Formula: func(_ *Node, ins []string) string { return "BCE(" + ins[0] + ", " + ins[1] + ")" },
	Func:    "BCE", TeX: `\operatorname{BCE}`,
}

var opBCEWithLogits = &Op{
	Name: "bce_with_logits", MinArgs: 2, MaxArgs: 2, Loss: true,
	Shape: lossPairShape,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		// max(z, 0) − z·y + ln(1 + e^−|z|): no exp of a large number.
		return meanOf(in[0], in[1], func(z, y float64) float64 {
			return math.Max(z, 0) - z*y + math.Log1p(math.Exp(-math.Abs(z)))
		})
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		z, y := n.Inputs[0], n.Inputs[1]
		k := b.Scale(1/float64(pairCount(n)), g)
		out := b.Slots(2)
		if need[0] {
			out[0] = b.Mul(k, b.Sub(b.Call("sigmoid", z), y))
		}
		if need[1] {
			out[1] = b.BroadcastTo(b.Neg(b.Mul(k, z)), pairShape(n))
		}
		return out
	},
	LocalOf: func(n *Node, arg int) string {
		ins := n.InputNames()
		if arg == 0 {
			return divided("σ("+ins[0]+") − "+paren(ins[1]), pairCount(n))
		}
		return divided("−"+paren(ins[0]), pairCount(n))
	},
	Formula: func(_ *Node, ins []string) string { return "BCE_logits(" + ins[0] + ", " + ins[1] + ")" },
	Func:    "BCE_logits", TeX: `\operatorname{BCEwithlogits}`,
}

// huber is the Huber loss of one difference d with threshold delta:
// d²/2 inside ±delta, linear outside.
func huber(d, delta float64) float64 {
	if a := math.Abs(d); a > delta {
		return delta * (a - delta/2)
	}
	return d * d / 2
}

var opHuber = &Op{
	Name: "huber", MinArgs: 3, MaxArgs: 3, Loss: true,
	Shape: func(in [][]int, attr []int) ([]int, error) {
		if len(in[2]) != 0 {
			return nil, fmt.Errorf("delta has shape %s: expected a scalar", ShapeString(in[2]))
		}
		return lossPairShape(in[:2], attr)
	},
	Forward: func(in []*Tensor, _ []int) *Tensor {
		delta := in[2].Item()
		return meanOf(in[0], in[1], func(a, b float64) float64 { return huber(a-b, delta) })
	},
	VJP: func(bd *Builder, n, g *Node, need []bool) []*Node {
		a, b, delta := n.Inputs[0], n.Inputs[1], n.Inputs[2]
		k := bd.Scale(1/float64(pairCount(n)), g)
		d := bd.Sub(a, b)
		out := bd.Slots(3)
		if need[0] || need[1] {
			ga := bd.Mul(k, bd.Call("clip", d, bd.Neg(delta), delta))
			out[0], out[1] = ga, bd.Neg(ga)
		}
		if need[2] {
			out[2] = bd.Mul(k, bd.Call("sum", bd.Call("relu", bd.Sub(bd.Call("abs", d), delta))))
		}
		return out
	},
	LocalOf: func(n *Node, arg int) string {
		ins := n.InputNames()
		d := ins[0] + " − " + paren(ins[1])
		delta := paren(ins[2])
		switch arg {
		case 0:
			return divided("clip("+d+", −"+delta+", "+delta+")", pairCount(n))
		case 1:
			return divided("−clip("+d+", −"+delta+", "+delta+")", pairCount(n))
		}
		return divided("Σ relu(|"+d+"| − "+delta+")", pairCount(n))
	},
	Formula: func(_ *Node, ins []string) string {
		return "huber(" + ins[0] + ", " + ins[1] + ", " + ins[2] + ")"
	},
	Func: "huber", TeX: `\operatorname{huber}`,
	Pieces: func(in []*Tensor, _ []int, dst []int) []int {
		delta := in[2].Item()
		d := zipWith(in[0], in[1], func(a, b float64) float64 { return b2f(math.Abs(a-b) > delta) })
		for _, v := range d.Data {
			dst = append(dst, int(v))
		}
		return dst
	},
}
