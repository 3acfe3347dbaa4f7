package backward

import (
	"github.com/chainviz/chainviz/graph"
)

// sweep is one reverse-mode pass: it builds, with b, the nodes that compute
// the gradient of an output with respect to every node it depends on.
type sweep struct {
	b *graph.Builder
	// grads holds, by node ID, the node of each accumulated gradient.
	grads []*graph.Node
	// edgeGrads holds, by op node ID, what flowed back into each of its
	// inputs (nil for zero).
	edgeGrads [][]*graph.Node
	// failed is the first node whose backward step produced a value that
	// is not finite, or nil.
	failed *graph.Node
	// need is reused for the derivative rules' need argument.
	need []bool
}

// Backprop differentiates out with respect to the nodes in order, which must
// be in topological order and contain out and everything it depends on. The
// gradient nodes are built with b, starting from seed (the gradient of out
// with respect to itself, usually the constant 1). It returns the gradient
// node of each node, indexed by ID (nil for nodes with zero gradient or no
// gradient), the per-edge contributions indexed by op node ID, and the
// first node whose backward step was not finite, if any.
func Backprop(b *graph.Builder, order []*graph.Node, out, seed *graph.Node) (grads []*graph.Node, edges [][]*graph.Node, failed *graph.Node) {
	size := 0
	for _, n := range order {
		size = max(size, n.ID+1)
	}
	s := &sweep{b: b, grads: make([]*graph.Node, size), edgeGrads: make([][]*graph.Node, size)}
	s.grads[out.ID] = seed
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		g := s.grads[n.ID]
		if g == nil || n.IsLeaf() {
			continue
		}
		s.step(n, g)
		if s.failed != nil {
			break
		}
	}
	return s.grads, s.edgeGrads, s.failed
}

// step pushes n's gradient g back to n's inputs through n's derivative rule
// and sums each contribution into the input's gradient.
func (s *sweep) step(n, g *graph.Node) {
	need := s.need[:0]
	for _, in := range n.Inputs {
		need = append(need, !in.NoGrad)
	}
	s.need = need
	hadErr := s.b.Err != nil
	contrib := n.Op.VJP(s.b, n, g, need)
	for i, in := range n.Inputs {
		c := contrib[i]
		if c == nil || !need[i] {
			contrib[i] = nil
			continue
		}
		c = s.b.SumTo(c, in.Shape)
		contrib[i] = c
		if acc := s.grads[in.ID]; acc != nil {
			s.grads[in.ID] = s.b.Add(acc, c)
		} else {
			s.grads[in.ID] = c
		}
	}
	s.edgeGrads[n.ID] = contrib
	if !hadErr && s.b.Err != nil {
		s.failed = n
	}
}

// Ancestors returns out and every node it depends on, in ID order, which is
// a topological order.
func Ancestors(out *graph.Node) []*graph.Node {
	seen := map[*graph.Node]bool{out: true}
	stack := []*graph.Node{out}
	var all []*graph.Node
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		all = append(all, n)
		for _, in := range n.Inputs {
			if !seen[in] {
				seen[in] = true
				stack = append(stack, in)
			}
		}
	}
	sortByID(all)
	return all
}

func sortByID(ns []*graph.Node) {
	// Insertion into a radix by ID keeps this linear for large graphs.
	if len(ns) == 0 {
		return
	}
	maxID := 0
	for _, n := range ns {
		maxID = max(maxID, n.ID)
	}
	slots := make([]*graph.Node, maxID+1)
	for _, n := range ns {
		slots[n.ID] = n
	}
	k := 0
	for _, n := range slots {
		if n != nil {
			ns[k] = n
			k++
		}
	}
}
