package graph

import (
	"fmt"
	"math"
)

// This file holds reshape, flatten and onehot: ops that move elements or
// encode class indices without arithmetic.

// Reshape returns x with the given shape (the same number of elements).
func (b *Builder) Reshape(x *Node, shape []int) *Node {
	if sameShape(x.Shape, shape) {
		return x
	}
	return b.Apply(b.ops.Get("reshape"), cloneShape(shape), x)
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
		return b.Of(b.Reshape(g, n.Inputs[0].Shape))
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
		return b.Of(b.Reshape(g, n.Inputs[0].Shape))
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
	VJP:   func(b *Builder, n, g *Node, need []bool) []*Node { return b.Slots(1) },
	Local: func(ins []string, _ string, _ int) string { return "0" },
	Formula: func(n *Node, ins []string) string {
		return fmt.Sprintf("onehot(%s, classes=%d)", ins[0], n.Attr[0])
	},
	Func: "onehot", TeX: `\operatorname{onehot}`,
	Check: func(n *Node, in []*Tensor) error {
		if err := indexLeaf(n, 0, "the input"); err != nil {
			return err
		}
		return checkClasses(in[0], n.Attr[0], "class index")
	},
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

// indexLeaf reports input arg of n, which holds class indices, when it is
// a leaf with a gradient: indices are not differentiable, so the leaf must
// say grad: false.
func indexLeaf(n *Node, arg int, what string) error {
	if in := n.Inputs[arg]; in.IsLeaf() && !in.NoGrad {
		return fmt.Errorf("%s %s holds class indices, which have no gradient: declare %s with grad: false", what, in.Name, in.Name)
	}
	return nil
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
