package graph

import (
	"fmt"
	"math"
	"strings"
)

// This file holds the reductions that take an axis: sum, mean, max and
// var. A reduction without axis= reduces every element to a scalar; with
// axis=0 a matrix [r,c] becomes the vector [c] of its column results and
// with axis=1 the vector [r] of its row results (a vector's only axis is
// 0).

// axisKeyword is the keyword of the reductions.
var axisKeyword = &Keyword{Name: "axis", Hint: "axis=0"}

// reduceShape is the shape rule of the reductions.
func reduceShape(in [][]int, attr []int) ([]int, error) {
	axis, err := axisArg(in[0], attr)
	if err != nil {
		return nil, err
	}
	return reducedShape(in[0], axis), nil
}

// reducedShape is the shape of x reduced along axis (−1: everything).
func reducedShape(x []int, axis int) []int {
	switch {
	case axis < 0 || len(x) == 1:
		return nil
	case axis == 0:
		return []int{x[1]}
	default:
		return []int{x[0]}
	}
}

// axisOf returns the axis in a reduction's attr, −1 for none.
func axisOf(attr []int) int {
	if attr == nil {
		return -1
	}
	return attr[0]
}

// reduce applies f to each group of elements of t that axis reduces
// together, in output order; f gets the group's values.
func reduce(t *Tensor, axis int, f func(xs []float64) float64) *Tensor {
	out := Zeros(reducedShape(t.Shape, axis))
	groups := reduceGroups(t.Shape, axis)
	buf := make([]float64, 0, 8)
	for k, g := range groups {
		buf = buf[:0]
		for _, i := range g {
			buf = append(buf, t.Data[i])
		}
		out.Data[k] = f(buf)
	}
	return out
}

// reduceGroups lists, for each output element of a reduction of a tensor
// of shape along axis, the indices of the input elements it reduces.
func reduceGroups(shape []int, axis int) [][]int {
	n := Size(shape)
	switch {
	case axis < 0 || len(shape) == 1:
		g := make([]int, n)
		for i := range g {
			g[i] = i
		}
		return [][]int{g}
	case axis == 0:
		r, c := shape[0], shape[1]
		out := make([][]int, c)
		for j := range out {
			for i := 0; i < r; i++ {
				out[j] = append(out[j], i*c+j)
			}
		}
		return out
	default:
		r, c := shape[0], shape[1]
		out := make([][]int, r)
		for i := range out {
			for j := 0; j < c; j++ {
				out[i] = append(out[i], i*c+j)
			}
		}
		return out
	}
}

// axisCount is the number of elements each output of a reduction combines.
func axisCount(shape []int, axis int) int {
	if axis < 0 || len(shape) == 1 {
		return Size(shape)
	}
	return shape[axis]
}

// expandAxis broadcasts g, the gradient of a reduction along axis of a
// tensor of shape x, back to x's shape: a row result [r] is first made the
// column [r,1].
func expandAxis(b *Builder, g *Node, x []int, axis int) *Node {
	if len(x) == 2 && axis == 1 {
		g = b.Reshape(g, []int{x[0], 1})
	}
	return b.BroadcastTo(g, x)
}

// axisDelta returns the δ form of a reduction along an axis: δ spread
// back over the axis it reduced (broadcast), then the op's factor, as in
// "broadcast(δ)/3" for mean; "" for a reduction to a scalar, whose generic
// form δ · local applies.
func axisDelta(factor string) func(n *Node, arg int) string {
	return func(n *Node, _ int) string {
		if n.Attr == nil || len(n.Shape) == 0 {
			return ""
		}
		k := axisCount(n.Inputs[0].Shape, n.Attr[0])
		return "broadcast({δ})" + strings.ReplaceAll(factor, "{n}", fmt.Sprint(k))
	}
}

// axisDeltaShapes describes the broadcast of a reduction's δ form.
func axisDeltaShapes(n *Node, _ int) string {
	return ShapeString(n.Shape) + " → " + ShapeString(n.Inputs[0].Shape)
}

// axisText is the formula of a reduction: "Σ X" without axis, as v1
// writes it, and "sum(X, axis=0)" with one.
func axisText(name, ins0 string, attr []int, whole string) string {
	if attr == nil {
		return whole
	}
	return fmt.Sprintf("%s(%s, axis=%d)", name, ins0, attr[0])
}

var opSum = &Op{
	Name: "sum", MinArgs: 1, MaxArgs: 1, Keyword: axisKeyword,
	Shape: reduceShape,
	Forward: func(in []*Tensor, attr []int) *Tensor {
		return reduce(in[0], axisOf(attr), func(xs []float64) float64 {
			s := 0.0
			for _, v := range xs {
				s += v
			}
			return s
		})
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		return b.Of(expandAxis(b, g, n.Inputs[0].Shape, axisOf(n.Attr)))
	},
	Local: func(ins []string, _ string, _ int) string { return "1" },
	Formula: func(n *Node, ins []string) string {
		attr := n.Attr
		return axisText("sum", ins[0], attr, "Σ "+paren(ins[0]))
	},
	Func: "sum", TeX: `\operatorname{sum}`,
	Delta:       axisDelta(""),
	DeltaShapes: axisDeltaShapes,
}

var opMean = &Op{
	Name: "mean", MinArgs: 1, MaxArgs: 1, Keyword: axisKeyword,
	Shape: reduceShape,
	Forward: func(in []*Tensor, attr []int) *Tensor {
		return reduce(in[0], axisOf(attr), func(xs []float64) float64 {
			s := 0.0
			for _, v := range xs {
				s += v
			}
			return s / float64(len(xs))
		})
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		a, axis := n.Inputs[0], axisOf(n.Attr)
		return b.Of(expandAxis(b, b.Scale(1/float64(axisCount(a.Shape, axis)), g), a.Shape, axis))
	},
	Local: func(ins []string, _ string, _ int) string { return "1/n" },
	Formula: func(n *Node, ins []string) string {
		attr := n.Attr
		return axisText("mean", ins[0], attr, "mean("+ins[0]+")")
	},
	Func: "mean", TeX: `\operatorname{mean}`,
	Delta:       axisDelta("/{n}"),
	DeltaShapes: axisDeltaShapes,
}

// opMax is the largest element, or the largest of each column (axis=0) or
// row (axis=1). As PyTorch, the gradient of max over everything is split
// evenly between tied elements, and that of max along an axis goes to the
// first largest element of each group.
var opMax = &Op{
	Name: "max", MinArgs: 1, MaxArgs: 1, Keyword: axisKeyword,
	Shape: reduceShape,
	Forward: func(in []*Tensor, attr []int) *Tensor {
		return reduce(in[0], axisOf(attr), func(xs []float64) float64 {
			m := math.Inf(-1)
			for _, v := range xs {
				m = math.Max(m, v)
			}
			return m
		})
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		a, axis := n.Inputs[0], axisOf(n.Attr)
		mask := b.Apply(b.ops.Get("argmax_mask"), n.Attr, a)
		return b.Of(b.Mul(expandAxis(b, g, a.Shape, axis), mask))
	},
	Local: func(ins []string, out string, _ int) string {
		return "1[" + ins[0] + " = " + out + "]"
	},
	Formula: func(n *Node, ins []string) string {
		attr := n.Attr
		return axisText("max", ins[0], attr, "max("+ins[0]+")")
	},
	Func: "max", TeX: `\max`,
	Delta: func(n *Node, arg int) string {
		if f := axisDelta("")(n, arg); f != "" {
			return f + " ⊙ 1[{0} = " + n.DisplayName() + "]"
		}
		return ""
	},
	DeltaShapes: axisDeltaShapes,
	Second:      zeroSecond,
	Pieces: func(in []*Tensor, attr []int, dst []int) []int {
		// The arg-max of each group: a finite difference that changes it
		// straddles a kink.
		for _, g := range reduceGroups(in[0].Shape, axisOf(attr)) {
			best := 0
			for k, i := range g {
				if in[0].Data[i] > in[0].Data[g[best]] {
					best = k
				}
			}
			dst = append(dst, best)
		}
		return dst
	},
	Kink: func(n *Node) string {
		x, axis := n.Inputs[0].Value, axisOf(n.Attr)
		for _, g := range reduceGroups(x.Shape, axis) {
			m, ties := math.Inf(-1), 0
			for _, i := range g {
				switch v := x.Data[i]; {
				case v > m:
					m, ties = v, 1
				case v == m:
					ties++
				}
			}
			if ties > 1 {
				rule := "split evenly between the tied elements"
				if axis >= 0 {
					rule = "given to the first of them"
				}
				return fmt.Sprintf("%s = %s has a tie for the largest element (%s), where it is not differentiable; the gradient is %s (as PyTorch does)",
					n.Name, n.Op.Formula(n, n.InputNames()), FormatNumber(m), rule)
			}
		}
		return ""
	},
}

// opArgmaxMask is max's derivative: for each group, 1 at the largest
// element (1/k for each of k ties when reducing everything; the first of
// them along an axis), 0 elsewhere. Its own derivative is zero.
var opArgmaxMask = &Op{
	Name: "argmax_mask", MinArgs: 1, MaxArgs: 1, Internal: true,
	Shape: func(in [][]int, attr []int) ([]int, error) {
		if _, err := axisArg(in[0], attr); err != nil {
			return nil, err
		}
		return cloneShape(in[0]), nil
	},
	Forward: func(in []*Tensor, attr []int) *Tensor {
		x, axis := in[0], axisOf(attr)
		out := Zeros(x.Shape)
		for _, g := range reduceGroups(x.Shape, axis) {
			m := math.Inf(-1)
			for _, i := range g {
				m = math.Max(m, x.Data[i])
			}
			var at []int
			for _, i := range g {
				if x.Data[i] == m {
					at = append(at, i)
				}
			}
			if axis >= 0 || len(x.Shape) == 0 {
				at = at[:1]
			}
			for _, i := range at {
				out.Data[i] = 1 / float64(len(at))
			}
		}
		return out
	},
	VJP:     func(b *Builder, n, g *Node, need []bool) []*Node { return b.Slots(1) },
	Local:   func(ins []string, _ string, _ int) string { return "0" },
	Formula: func(_ *Node, ins []string) string { return "1[" + ins[0] + " = max]" },
}

// opVar is the population variance (divisor n, PyTorch's
// var(x, correction=0)) of every element or along an axis.
var opVar = &Op{
	Name: "var", MinArgs: 1, MaxArgs: 1, Keyword: axisKeyword,
	Shape: reduceShape,
	Forward: func(in []*Tensor, attr []int) *Tensor {
		return reduce(in[0], axisOf(attr), func(xs []float64) float64 {
			m := 0.0
			for _, v := range xs {
				m += v
			}
			m /= float64(len(xs))
			s := 0.0
			for _, v := range xs {
				s += (v - m) * (v - m)
			}
			return s / float64(len(xs))
		})
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		// ∂var/∂x = 2(x − mean)/n, each group with its own mean.
		a, axis := n.Inputs[0], axisOf(n.Attr)
		m := b.Apply(b.ops.Get("mean"), n.Attr, a)
		d := b.Sub(a, expandAxis(b, m, a.Shape, axis))
		c := 2 / float64(axisCount(a.Shape, axis))
		return b.Of(b.Mul(expandAxis(b, g, a.Shape, axis), b.Scale(c, d)))
	},
	Local: func(ins []string, _ string, _ int) string {
		return "2(" + ins[0] + " − mean(" + ins[0] + "))/n"
	},
	Formula: func(n *Node, ins []string) string {
		attr := n.Attr
		return axisText("var", ins[0], attr, "var("+ins[0]+")")
	},
	Func: "var", TeX: `\operatorname{var}`,
	Delta: func(n *Node, arg int) string {
		if f := axisDelta("")(n, arg); f != "" {
			return f + " ⊙ 2({0} − mean)/" + fmt.Sprint(axisCount(n.Inputs[0].Shape, n.Attr[0]))
		}
		return ""
	},
	DeltaShapes: axisDeltaShapes,
}
