package graph

import (
	"fmt"
	"strconv"
)

// This file holds matmul, outer, transpose and the reductions, each with its
// shape rule, forward function and derivative rule.

var opMatMul = &Op{
	Name: "matmul", MinArgs: 2, MaxArgs: 2,
	Shape: func(in [][]int, _ []int) ([]int, error) {
		a, b := in[0], in[1]
		if len(a) == 0 || len(b) == 0 {
			return nil, fmt.Errorf("%s·%s: both operands must be vectors or matrices", ShapeString(a), ShapeString(b))
		}
		ka, kb := a[len(a)-1], b[0]
		if ka != kb {
			return nil, fmt.Errorf("%s·%s: inner dimensions %d and %d differ", ShapeString(a), ShapeString(b), ka, kb)
		}
		var out []int
		if len(a) == 2 {
			out = append(out, a[0])
		}
		if len(b) == 2 {
			out = append(out, b[1])
		}
		return out, nil
	},
	// A product of [m,k] and [k,n] takes m·k·n multiply-adds.
	Work: func(in [][]int, _ []int) int {
		k := max(1, in[0][len(in[0])-1])
		return Size(in[0]) * (Size(in[1]) / k)
	},
	Forward: func(in []*Tensor, _ []int) *Tensor {
		a, b := in[0], in[1]
		m, k, n := 1, a.Shape[len(a.Shape)-1], 1
		if a.Rank() == 2 {
			m = a.Shape[0]
		}
		if b.Rank() == 2 {
			n = b.Shape[1]
		}
		var shape []int
		if a.Rank() == 2 {
			shape = append(shape, m)
		}
		if b.Rank() == 2 {
			shape = append(shape, n)
		}
		out := Zeros(shape)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for p := 0; p < k; p++ {
					s += a.Data[i*k+p] * b.Data[p*n+j]
				}
				out.Data[i*n+j] = s
			}
		}
		return out
	},
	VJP: func(bd *Builder, n, g *Node, need []bool) []*Node {
		a, b := n.Inputs[0], n.Inputs[1]
		out := bd.Slots(2)
		ra, rb := len(a.Shape), len(b.Shape)
		if need[0] {
			switch {
			case ra == 2 && rb == 2:
				out[0] = bd.MatMul(g, bd.T(b))
			case ra == 2: // [m,k]·[k] = [m]
				out[0] = bd.Outer(g, b)
			case rb == 2: // [k]·[k,n] = [n]
				out[0] = bd.MatMul(b, g)
			default: // [k]·[k] = scalar
				out[0] = bd.Mul(g, b)
			}
		}
		if need[1] {
			switch {
			case ra == 2 && rb == 2:
				out[1] = bd.MatMul(bd.T(a), g)
			case ra == 2: // [m,k]·[k]: ∂B = Aᵀ·g
				out[1] = bd.MatMul(g, a)
			case rb == 2: // [k]·[k,n]: ∂B = a ⊗ g
				out[1] = bd.Outer(a, g)
			default:
				out[1] = bd.Mul(g, a)
			}
		}
		return out
	},
	Local: func(ins []string, _ string, arg int) string {
		return paren(ins[1-arg]) + "ᵀ"
	},
	Formula: func(_ *Node, ins []string) string { return paren(ins[0]) + "·" + paren(ins[1]) },
	Delta: func(n *Node, arg int) string {
		ra, rb := len(n.Inputs[0].Shape), len(n.Inputs[1].Shape)
		if arg == 0 {
			switch {
			case ra == 2: // ∂/∂A = G·Bᵀ; with a vector B, the outer product δ·Bᵀ.
				return "{δ} · {1}ᵀ"
			case rb == 2: // [k]·[k,n]: ∂/∂a = B·δ.
				return "{1} · {δ}"
			}
			return "{δ} · {1}"
		}
		switch {
		case ra == 2: // ∂/∂B = Aᵀ·G.
			return "{0}ᵀ · {δ}"
		case rb == 2: // [k]·[k,n]: ∂/∂B = a·δᵀ, an outer product.
			return "{0} · {δ}ᵀ"
		}
		return "{δ} · {0}"
	},
	Jacobian: func(n *Node, arg int) string {
		ra, rb := len(n.Inputs[0].Shape), len(n.Inputs[1].Shape)
		switch {
		case arg == 1 && ra == 2 && rb == 1: // z = A·x: ∂z/∂x = A.
			return "{0}"
		case arg == 0 && ra == 1: // z = x·B or x·y: ∂z/∂x = Bᵀ (a row yᵀ).
			return "{1}ᵀ"
		case arg == 1 && ra == 1 && rb == 1:
			return "{0}ᵀ"
		case arg == 0 && rb == 1: // z = A·x: ∂z_i/∂A_ij = x_j.
			return "∂{out}_i/∂{0}_ij = {1}_j"
		case arg == 0: // Z = A·B: ∂Z_ik/∂A_ij = B_jk.
			return "∂{out}_ik/∂{0}_ij = {1}_jk"
		case ra == 1: // z = a·B: ∂z_k/∂B_jk = a_j.
			return "∂{out}_k/∂{1}_jk = {0}_j"
		}
		return "∂{out}_ik/∂{1}_jk = {0}_ij" // Z = A·B.
	},
	DeltaShapes: func(n *Node, arg int) string {
		a, b := n.Inputs[0], n.Inputs[1]
		ra, rb := len(a.Shape), len(b.Shape)
		if arg == 0 {
			switch {
			case ra == 2:
				return productShapes(n, b, false, true, a)
			case rb == 2:
				return productShapes(b, n, false, false, a)
			}
			return ""
		}
		switch {
		case ra == 2:
			return productShapes(a, n, true, false, b)
		case rb == 2:
			return productShapes(a, n, false, true, b)
		}
		return ""
	},
}

// productShapes describes a matrix product x·y that gives the shape of
// res, as in "[2,3]ᵀ·[2] → [3]".
func productShapes(x, y *Node, tx, ty bool, res *Node) string {
	sx, sy := ShapeString(x.Shape), ShapeString(y.Shape)
	if tx {
		sx += "ᵀ"
	}
	if ty {
		sy += "ᵀ"
	}
	return sx + "·" + sy + " → " + ShapeString(res.Shape)
}

// opOuter is the outer product of two vectors, u ⊗ v = u·vᵀ; matmul's
// derivative rules need it.
var opOuter = &Op{
	Name: "outer", MinArgs: 2, MaxArgs: 2, Internal: true,
	Shape: func(in [][]int, _ []int) ([]int, error) {
		if len(in[0]) != 1 || len(in[1]) != 1 {
			return nil, fmt.Errorf("%s⊗%s: both operands must be vectors", ShapeString(in[0]), ShapeString(in[1]))
		}
		return []int{in[0][0], in[1][0]}, nil
	},
	Forward: func(in []*Tensor, _ []int) *Tensor {
		u, v := in[0], in[1]
		out := Zeros([]int{len(u.Data), len(v.Data)})
		for i, x := range u.Data {
			for j, y := range v.Data {
				out.Data[i*len(v.Data)+j] = x * y
			}
		}
		return out
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		u, v := n.Inputs[0], n.Inputs[1]
		out := b.Slots(2)
		if need[0] {
			out[0] = b.MatMul(g, v)
		}
		if need[1] {
			out[1] = b.MatMul(u, g)
		}
		return out
	},
	Local:   func(ins []string, _ string, arg int) string { return ins[1-arg] },
	Formula: func(_ *Node, ins []string) string { return paren(ins[0]) + "⊗" + paren(ins[1]) },
}

var opTranspose = &Op{
	Name: "transpose", MinArgs: 1, MaxArgs: 1,
	Shape: func(in [][]int, _ []int) ([]int, error) {
		if len(in[0]) != 2 {
			return nil, fmt.Errorf("%s: the operand must be a matrix (rank 2)", ShapeString(in[0]))
		}
		return []int{in[0][1], in[0][0]}, nil
	},
	Forward: func(in []*Tensor, _ []int) *Tensor {
		a := in[0]
		r, c := a.Shape[0], a.Shape[1]
		out := Zeros([]int{c, r})
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				out.Data[j*r+i] = a.Data[i*c+j]
			}
		}
		return out
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		return b.Of(b.T(g))
	},
	Local:   func(ins []string, _ string, _ int) string { return "(·)ᵀ" },
	Formula: func(_ *Node, ins []string) string { return paren(ins[0]) + "ᵀ" },
	Delta:   func(*Node, int) string { return "{δ}ᵀ" },
}

// opSumTo sums its input over broadcast dimensions down to the shape in
// attr. The backward pass uses it to give each operand of a broadcasting
// op a gradient of its own shape.
var opSumTo = &Op{
	Name: "sum_to", MinArgs: 1, MaxArgs: 1, Internal: true,
	Shape:   func(in [][]int, attr []int) ([]int, error) { return cloneShape(attr), nil },
	Forward: func(in []*Tensor, attr []int) *Tensor { return SumTo(in[0], attr) },
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		return b.Of(b.BroadcastTo(g, n.Inputs[0].Shape))
	},
	Local:   func(ins []string, _ string, _ int) string { return "1" },
	Formula: func(_ *Node, ins []string) string { return "sum_to(" + ins[0] + ")" },
	Func:    "sum_to", TeX: `\operatorname{sumto}`,
}

// opBroadcastTo expands its input to the shape in attr; it is the adjoint of
// sum_to.
var opBroadcastTo = &Op{
	Name: "broadcast_to", MinArgs: 1, MaxArgs: 1, Internal: true,
	Shape:   func(in [][]int, attr []int) ([]int, error) { return cloneShape(attr), nil },
	Forward: func(in []*Tensor, attr []int) *Tensor { return BroadcastTo(in[0], attr) },
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		return b.Of(b.SumTo(g, n.Inputs[0].Shape))
	},
	Local:   func(ins []string, _ string, _ int) string { return "1" },
	Formula: func(_ *Node, ins []string) string { return "broadcast(" + ins[0] + ")" },
	Func:    "broadcast", TeX: `\operatorname{broadcast}`,
}

var opSquaredError = &Op{
	Name: "squared_error", MinArgs: 2, MaxArgs: 2, Loss: true,
	Shape: lossPairShape,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		d := zipWith(in[0], in[1], func(x, y float64) float64 { return (x - y) * (x - y) })
		return opSum.Forward([]*Tensor{d}, nil)
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		ga := b.Mul(g, b.Scale(2, b.Sub(n.Inputs[0], n.Inputs[1])))
		return b.Of(ga, b.Neg(ga))
	},
	Local: func(ins []string, _ string, arg int) string {
		return [2]string{"", "−"}[arg] + "2(" + ins[0] + " − " + paren(ins[1]) + ")"
	},
	Formula: func(_ *Node, ins []string) string { return "Σ(" + ins[0] + " − " + paren(ins[1]) + ")²" },
}

var opMSE = &Op{
	Name: "mse", MinArgs: 2, MaxArgs: 2, Loss: true,
	Shape: opSquaredError.Shape,
	Forward: func(in []*Tensor, _ []int) *Tensor {
		d := zipWith(in[0], in[1], func(x, y float64) float64 { return (x - y) * (x - y) })
		return opMean.Forward([]*Tensor{d}, nil)
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		shape, _ := BroadcastShapes(n.Inputs[0].Shape, n.Inputs[1].Shape)
		c := 2 / float64(Size(shape))
		ga := b.Mul(g, b.Scale(c, b.Sub(n.Inputs[0], n.Inputs[1])))
		return b.Of(ga, b.Neg(ga))
	},
	Local: func(ins []string, _ string, arg int) string {
		return [2]string{"", "−"}[arg] + "2(" + ins[0] + " − " + paren(ins[1]) + ")/n"
	},
	Formula: func(_ *Node, ins []string) string { return "mean((" + ins[0] + " − " + paren(ins[1]) + ")²)" },
}

var _ = strconv.Itoa
