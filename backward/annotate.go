// Package backward runs reverse-mode differentiation over a graph.Graph and
// returns the annotations chainviz draws and prints: each node's gradient
// and, for each edge, its local derivative, the upstream gradient and the
// gradient that flows back along it.
package backward

import (
	"fmt"
	"sync"

	"github.com/chainviz/chainviz/graph"
)

// Annotated is a graph with its backward pass: gradients of the output with
// respect to every node, and the flow along every edge.
type Annotated struct {
	Graph *graph.Graph
	// Grads holds ∂output/∂node for each node, indexed by node ID. It is nil
	// for constants and grad: false leaves. A node that does not reach the
	// output has a zero gradient.
	Grads []*graph.Tensor
	// Edges has one entry per input slot, in node order then argument
	// order.
	Edges []Edge
	// Warnings are the loader's warnings plus those found while
	// differentiating.
	Warnings graph.Diagnostics
	// GradNodes holds, after RecordTape, for each node ID, the node of the
	// backward graph that computes its gradient (nil where Grads is nil).
	// Differentiating these again gives higher-order derivatives.
	GradNodes []*graph.Node
	// Tape lists, after RecordTape, every node the backward passes built,
	// in creation order.
	Tape []*graph.Node
	// tapeMu makes RecordTape safe to call from several drawings of one
	// annotation at once; tapeErr is its error, reported again.
	tapeMu  sync.Mutex
	tapeErr error
	// Higher holds, after AddHigherOrder, the derivatives of order 2, 3, …
	// of the output with respect to each leaf with a gradient (elementwise,
	// the diagonal), indexed by order−2 and then by node ID.
	Higher [][]*graph.Tensor
	// Hessian is the full Hessian after AddHessian, or nil.
	Hessian *Hessian
	// Updated holds, after AddUpdate, each param's value after one step of
	// gradient descent, indexed by node ID (nil for other nodes).
	Updated []*graph.Tensor
}

// Edge is one input slot of an op node, annotated with the backward flow.
type Edge struct {
	From, To *graph.Node
	// Arg is the index of the slot in To's inputs.
	Arg int
	// Local is ∂To/∂From: a scalar when both ends are scalars, otherwise the
	// Jacobian as a [size(To), size(From)] matrix. It is nil when that would
	// have more than MaxJacobian entries, and when it is not a finite number,
	// which only happens where no gradient flows (anywhere else the backward
	// pass fails): from a constant or grad: false leaf (∂x^p/∂p at x < 0 for
	// a constant p), or into a node that does not reach the output.
	Local *graph.Tensor
	// LocalExpr is a short formula for the local derivative, such as "x",
	// "1[z1>0]" or "xᵀ".
	LocalExpr string
	// Upstream is ∂output/∂To, with To's shape (nil when To has no
	// gradient).
	Upstream *graph.Tensor
	// Grad is what flows back into From along this edge, with From's shape
	// (nil when From has no gradient).
	Grad *graph.Tensor
}

// MaxJacobian is the largest number of entries a per-edge Jacobian may have
// to be written out.
const MaxJacobian = 4096

// Grad returns ∂output/∂node for the named node, or nil when the node has no
// gradient or does not exist.
func (a *Annotated) Grad(name string) *graph.Tensor {
	n := a.Graph.Node(name)
	if n == nil {
		return nil
	}
	return a.Grads[n.ID]
}

// Value returns the forward value of the named node, or nil.
func (a *Annotated) Value(name string) *graph.Tensor {
	n := a.Graph.Node(name)
	if n == nil {
		return nil
	}
	return n.Value
}

// EdgesInto returns the edges whose To is n, in argument order.
func (a *Annotated) EdgesInto(n *graph.Node) []Edge {
	var out []Edge
	for _, e := range a.Edges {
		if e.To == n {
			out = append(out, e)
		}
	}
	return out
}

// EdgesFrom returns the edges whose From is n, in node then argument order;
// n's gradient is the sum of their Grads.
func (a *Annotated) EdgesFrom(n *graph.Node) []Edge {
	var out []Edge
	for _, e := range a.Edges {
		if e.From == n {
			out = append(out, e)
		}
	}
	return out
}

// Annotate runs the backward pass of g from its output and annotates every
// node and edge. The error, if any, is a graph.Diagnostics naming the node
// whose gradient is not finite and its inputs' values.
//
// The pass keeps values only: GradNodes and Tape stay nil until
// RecordTape builds the backward graph, which higher-order derivatives and
// the backward view need.
func Annotate(g *graph.Graph) (a *Annotated, err error) {
	defer func() {
		// No panic may cross the package boundary.
		if r := recover(); r != nil {
			a, err = nil, graph.Diagnostics{{Severity: graph.Error, Pos: g.Output.Pos,
				Summary: fmt.Sprintf("internal error in the backward pass: %v", r)}}
		}
	}()
	if g == nil || g.Output == nil {
		return nil, graph.Diagnostics{{Summary: "the graph has no output"}}
	}
	s := newValueSweep(g)
	if failed := s.run(); failed != nil {
		return nil, notFinite(failed)
	}
	a = &Annotated{Graph: g, Edges: make([]Edge, len(s.edgeGrads)), Grads: make([]*graph.Tensor, g.Len())}
	a.Warnings = append(a.Warnings, g.Warnings...)
	if !g.Output.Value.IsScalar() {
		a.Warnings = append(a.Warnings, graph.Diagnostic{Severity: graph.Warning, Pos: g.Output.Pos, Code: "non_scalar_output", Node: g.Output.Name,
			Summary: fmt.Sprintf("the output %s is a %s tensor, not a scalar; gradients are those of the sum of its elements (add sum(%s) to make that explicit)",
				g.Output.Name, graph.ShapeString(g.Output.Shape), g.Output.Name)})
	}
	for _, n := range g.Nodes {
		switch {
		case n.NoGrad:
		case s.grads[n.ID] != nil:
			a.Grads[n.ID] = s.grads[n.ID]
		default:
			a.Grads[n.ID] = graph.Zeros(n.Shape)
		}
	}
	// The local derivatives are computed on the sweep's scratch tape too.
	lj := &localJac{b: s.b}
	var names []string
	k := 0
	for _, n := range g.Nodes {
		if n.IsLeaf() {
			continue
		}
		names = names[:0]
		for _, in := range n.Inputs {
			names = append(names, in.DisplayName())
		}
		for i, in := range n.Inputs {
			e := &a.Edges[k]
			*e = Edge{From: in, To: n, Arg: i, Upstream: a.Grads[n.ID], LocalExpr: localExpr(n, names, i), Local: lj.of(n, i)}
			if !in.NoGrad {
				if e.Grad = s.edgeGrads[k]; e.Grad == nil {
					e.Grad = graph.Zeros(in.Shape)
				}
			}
			k++
		}
		a.Warnings = append(a.Warnings, kinkWarnings(n)...)
	}
	a.Warnings = append(a.Warnings, gradWarnings(a)...)
	return a, nil
}

// valueSweep is Annotate's reverse-mode pass. It runs the same derivative
// rules as Backprop, with the same arithmetic in the same order, so its
// values are Backprop's bit for bit; but it builds them on a scratch tape
// emptied after every node and keeps only the values: the gradient of
// each node and what flows back along each edge.
type valueSweep struct {
	g *graph.Graph
	b *graph.Builder
	// keep holds the scalars kept, apart from the scratch values.
	keep graph.ScalarArena
	// grads holds each node's accumulated gradient by ID (nil for none);
	// edgeGrads what flowed back along each edge, in the order of
	// Annotated.Edges (nil for zero); first the index of each node's
	// first edge.
	grads, edgeGrads []*graph.Tensor
	first            []int
	need             []bool
}

func newValueSweep(g *graph.Graph) *valueSweep {
	s := &valueSweep{g: g, b: graph.NewScratchBuilder(g.Len()), grads: make([]*graph.Tensor, g.Len()), first: make([]int, g.Len())}
	edges := 0
	for _, n := range g.Nodes {
		s.first[n.ID] = edges
		edges += len(n.Inputs)
	}
	s.edgeGrads = make([]*graph.Tensor, edges)
	return s
}

// run sweeps from the output back to the leaves and returns the first node
// whose backward step gave a value that is not finite, or nil.
func (s *valueSweep) run() *graph.Node {
	b, out := s.b, s.g.Output
	seed := b.Const(1)
	if !out.Value.IsScalar() {
		// A tensor output is differentiated as the sum of its elements, as
		// PyTorch's backward with a gradient of ones does.
		seed = b.BroadcastTo(seed, out.Shape)
	}
	s.grads[out.ID] = s.kept(seed.Value, nil)
	for i := len(s.g.Nodes) - 1; i >= 0; i-- {
		n := s.g.Nodes[i]
		gv := s.grads[n.ID]
		if gv == nil || n.IsLeaf() {
			continue
		}
		b.Reset()
		need := s.need[:0]
		for _, in := range n.Inputs {
			need = append(need, !in.NoGrad)
		}
		s.need = need
		contrib := n.Op.VJP(b, n, b.ConstTensor(gv), need)
		for k, in := range n.Inputs {
			c := contrib[k]
			if c == nil || !need[k] {
				continue
			}
			c = b.SumTo(c, in.Shape)
			v := s.kept(c.Value, gv)
			s.edgeGrads[s.first[n.ID]+k] = v
			if acc := s.grads[in.ID]; acc != nil {
				s.grads[in.ID] = s.kept(b.Add(b.ConstTensor(acc), c).Value, nil)
			} else {
				s.grads[in.ID] = v
			}
		}
		if b.Err != nil {
			return n
		}
	}
	return nil
}

// kept returns a value to keep past the scratch tape's next reset: the
// upstream gradient itself when the rule passed it through, a copy in the
// arena for any other scalar, and a tensor as it is (it has memory of its
// own).
func (s *valueSweep) kept(t, upstream *graph.Tensor) *graph.Tensor {
	if t == upstream || !t.IsScalar() {
		return t
	}
	return s.keep.New(t.Item())
}

// RecordTape builds the backward pass as a graph, once: GradNodes and Tape
// are nil until it is called. Its values are those of Annotate's pass;
// AddHigherOrder, AddHessian and the backward view call it themselves.
func (a *Annotated) RecordTape() error {
	a.tapeMu.Lock()
	defer a.tapeMu.Unlock()
	if a.GradNodes != nil || a.tapeErr != nil {
		return a.tapeErr
	}
	g := a.Graph
	b := graph.NewBuilder(g.Len())
	seed := b.Const(1)
	if !g.Output.Value.IsScalar() {
		seed = b.BroadcastTo(seed, g.Output.Shape)
	}
	gradNodes, _, failed := Backprop(b, g.Nodes, g.Output, seed)
	if failed != nil {
		a.tapeErr = notFinite(failed)
		return a.tapeErr
	}
	// Nodes that take no gradient have no gradient node.
	for _, n := range g.Nodes {
		if n.NoGrad {
			gradNodes[n.ID] = nil
		}
	}
	a.GradNodes, a.Tape = gradNodes, b.Nodes
	return nil
}

// localExpr returns the formula of ∂n/∂(input arg), as Node.LocalExpr does,
// with names holding the display names of n's inputs.
func localExpr(n *graph.Node, names []string, arg int) string {
	if n.Op.LocalOf != nil {
		return n.Op.LocalOf(n, arg)
	}
	return n.Op.Local(names, n.DisplayName(), arg)
}

// localJac computes local Jacobians on a scratch tape, reusing its memory
// from one edge to the next.
type localJac struct {
	b *graph.Builder
	// keep holds the scalar results.
	keep graph.ScalarArena
	need []bool
	// one is the gradient 1 of a scalar node, kept off the tape so that
	// it is made once.
	one *graph.Node
}

// of returns ∂n/∂(input arg) at the current values: a scalar when both are
// scalars, otherwise the [size(n), size(input)] Jacobian, or nil when that
// is larger than MaxJacobian or not finite. Row k is the vector–Jacobian
// product of the k-th unit vector, computed with the op's own derivative
// rule on the scratch tape, which is emptied first.
func (l *localJac) of(n *graph.Node, arg int) *graph.Tensor {
	in := n.Inputs[arg]
	rows, cols := graph.Size(n.Shape), graph.Size(in.Shape)
	if rows*cols > MaxJacobian {
		return nil
	}
	b := l.b
	need := l.need[:0]
	for range n.Inputs {
		need = append(need, false)
	}
	l.need = need
	need[arg] = true
	b.Reset()
	row := func(g *graph.Node) *graph.Tensor {
		c := n.Op.VJP(b, n, g, need)[arg]
		if c == nil {
			return graph.Zeros(in.Shape)
		}
		return b.SumTo(c, in.Shape).Value
	}
	if len(n.Shape) == 0 && len(in.Shape) == 0 {
		if l.one == nil {
			l.one = &graph.Node{Kind: graph.KindConst, Value: graph.Scalar(1), NoGrad: true}
		}
		v := row(l.one)
		if b.Err != nil {
			return nil
		}
		return l.keep.New(v.Item())
	}
	jac := graph.Zeros([]int{rows, cols})
	if n.Op.Elementwise {
		// Output element k depends only on the input element it reads, so
		// one product with a gradient of ones gives every nonzero entry:
		// the contribution before it is summed over broadcast dimensions.
		c := n.Op.VJP(b, n, b.ConstTensor(graph.Full(n.Shape, 1)), need)[arg]
		if c != nil && graph.SameShape(c.Shape, n.Shape) {
			if b.Err != nil {
				return nil
			}
			for k, v := range c.Value.Data {
				jac.Data[k*cols+graph.BroadcastIndex(k, n.Shape, in.Shape)] = v
			}
			return jac
		}
	}
	for k := 0; k < rows; k++ {
		unit := graph.Zeros(n.Shape)
		unit.Data[k] = 1
		g := &graph.Node{Kind: graph.KindConst, Value: unit, Shape: unit.Shape, NoGrad: true}
		copy(jac.Data[k*cols:(k+1)*cols], row(g).Data)
	}
	if b.Err != nil {
		return nil
	}
	return jac
}

// notFinite reports a backward step whose gradient is NaN or infinite,
// with the values of the node's inputs.
func notFinite(n *graph.Node) graph.Diagnostics {
	vals := make([]*graph.Tensor, len(n.Inputs))
	for i, in := range n.Inputs {
		vals[i] = in.Value
	}
	e := &graph.EvalError{Op: n.Op.Name, Inputs: vals}
	return graph.Diagnostics{{Severity: graph.Error, Pos: n.Pos,
		Summary: "the gradient through " + n.Name + " = " + n.Op.Formula(n, n.InputNames()) +
			" is not finite (its derivative is infinite or undefined at these values): " + e.InputsText(n.InputNames())}}
}

// kinkWarnings warns when n is evaluated exactly where its op is not
// differentiable (graph.Op.Kink: relu at 0, say).
func kinkWarnings(n *graph.Node) graph.Diagnostics {
	if n.Op.Kink == nil {
		return nil
	}
	if msg := n.Op.Kink(n); msg != "" {
		return graph.Diagnostics{{Severity: graph.Warning, Pos: n.Pos, Code: "kink", Node: n.Name, Summary: msg}}
	}
	return nil
}
