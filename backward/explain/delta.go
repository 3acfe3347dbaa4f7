package backward

import (
	"github.com/chainviz/chainviz/graph"
)

// This file holds the δ recursion, the form the note calls efficient
// backpropagation: δ_v = ∂L/∂v for each node v on the way back from the
// output L, each computed once from the δs of the nodes that use v,
//
//	δ_L = 1,  δ_v = Σ over edges v → u of δ_u · ∂u/∂v,
//
// so that the work grows with the number of edges, not of paths. For
// tensors each term is the vector–Jacobian product in matrix form
// (δ_u · xᵀ, Wᵀ · δ_u, δ_u ⊙ f′(v), …), see vjpForm.

// Delta is one step of the δ recursion: δ_Node = ∂output/∂Node.
type Delta struct {
	Node *graph.Node
	// Terms are the edges from Node to the nodes that use it on the way to
	// the output; δ_Node is the sum of their Grads. The output's own Delta
	// has no terms: δ_output = 1.
	Terms []DeltaTerm
	// Value is δ_Node, from the backward pass.
	Value *graph.Tensor
	// folded are the identity edges folded into this step's node.
	folded []Edge
}

// DeltaTerm is one term δ_Via · ∂Via/∂From of a δ step.
type DeltaTerm struct {
	Edge Edge
	// Via is the node whose δ the term multiplies: Edge.To, or the node
	// Edge.To was folded into (whose δ is the same, the folded edges being
	// identities).
	Via *graph.Node
}

// deltas builds the δ recursion from the output down to wrt. A node whose
// only way to the output is a foldable identity edge gets no step of its
// own: its δ is that of the node it is folded into.
func (s *scope) deltas() []Delta {
	var out []Delta
	rep := make([]*graph.Node, len(s.on))
	index := map[*graph.Node]int{}
	for id := s.out.ID; id >= s.wrt.ID; id-- {
		if !s.on[id] {
			continue
		}
		n := s.a.Graph.Nodes[id]
		if n == s.out {
			rep[id] = n
			index[n] = len(out)
			out = append(out, Delta{Node: n, Value: s.a.Grads[id]})
			continue
		}
		outs := s.outEdges(n)
		if len(outs) == 1 && s.foldable(outs[0]) {
			r := rep[outs[0].To.ID]
			rep[id] = r
			out[index[r]].folded = append(out[index[r]].folded, outs[0])
			continue
		}
		rep[id] = n
		d := Delta{Node: n, Value: s.a.Grads[id]}
		for _, e := range outs {
			d.Terms = append(d.Terms, DeltaTerm{Edge: e, Via: rep[e.To.ID]})
		}
		index[n] = len(out)
		out = append(out, d)
	}
	return out
}

// vjpForm returns the matrix form of the gradient that flows back along e
// into e.From, given the upstream δ written d (δ of t.Via), and the shapes
// of its operands when a matrix product is involved ("" otherwise).
func vjpForm(t DeltaTerm, d mexpr) (mexpr, string) {
	e := t.Edge
	to, from := e.To, e.From
	local := mPartial(t.Via, from)
	if len(to.Shape) == 0 && len(from.Shape) == 0 {
		return mCat(d, opCdot, local), ""
	}
	in := to.Inputs
	other := func() *graph.Node { return in[1-e.Arg] }
	switch to.Op.Name {
	case "matmul":
		a, b := in[0], in[1]
		ra, rb := len(a.Shape), len(b.Shape)
		if e.Arg == 0 {
			switch {
			case ra == 2: // ∂/∂A = G·Bᵀ; with a vector B, the outer product δ·Bᵀ.
				return mCat(d, opCdot, mT(mName(b))), shapesOf(to, b, false, true, from)
			case rb == 2: // [k]·[k,n]: ∂/∂a = B·δ.
				return mCat(mName(b), opCdot, d), shapesOf(b, to, false, false, from)
			default:
				return mCat(d, opCdot, mName(b)), ""
			}
		}
		switch {
		case ra == 2: // ∂/∂B = Aᵀ·G.
			return mCat(mT(mName(a)), opCdot, d), shapesOf(a, to, true, false, from)
		case rb == 2: // [k]·[k,n]: ∂/∂B = a·δᵀ, an outer product.
			return mCat(mName(a), opCdot, mT(d)), shapesOf(a, to, false, true, from)
		default:
			return mCat(d, opCdot, mName(a)), ""
		}
	case "transpose":
		return mT(d), ""
	}
	var f mexpr
	switch {
	case isIdentity(e):
		return d, ""
	case to.Op.Name == "add":
		f = d
	case to.Op.Name == "sub":
		f = mCat(mText("−", "-"), d)
		if e.Arg == 0 {
			f = d
		}
	case len(to.Shape) == 0:
		// A reduction to a scalar: the scalar δ times the local derivative,
		// which has From's shape.
		f = mCat(d, opCdot, mParenIf(mFormula(e.LocalExpr)))
	case to.Op.Name == "mul" && len(other().Shape) == 0:
		f = mCat(d, opCdot, mName(other()))
	default:
		f = mCat(d, opOdot, mParenIf(mFormula(e.LocalExpr)))
	}
	if !graph.SameShape(from.Shape, to.Shape) && len(to.Shape) != 0 {
		f = sumTo(f, to.Shape, from.Shape)
	}
	return f, ""
}

// shapesOf describes a matrix product x·y that gives the shape of res.
func shapesOf(x, y *graph.Node, tx, ty bool, res *graph.Node) string {
	sx, sy := graph.ShapeString(x.Shape), graph.ShapeString(y.Shape)
	if tx {
		sx += "ᵀ"
	}
	if ty {
		sy += "ᵀ"
	}
	return sx + "·" + sy + " → " + graph.ShapeString(res.Shape)
}

// sumTo wraps f, which has the broadcast shape, in the sum that brings it
// back to the operand's shape: over every element for a scalar operand,
// over rows for a bias vector added to every row.
func sumTo(f mexpr, big, small []int) mexpr {
	switch {
	case len(small) == 0:
		return mCat(mText("Σ(", `\sum(`), f, mText(")", ")"))
	case len(big) == 2 && len(small) == 1:
		return mCat(mText("Σ_rows(", `\sum_{\mathrm{rows}}(`), f, mText(")", ")"))
	default:
		s := graph.ShapeString(small)
		return mCat(mText("sum_to"+s+"(", `\operatorname{sumto}`+s+"("), f, mText(")", ")"))
	}
}
