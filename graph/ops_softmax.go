package graph

import (
	"fmt"
	"math"
)

// This file holds softmax, log_softmax and logsumexp. Each works over a
// vector, or row by row over a matrix [batch, classes], and is computed in
// the max-shifted form, so that logits of ±1000 give finite, correct values
// and gradients.

// rowsRule is the shape rule of the row-wise ops that keep their input's
// shape.
func rowsRule(in [][]int, _ []int) ([]int, error) {
	if len(in[0]) == 0 {
		return nil, fmt.Errorf("%s: expected a vector or a matrix [batch, classes]", ShapeString(in[0]))
	}
	return cloneShape(in[0]), nil
}

// rows calls f with each row of t (t itself for a vector), writing into
// the same positions of out.
func rows(t, out *Tensor, f func(x, y []float64)) {
	c := t.Shape[len(t.Shape)-1]
	for i := 0; i+c <= len(t.Data); i += c {
		f(t.Data[i:i+c], out.Data[i:i+c])
	}
}

// logSumExp is ln Σ exp(x), shifted by the maximum so that it neither
// overflows nor underflows.
func logSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	if math.IsInf(m, 0) {
		return m
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// rowSumKeep sums x over its last axis keeping it, so that the result
// broadcasts against x: a scalar for a vector, [r,1] for a matrix [r,c].
func rowSumKeep(b *Builder, x *Node) *Node {
	if len(x.Shape) == 1 {
		return b.Call("sum", x)
	}
	return b.Reshape(b.Apply(b.ops.Get("sum"), []int{1}, x), []int{x.Shape[0], 1})
}

// rowSumText is how δ forms write rowSumKeep: Σ for a vector, Σ_rows
// (the sum of each row) for a matrix.
func rowSumText(n *Node) string {
	if len(n.Shape) == 2 {
		return "Σ_rows"
	}
	return "Σ"
}

var opSoftmax = &Op{
	Name: "softmax", MinArgs: 1, MaxArgs: 1,
	Shape: rowsRule,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		out := Zeros(in[0].Shape)
		rows(in[0], out, func(x, y []float64) {
			l := logSumExp(x)
			for j, v := range x {
				y[j] = math.Exp(v - l)
			}
		})
		return out
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		// δ_x = s ⊙ (δ − Σ_row δ ⊙ s).
		return b.Of(b.Mul(n, b.Sub(g, rowSumKeep(b, b.Mul(g, n)))))
	},
	Local: func(ins []string, out string, _ int) string {
		return "diag(" + out + ") − " + out + "·" + out + "ᵀ"
	},
	Formula: func(_ *Node, ins []string) string { return "softmax(" + ins[0] + ")" },
	Func:    "softmax", TeX: `\operatorname{softmax}`,
	Delta: func(n *Node, _ int) string {
		return "{out} ⊙ ({δ} − " + rowSumText(n) + "({δ} ⊙ {out}))"
	},
}

var opLogSoftmax = &Op{
	Name: "log_softmax", MinArgs: 1, MaxArgs: 1,
	Shape: rowsRule,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		out := Zeros(in[0].Shape)
		rows(in[0], out, func(x, y []float64) {
			l := logSumExp(x)
			for j, v := range x {
				y[j] = v - l
			}
		})
		return out
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		// δ_x = δ − softmax(x) ⊙ Σ_row δ.
		s := b.Call("softmax", n.Inputs[0])
		return b.Of(b.Sub(g, b.Mul(s, rowSumKeep(b, g))))
	},
	Local: func(ins []string, _ string, _ int) string {
		return "I − 1·softmax(" + ins[0] + ")ᵀ"
	},
	Formula: func(_ *Node, ins []string) string { return "log_softmax(" + ins[0] + ")" },
	Func:    "log_softmax", TeX: `\operatorname{logsoftmax}`,
	Delta: func(n *Node, _ int) string {
		return "{δ} − softmax({0}) ⊙ " + rowSumText(n) + "({δ})"
	},
}

var opLogSumExp = &Op{
	Name: "logsumexp", MinArgs: 1, MaxArgs: 1,
	Shape: func(in [][]int, attr []int) ([]int, error) {
		if _, err := rowsRule(in, attr); err != nil {
			return nil, err
		}
		if len(in[0]) == 2 {
			return []int{in[0][0]}, nil
		}
		return nil, nil
	},
	Forward: func(in []*Tensor, _ []int) *Tensor {
		x := in[0]
		var out *Tensor
		if x.Rank() == 2 {
			out = Zeros([]int{x.Shape[0]})
		} else {
			out = Scalar(0)
		}
		c := x.Shape[len(x.Shape)-1]
		for i := range out.Data {
			out.Data[i] = logSumExp(x.Data[i*c : (i+1)*c])
		}
		return out
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		// δ_x = softmax(x) ⊙ δ, each row's δ spread over its row.
		x := n.Inputs[0]
		if len(x.Shape) == 2 {
			g = b.Reshape(g, []int{x.Shape[0], 1})
		}
		return b.Of(b.Mul(b.Call("softmax", x), g))
	},
	Local:   func(ins []string, _ string, _ int) string { return "softmax(" + ins[0] + ")ᵀ" },
	Formula: func(_ *Node, ins []string) string { return "logsumexp(" + ins[0] + ")" },
	Func:    "logsumexp", TeX: `\operatorname{logsumexp}`,
	Delta: func(n *Node, _ int) string {
		return "softmax({0}) ⊙ {δ}"
	},
}
