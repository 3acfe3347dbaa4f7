package explain

import (
	"strconv"
	"strings"

	"github.com/chainviz/chainviz/backward"
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
	folded []backward.Edge
}

// DeltaTerm is one term δ_Via · ∂Via/∂From of a δ step.
type DeltaTerm struct {
	Edge backward.Edge
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
// of its operands when a matrix product is involved ("" otherwise). The op
// gives its own form (graph.Op.Delta); otherwise an elementwise op's is
// δ ⊙ local, a reduction to a scalar's δ · local, and any other op's the
// general vector–Jacobian product (∂y/∂x)ᵀ · δ, never ⊙.
func (st style) vjpForm(t DeltaTerm, d mexpr) (mexpr, string) {
	e := t.Edge
	to, from := e.To, e.From
	local := st.partial(t.Via, from)
	if len(to.Shape) == 0 && len(from.Shape) == 0 {
		return mCat(d, opCdot, local), ""
	}
	if isIdentity(e) {
		return d, ""
	}
	op := to.Op
	tmpl := ""
	if op.Delta != nil {
		tmpl = op.Delta(to, e.Arg)
	}
	var f mexpr
	switch {
	case tmpl != "" && !op.Elementwise:
		shapes := ""
		if op.DeltaShapes != nil {
			shapes = op.DeltaShapes(to, e.Arg)
		}
		return st.deltaTemplate(tmpl, to, d), shapes
	case tmpl != "":
		f = st.deltaTemplate(tmpl, to, d)
	case len(to.Shape) == 0:
		// A reduction to a scalar: the scalar δ times the local derivative,
		// which has From's shape.
		f = mCat(d, opCdot, mParenIf(st.formulaOf(e.LocalExpr, op)))
	case op.Elementwise:
		f = mCat(d, opOdot, mParenIf(st.formulaOf(e.LocalExpr, op)))
	default:
		// A Jacobian that is not diagonal: δ_x = J_xᵀ · δ_y.
		return mCat(mT(mParen(local)), opCdot, d), ""
	}
	if !graph.SameShape(from.Shape, to.Shape) && len(to.Shape) != 0 {
		f = sumTo(f, to.Shape, from.Shape)
	}
	return f, ""
}

// deltaTemplate expands an op's δ template (see graph.Op.Delta): {δ} is
// d, {out} the node's name, {i} the name of n's input i, a ᵀ after a placeholder transposes it,
// and the text between placeholders is a formula.
func (st style) deltaTemplate(tmpl string, n *graph.Node, d mexpr) mexpr {
	var parts []mexpr
	for tmpl != "" {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl, '}')
		if i < 0 || j < i {
			parts = append(parts, st.templateText(tmpl, n.Op))
			break
		}
		if i > 0 {
			parts = append(parts, st.templateText(tmpl[:i], n.Op))
		}
		key := tmpl[i+1 : j]
		tmpl = tmpl[j+1:]
		var x mexpr
		switch k, err := strconv.Atoi(key); {
		case key == "δ":
			x = d
		case key == "out":
			x = st.name(n)
		case err == nil && k >= 0 && k < len(n.Inputs):
			x = st.name(n.Inputs[k])
		default:
			x = mText("{"+key+"}", key)
		}
		if strings.HasPrefix(tmpl, "ᵀ") {
			x = mT(x)
			tmpl = tmpl[len("ᵀ"):]
		}
		parts = append(parts, x)
	}
	return mCat(parts...)
}

// templateText is the text between the placeholders of a δ template; the
// product signs keep the spacing of opCdot and opOdot.
func (st style) templateText(s string, op *graph.Op) mexpr {
	switch s {
	case " · ":
		return opCdot
	case " ⊙ ":
		return opOdot
	case "−":
		return mText("−", "-")
	}
	return st.formulaOf(s, op)
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
