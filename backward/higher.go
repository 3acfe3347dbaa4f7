package backward

import (
	"fmt"
	"strconv"

	"github.com/chainviz/chainviz/graph"
)

// MaxOrder is the highest derivative order AddHigherOrder computes.
const MaxOrder = 4

// MaxHessianLeaves is the largest number of scalar leaf elements a full
// Hessian is computed for.
const MaxHessianLeaves = 64

// Hessian is the matrix of second derivatives of the output with respect to
// every scalar element of the leaves that have gradients.
type Hessian struct {
	// Wrt names each row and column: a leaf's name, or name[i] and
	// name[i][j] for elements of vectors and matrices.
	Wrt    []string
	Matrix *graph.Tensor
}

// tapeBuilder returns a Builder whose nodes are numbered after every node
// the annotation has built so far.
func (a *Annotated) tapeBuilder() *graph.Builder {
	next := a.Graph.Len()
	if len(a.Tape) > 0 {
		next = a.Tape[len(a.Tape)-1].ID + 1
	}
	return graph.NewBuilder(next)
}

// differentiate runs a reverse sweep from node f with the given seed (the
// upstream gradient, f's shape) and returns the gradient node of each node
// by ID. The nodes it builds are appended to the tape, so they can be
// differentiated again.
func (a *Annotated) differentiate(f *graph.Node, seed *graph.Tensor) ([]*graph.Node, error) {
	b := a.tapeBuilder()
	grads, _, failed := Backprop(b, Ancestors(f), f, b.ConstTensor(seed))
	a.Tape = append(a.Tape, b.Nodes...)
	if failed != nil {
		return nil, notFinite(failed)
	}
	return grads, nil
}

// gradOf returns the entry of grads for n, or nil when n is beyond it.
func gradOf(grads []*graph.Node, n *graph.Node) *graph.Node {
	if n.ID < len(grads) {
		return grads[n.ID]
	}
	return nil
}

// AddHigherOrder computes, for every leaf with a gradient, the derivatives
// of order 2 up to order: the diagonal of each order's derivative tensor,
// ∂ᵏoutput/∂leafᵏ elementwise, with the leaf's shape. It differentiates the
// backward graph itself, as PyTorch does with create_graph=True; no op has a
// special second-derivative formula. Orders above 2 need scalar leaves.
func (a *Annotated) AddHigherOrder(order int) error {
	if order < 2 {
		return nil
	}
	if order > MaxOrder {
		return &graph.OptionError{Option: "Order", Value: strconv.Itoa(order), Msg: fmt.Sprintf("the highest supported order is %d", MaxOrder)}
	}
	if err := a.RecordTape(); err != nil {
		return err
	}
	leaves := a.gradLeaves()
	if order > 2 {
		for _, l := range leaves {
			if !l.Value.IsScalar() {
				return &graph.OptionError{Option: "Order", Value: strconv.Itoa(order), Msg: fmt.Sprintf("needs scalar leaves, but %s has shape %s; use order 2 for the Hessian diagonal", l.Name, graph.ShapeString(l.Shape))}
			}
		}
	}
	// Each order differentiates the previous one's graph, about three
	// times as large, once per leaf element.
	factor := 6
	for k := 2; k < order; k++ {
		factor *= 3
	}
	if err := repeatedWork(a.Graph, fmt.Sprintf("derivatives of order %d", order), leafElements(a)*(order-1), factor); err != nil {
		return err
	}
	a.Higher = make([][]*graph.Tensor, order-1)
	for k := range a.Higher {
		a.Higher[k] = make([]*graph.Tensor, a.Graph.Len())
	}
	for _, l := range leaves {
		// cur[i] is the node computing the current order's derivative of
		// element i along l's own direction.
		cur := a.GradNodes[l.ID]
		for k := 0; k < order-1; k++ {
			out := graph.Zeros(l.Shape)
			var next *graph.Node
			for i := range out.Data {
				if cur == nil {
					break
				}
				unit := graph.Zeros(cur.Shape)
				unit.Data[i] = 1
				grads, err := a.differentiate(cur, unit)
				if err != nil {
					return err
				}
				if d := gradOf(grads, l); d != nil {
					out.Data[i] = d.Value.Data[i]
					if l.Value.IsScalar() {
						next = d
					}
				}
			}
			a.Higher[k][l.ID] = out
			cur = next
		}
	}
	return nil
}

// AddHessian computes the full Hessian of the output with respect to every
// scalar element of the leaves that have gradients, when there are at most
// MaxHessianLeaves of them.
func (a *Annotated) AddHessian() error { return a.AddHessianLimit(MaxHessianLeaves) }

// MaxHessianLimit bounds the limit of AddHessianLimit: a Hessian of 4,096
// scalar elements has 16.8 million entries (134 MB) and as many backward
// sweeps' worth of work.
const MaxHessianLimit = 4096

// AddHessianLimit is AddHessian with at most limit scalar leaf elements
// (at most MaxHessianLimit).
func (a *Annotated) AddHessianLimit(limit int) error {
	if limit < 1 || limit > MaxHessianLimit {
		return &graph.OptionError{Option: "MaxHessian", Value: strconv.Itoa(limit), Msg: fmt.Sprintf("must be from 1 to %d", MaxHessianLimit)}
	}
	leaves := a.gradLeaves()
	var wrt []string
	for _, l := range leaves {
		wrt = append(wrt, elementNames(l)...)
	}
	n := len(wrt)
	if n > limit {
		return &graph.OptionError{Option: "Hessian", Msg: fmt.Sprintf("the leaves have %d scalar elements; the full Hessian is limited to %d (raise it with MaxHessian)", n, limit)}
	}
	if err := repeatedWork(a.Graph, "the full Hessian", n, 6); err != nil {
		return err
	}
	if err := a.RecordTape(); err != nil {
		return err
	}
	h := graph.Zeros([]int{n, n})
	row := 0
	for _, l := range leaves {
		gn := a.GradNodes[l.ID]
		for i := 0; i < l.Value.Size(); i++ {
			if gn != nil {
				unit := graph.Zeros(gn.Shape)
				unit.Data[i] = 1
				grads, err := a.differentiate(gn, unit)
				if err != nil {
					return err
				}
				col := 0
				for _, m := range leaves {
					if d := gradOf(grads, m); d != nil {
						copy(h.Data[row*n+col:], d.Value.Data)
					}
					col += m.Value.Size()
				}
			}
			row++
		}
	}
	a.Hessian = &Hessian{Wrt: wrt, Matrix: h}
	return nil
}

// gradLeaves returns the leaves that have gradients, in node order.
func (a *Annotated) gradLeaves() []*graph.Node {
	var out []*graph.Node
	for _, n := range a.Graph.Nodes {
		if n.IsLeaf() && !n.NoGrad {
			out = append(out, n)
		}
	}
	return out
}

// elementNames names every element of a leaf: x, or x[0], x[1], or
// W[0][0], W[0][1], ….
func elementNames(n *graph.Node) []string {
	switch len(n.Shape) {
	case 0:
		return []string{n.Name}
	case 1:
		out := make([]string, n.Shape[0])
		for i := range out {
			out[i] = fmt.Sprintf("%s[%d]", n.Name, i)
		}
		return out
	default:
		var out []string
		for i := 0; i < n.Shape[0]; i++ {
			for j := 0; j < n.Shape[1]; j++ {
				out = append(out, fmt.Sprintf("%s[%d][%d]", n.Name, i, j))
			}
		}
		return out
	}
}
