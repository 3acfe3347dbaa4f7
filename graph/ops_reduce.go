package graph

import (
	"fmt"
	"math"
)

// This file holds the reductions that take an axis (sum, mean, max, var),
// reshape, flatten and onehot. A reduction without axis= reduces every
// element to a scalar; with axis=0 a matrix [r,c] becomes the vector [c] of
// its column results and with axis=1 the vector [r] of its row results (a
// vector's only axis is 0).

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

// Reshape returns x with the given shape (the same number of elements).
func (b *Builder) Reshape(x *Node, shape []int) *Node {
	if sameShape(x.Shape, shape) {
		return x
	}
	return b.Apply(b.ops.Get("reshape"), cloneShape(shape), x)
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
		return []*Node{expandAxis(b, g, n.Inputs[0].Shape, axisOf(n.Attr))}
	},
	Local: func(ins []string, _ string, _ int) string { return "1" },
	Formula: func(n *Node, ins []string) string {
		attr := n.Attr
		return axisText("sum", ins[0], attr, "Σ "+paren(ins[0]))
	},
	Func: "sum", TeX: `\operatorname{sum}`,
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
		return []*Node{expandAxis(b, b.Scale(1/float64(axisCount(a.Shape, axis)), g), a.Shape, axis)}
	},
	Local: func(ins []string, _ string, _ int) string { return "1/n" },
	Formula: func(n *Node, ins []string) string {
		attr := n.Attr
		return axisText("mean", ins[0], attr, "mean("+ins[0]+")")
	},
	Func: "mean", TeX: `\operatorname{mean}`,
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
		return []*Node{b.Mul(expandAxis(b, g, a.Shape, axis), mask)}
	},
	Local: func(ins []string, out string, _ int) string {
		return "1[" + ins[0] + " = " + out + "]"
	},
	Formula: func(n *Node, ins []string) string {
		attr := n.Attr
		return axisText("max", ins[0], attr, "max("+ins[0]+")")
	},
	Func: "max", TeX: `\max`,
	Second: zeroSecond,
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
	VJP:     func(b *Builder, n, g *Node, need []bool) []*Node { return []*Node{nil} },
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
		return []*Node{b.Mul(expandAxis(b, g, a.Shape, axis), b.Scale(c, d))}
	},
	Local: func(ins []string, _ string, _ int) string {
		return "2(" + ins[0] + " − mean(" + ins[0] + "))/n"
	},
	Formula: func(n *Node, ins []string) string {
		attr := n.Attr
		return axisText("var", ins[0], attr, "var("+ins[0]+")")
	},
	Func: "var", TeX: `\operatorname{var}`,
}

// opReshape gives its input another shape of rank ≤ 2 with the same
// number of elements, in row-major order.
var opReshape = &Op{
	Name: "reshape", MinArgs: 1, MaxArgs: 1,
	Keyword: &Keyword{Name: "shape", List: true, Required: true, Hint: "shape=[2, 3]"},
	Shape: func(in [][]int, attr []int) ([]int, error) {
		if len(attr) > 2 {
			return nil, keywordErrorf("shape=%s: the rank is at most 2", ShapeString(attr))
		}
		for _, d := range attr {
			if d < 1 {
				return nil, keywordErrorf("shape=%s: every dimension must be at least 1", ShapeString(attr))
			}
		}
		if Size(attr) != Size(in[0]) {
			return nil, keywordErrorf("shape=%s has %d elements, the input %s has %d", ShapeString(attr), Size(attr), ShapeString(in[0]), Size(in[0]))
		}
		return cloneShape(attr), nil
	},
	Forward: func(in []*Tensor, attr []int) *Tensor {
		return &Tensor{Shape: cloneShape(attr), Data: append([]float64(nil), in[0].Data...)}
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		return []*Node{b.Reshape(g, n.Inputs[0].Shape)}
	},
	Local: func(ins []string, _ string, _ int) string { return "1" },
	Formula: func(n *Node, ins []string) string {
		attr := n.Attr
		return fmt.Sprintf("reshape(%s, shape=%s)", ins[0], ShapeString(attr))
	},
	Func: "reshape", TeX: `\operatorname{reshape}`,
	// The elements move, they are not transformed: δ_x is δ laid out in
	// x's shape.
	Delta:  func(n *Node, _ int) string { return "reshape(" + "{δ}" + ")" },
	Second: zeroSecond,
}

// opFlatten lays its input out as a vector.
var opFlatten = &Op{
	Name: "flatten", MinArgs: 1, MaxArgs: 1,
	Shape: func(in [][]int, _ []int) ([]int, error) { return []int{Size(in[0])}, nil },
	Forward: func(in []*Tensor, _ []int) *Tensor {
		return &Tensor{Shape: []int{len(in[0].Data)}, Data: append([]float64(nil), in[0].Data...)}
	},
	VJP: func(b *Builder, n, g *Node, need []bool) []*Node {
		return []*Node{b.Reshape(g, n.Inputs[0].Shape)}
	},
	Local:   func(ins []string, _ string, _ int) string { return "1" },
	Formula: func(_ *Node, ins []string) string { return "flatten(" + ins[0] + ")" },
	Func:    "flatten", TeX: `\operatorname{flatten}`,
	Delta:  func(n *Node, _ int) string { return "reshape(" + "{δ}" + ")" },
	Second: zeroSecond,
}

// opOnehot turns class indices (a scalar, or a vector of a batch) into
// one-hot rows of length classes. It has no gradient.
var opOnehot = &Op{
	Name: "onehot", MinArgs: 1, MaxArgs: 1,
	Keyword: &Keyword{Name: "classes", Required: true, Hint: "classes=3"},
	Shape: func(in [][]int, attr []int) ([]int, error) {
		k := attr[0]
		if k < 1 || k > 1<<20 {
			return nil, keywordErrorf("classes=%d: expected a number of classes from 1 to %d", k, 1<<20)
		}
		switch len(in[0]) {
		case 0:
			return []int{k}, nil
		case 1:
			return []int{in[0][0], k}, nil
		}
		return nil, fmt.Errorf("%s: the class indices must be a scalar or a vector", ShapeString(in[0]))
	},
	Forward: func(in []*Tensor, attr []int) *Tensor {
		return onehot(in[0], attr[0])
	},
	VJP:   func(b *Builder, n, g *Node, need []bool) []*Node { return []*Node{nil} },
	Local: func(ins []string, _ string, _ int) string { return "0" },
	Formula: func(n *Node, ins []string) string {
		return fmt.Sprintf("onehot(%s, classes=%d)", ins[0], n.Attr[0])
	},
	Func: "onehot", TeX: `\operatorname{onehot}`,
	Check: func(in []*Tensor, attr []int) error { return checkClasses(in[0], attr[0], "class index") },
}

// onehot returns the one-hot rows of the class indices in y; an index that
// is not a class gives a row of NaN (Check reports it first).
func onehot(y *Tensor, k int) *Tensor {
	shape := []int{k}
	if y.Rank() == 1 {
		shape = []int{y.Size(), k}
	}
	out := Zeros(shape)
	for i, v := range y.Data {
		c := int(v)
		if float64(c) != v || c < 0 || c >= k {
			for j := 0; j < k; j++ {
				out.Data[i*k+j] = math.NaN()
			}
			continue
		}
		out.Data[i*k+c] = 1
	}
	return out
}

// checkClasses reports an element of y that is not a class index from 0
// to k−1.
func checkClasses(y *Tensor, k int, what string) error {
	for i, v := range y.Data {
		if c := int(v); float64(c) != v || c < 0 || c >= k {
			at := ""
			if y.Rank() > 0 {
				at = fmt.Sprintf(" (element %d)", i)
			}
			return fmt.Errorf("%s %s%s is not a class: expected an integer from 0 to %d", what, FormatNumber(v), at, k-1)
		}
	}
	return nil
}
