// Package explain writes the chain-rule derivation of an annotated graph
// (backward.Annotated) as a document, in Markdown with LaTeX, LaTeX or
// plain text. It is the stage beside render: it reads the backward pass and
// writes; the reverse sweep itself is package backward.
package explain

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// This file builds chain-rule derivations: for a node w (usually a leaf),
// every path from w to the output, each path's chain of local derivatives
// and its product, and the sum over paths, as the chain-rule note writes
// them by hand. When there are too many paths, or when asked to
// (Options.Delta), it uses the δ recursion of backpropagation
// instead (delta.go). The document is laid out in document.go and
// written in write.go.

// DefaultMaxPaths is the number of paths above which a derivation switches
// from listing every path to the δ recursion.
const DefaultMaxPaths = 16

// Options select what Explain derives and how.
type Options struct {
	// Wrt names the nodes to differentiate with respect to; empty means
	// every leaf that has a gradient, in node order.
	Wrt []string
	// MaxPaths is the largest number of paths listed one by one; above it
	// the derivation uses the δ recursion. Zero means DefaultMaxPaths.
	MaxPaths int
	// Delta uses the δ recursion for every derivation, whatever its number
	// of paths: the note's efficient form, δ3 = ∂L/∂h3, δ2 = δ3 × ∂h3/∂h2, …
	Delta bool
	// Full shows every edge as its own factor. By default, identity edges
	// of add nodes are folded into their neighbours (see foldable).
	Full bool
	// LR, when positive, adds one gradient-descent step for every param.
	LR float64
	// Steps, when positive (and LR is set), runs that many steps of
	// gradient descent and records the loss after each.
	Steps int
	// Order 2 adds the second derivative of each scalar leaf.
	Order int
	// Precision is the number of significant digits of the numbers
	// written, from 1 to 17; zero means DefaultPrecision.
	Precision int
	// NoSubscripts writes every name as spelled (W1, not W_{1}); a node's
	// display text (graph.Node.Display) is written as spelled either way.
	NoSubscripts bool
}

// OptionError reports options that do not fit the graph, such as a Wrt
// name that is not a node. It is a usage error, not a problem of the spec.
type OptionError = graph.OptionError

// Explanation is the chain-rule derivation of a graph's output with respect
// to some of its nodes.
type Explanation struct {
	Annotated *backward.Annotated
	Options   Options
	// Derivations holds one derivation per node of Options.Wrt.
	Derivations []*Derivation
	// Losses holds, with Options.Steps, the output before gradient descent
	// and after each step (nil when the graph has no params); DescentErr
	// tells why it stopped early.
	Losses     []float64
	DescentErr error
}

// Derivation is ∂Of/∂Wrt, derived path by path or by the δ recursion.
type Derivation struct {
	Of, Wrt *graph.Node
	// Grad is ∂Of/∂Wrt as the backward pass computed it.
	Grad *graph.Tensor
	// PathCount is the number of paths from Wrt to Of, saturated at
	// math.MaxInt64.
	PathCount int64
	// Scalar is true when every node on those paths is a scalar, so that
	// each path's factors are numbers.
	Scalar bool
	// Paths lists every path when PathCount is at most MaxPaths and
	// Options.Delta is off, in the order a backward sweep from Of
	// reaches them (input slots in order).
	Paths []Path
	// UseDelta is true when the paths are too many to list or the δ form
	// was asked for (Options.Delta); Deltas is then the derivation.
	// Other tensor derivations show both: the symbolic paths and the δ
	// recursion in matrix form.
	UseDelta bool
	MaxPaths int
	// Deltas is the δ recursion from Of down to Wrt, δ_v = ∂Of/∂v, one entry
	// per node on the paths that is not folded.
	Deltas []Delta
	// Folded lists the identity edges folded into their neighbours.
	Folded []backward.Edge
	// Second is the second derivative (Options.Order 2, leaves only).
	Second *SecondOrder
	// Update is the gradient-descent step of a param (Options.LR).
	Update *backward.Update
	// st is how the derivation writes numbers (Options.Precision).
	st style
}

// Path is one path from the output down to the node differentiated with
// respect to.
type Path struct {
	// Edges are the path's edges from the output down, one per input slot.
	Edges []backward.Edge
	// Factors are the chain-rule factors from the output down: one per
	// edge, or fewer when identity edges are folded.
	Factors []Factor
	// Product is the path's contribution to the gradient: the upstream
	// seed times the product of the local Jacobians, with Wrt's shape. It
	// is nil when a Jacobian was too large to form.
	Product *graph.Tensor
}

// Factor is one chain-rule factor ∂Num/∂Den of a path.
type Factor struct {
	Num, Den *graph.Node
	// Edges are the edges the factor spans, from Num down to Den: one, or
	// more when identity edges were folded into it.
	Edges []backward.Edge
	// Expr is the local derivative's formula (the last edge's local_expr;
	// the folded edges contribute a factor of 1).
	Expr string
	// Value is the local derivative: a number for scalars, otherwise the
	// Jacobian, or nil when it is too large.
	Value *graph.Tensor
}

// explainer holds the indexes a derivation needs.
type explainer struct {
	a    *backward.Annotated
	opts Options
	// into and from index a.Edges by the ID of their To and From nodes.
	into, from [][]int
	// reach marks the nodes the output depends on.
	reach []bool
}

// Explain derives the gradient of a's output with respect to each node of
// opts.Wrt. It may add second derivatives (Order 2) to a and, with Steps,
// runs gradient descent on a's graph, restoring its values afterwards.
func New(a *backward.Annotated, opts Options) (*Explanation, error) {
	if opts.MaxPaths <= 0 {
		opts.MaxPaths = DefaultMaxPaths
	}
	if opts.Steps > 0 && opts.LR <= 0 {
		return nil, &OptionError{Option: "Steps", Value: strconv.Itoa(opts.Steps), Msg: "needs a positive learning rate (LR)"}
	}
	if opts.Precision < 0 || opts.Precision > 17 {
		return nil, &OptionError{Option: "Precision", Value: strconv.Itoa(opts.Precision), Msg: "the significant digits must be from 1 to 17"}
	}
	if opts.Order != 0 && opts.Order != 1 && opts.Order != 2 {
		return nil, &OptionError{Option: "Order", Value: strconv.Itoa(opts.Order), Msg: "explain supports order 1 or 2"}
	}
	wrt, err := wrtNodes(a.Graph, opts.Wrt)
	if err != nil {
		return nil, err
	}
	if opts.Order == 2 && a.Higher == nil {
		if err := a.AddHigherOrder(2); err != nil {
			return nil, err
		}
	}
	x := newExplainer(a, opts)
	e := &Explanation{Annotated: a, Options: opts}
	for _, w := range wrt {
		e.Derivations = append(e.Derivations, x.derive(w))
	}
	if opts.Steps > 0 && len(a.Updates(opts.LR)) > 0 {
		e.Losses, e.DescentErr = backward.Descend(a.Graph, opts.LR, opts.Steps)
	}
	return e, nil
}

// wrtNodes resolves the names to differentiate with respect to, or lists
// every leaf that has a gradient when names is empty.
func wrtNodes(g *graph.Graph, names []string) ([]*graph.Node, error) {
	var out []*graph.Node
	if len(names) == 0 {
		for _, n := range g.Nodes {
			if n.IsLeaf() && !n.NoGrad {
				out = append(out, n)
			}
		}
		return out, nil
	}
	seen := map[*graph.Node]bool{}
	for _, name := range names {
		n := g.Node(name)
		switch {
		case n == nil:
			var known []string
			for _, m := range g.Nodes {
				if !m.NoGrad && m.Name != "" && m.Name[0] != '#' {
					known = append(known, m.Name)
				}
			}
			return nil, &OptionError{Option: "Wrt", Value: name, Msg: fmt.Sprintf("%s has no node named %q; it has %s", g.Name, name, strings.Join(known, ", "))}
		case n.NoGrad:
			return nil, &OptionError{Option: "Wrt", Value: name, Msg: name + " has no gradient (it is a constant or declared grad: false)"}
		case !seen[n]:
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

func newExplainer(a *backward.Annotated, opts Options) *explainer {
	n := a.Graph.Len()
	x := &explainer{a: a, opts: opts, into: make([][]int, n), from: make([][]int, n), reach: make([]bool, n)}
	for i, e := range a.Edges {
		x.into[e.To.ID] = append(x.into[e.To.ID], i)
		x.from[e.From.ID] = append(x.from[e.From.ID], i)
	}
	x.reach[a.Graph.Output.ID] = true
	for i := n - 1; i >= 0; i-- {
		if !x.reach[i] {
			continue
		}
		for _, k := range x.into[i] {
			x.reach[a.Edges[k].From.ID] = true
		}
	}
	return x
}

// scope is the part of the graph one derivation concerns: the nodes that
// lie on some path from wrt to the output.
type scope struct {
	*explainer
	wrt, out *graph.Node
	on       []bool
}

// newScope marks the nodes that both depend on wrt and reach the output.
func (x *explainer) newScope(wrt *graph.Node) *scope {
	s := &scope{explainer: x, wrt: wrt, out: x.a.Graph.Output, on: make([]bool, x.a.Graph.Len())}
	if !x.reach[wrt.ID] {
		return s
	}
	s.on[wrt.ID] = true
	for id := wrt.ID; id < len(s.on); id++ {
		if !s.on[id] {
			continue
		}
		for _, k := range x.from[id] {
			if to := x.a.Edges[k].To; x.reach[to.ID] {
				s.on[to.ID] = true
			}
		}
	}
	return s
}

// inEdges returns the edges into n whose From lies on a path from wrt.
func (s *scope) inEdges(n *graph.Node) []backward.Edge {
	var out []backward.Edge
	for _, k := range s.into[n.ID] {
		if e := s.a.Edges[k]; s.on[e.From.ID] {
			out = append(out, e)
		}
	}
	return out
}

// outEdges returns the edges out of n whose To lies on a path to the output.
func (s *scope) outEdges(n *graph.Node) []backward.Edge {
	var out []backward.Edge
	for _, k := range s.from[n.ID] {
		if e := s.a.Edges[k]; s.on[e.To.ID] {
			out = append(out, e)
		}
	}
	return out
}

// isIdentity reports whether e's local derivative is the identity: the op's
// δ form for this input is δ itself (an input of add, the first input of
// sub), with the node's own shape (so nothing is broadcast and summed
// back).
func isIdentity(e backward.Edge) bool {
	op := e.To.Op
	return op.Delta != nil && op.Delta(e.To, e.Arg) == "{δ}" && graph.SameShape(e.From.Shape, e.To.Shape)
}

// foldable reports whether the identity edge e = (To ← From) may be folded.
//
// Folding is how explain writes the chain the way the note does although a
// spec needs extra nodes: the note's z2 = W2·h1 + b2 is two spec nodes,
// a2 = W2·h1 and z2 = a2 + b2, so the spec's path L ← z2 ← a2 ← h1 has the
// factors ∂L/∂z2 · ∂z2/∂a2 · ∂a2/∂h1 with ∂z2/∂a2 = 1. Folding drops the
// factor 1 and renames the node below it (a2) after the node above it
// (z2): the next factor ∂a2/∂h1 = W2 is written ∂z2/∂h1, which is the same
// number because ∂z2/∂a2 = 1. The result is the note's
// ∂L/∂z2 · ∂z2/∂h1 · ∂h1/∂z1 · ∂z1/∂W1 = 18 × 2 × 1 × 2.
//
// An identity edge is folded only when
//   - its From is not the node differentiated with respect to (the chain
//     must end in ∂·/∂W1 or ∂z1/∂b1, so ∂z1/∂b1 = 1 stays), and
//   - its To is not a junction, that is it has a single input on the paths
//     from that node: where paths meet (y = z1 + z2 in the note's fork),
//     the 1s are what the note writes (∂y/∂x = 1·2 + 1·3), so they stay.
//
// Options.Full turns folding off.
func (s *scope) foldable(e backward.Edge) bool {
	return !s.opts.Full && isIdentity(e) && e.From != s.wrt && len(s.inEdges(e.To)) == 1
}

// derive builds the derivation of the output with respect to w.
func (x *explainer) derive(w *graph.Node) *Derivation {
	s := x.newScope(w)
	d := &Derivation{Of: s.out, Wrt: w, Grad: x.a.Grads[w.ID], MaxPaths: x.opts.MaxPaths, Scalar: true, st: newStyle(x.opts, x.a.Graph)}
	for id, on := range s.on {
		if on && len(x.a.Graph.Nodes[id].Shape) != 0 {
			d.Scalar = false
		}
	}
	if !s.on[w.ID] {
		return d // w does not reach the output: no path, a zero gradient.
	}
	d.PathCount = s.countPaths()
	if d.PathCount <= int64(x.opts.MaxPaths) && !x.opts.Delta {
		s.enumerate(s.out, nil, func(edges []backward.Edge) {
			d.Paths = append(d.Paths, s.newPath(edges))
		})
		for _, p := range d.Paths {
			for _, f := range p.Factors {
				for _, e := range f.Edges[:len(f.Edges)-1] {
					d.Folded = appendEdge(d.Folded, e)
				}
			}
		}
	} else {
		d.UseDelta = true
	}
	if d.UseDelta || !d.Scalar {
		d.Deltas = s.deltas()
		if d.UseDelta {
			d.Folded = nil
			for _, dl := range d.Deltas {
				d.Folded = append(d.Folded, dl.folded...)
			}
		}
	}
	if x.opts.Order == 2 && w.IsLeaf() && x.a.Higher != nil {
		d.Second = s.second(d)
	}
	if x.opts.LR > 0 && w.Kind == graph.KindParam {
		u := backward.NewUpdate(w, s.out, x.a.Grads[w.ID], x.opts.LR)
		d.Update = &u
	}
	return d
}

// appendEdge appends e to list unless an edge of the same slot is there.
func appendEdge(list []backward.Edge, e backward.Edge) []backward.Edge {
	for _, f := range list {
		if f.To == e.To && f.Arg == e.Arg {
			return list
		}
	}
	return append(list, e)
}

// countPaths counts the paths from wrt to the output, saturating at
// math.MaxInt64.
func (s *scope) countPaths() int64 {
	cnt := make([]int64, len(s.on))
	cnt[s.out.ID] = 1
	for id := s.out.ID - 1; id >= s.wrt.ID; id-- {
		if !s.on[id] {
			continue
		}
		for _, e := range s.outEdges(s.a.Graph.Nodes[id]) {
			c := cnt[e.To.ID]
			if cnt[id] > math.MaxInt64-c {
				cnt[id] = math.MaxInt64
			} else {
				cnt[id] += c
			}
		}
	}
	return cnt[s.wrt.ID]
}

// enumerate calls f with every path from n down to wrt, as the edges from
// the output down, following input slots in order.
func (s *scope) enumerate(n *graph.Node, above []backward.Edge, f func([]backward.Edge)) {
	if n == s.wrt {
		f(append([]backward.Edge(nil), above...))
		return
	}
	for _, e := range s.inEdges(n) {
		s.enumerate(e.From, append(above, e), f)
	}
}

// newPath folds a path's edges into factors and computes its product.
func (s *scope) newPath(edges []backward.Edge) Path {
	p := Path{Edges: edges}
	num := s.out
	var pending []backward.Edge
	for _, e := range edges {
		if s.foldable(e) {
			pending = append(pending, e)
			continue
		}
		p.Factors = append(p.Factors, Factor{Num: num, Den: e.From, Edges: append(pending, e), Expr: factorExpr(e, num), Value: e.Local})
		pending, num = nil, e.From
	}
	p.Product = s.pathProduct(edges)
	return p
}

// pathProduct is the vector–Jacobian product of the output's seed with the
// local Jacobians along the path, reshaped to wrt's shape: for scalars, the
// product of the local derivatives. It is nil when a Jacobian is missing.
func (s *scope) pathProduct(edges []backward.Edge) *graph.Tensor {
	v := append([]float64(nil), s.a.Grads[s.out.ID].Data...)
	for _, e := range edges {
		if e.Local == nil {
			return nil
		}
		cols := graph.Size(e.From.Shape)
		next := make([]float64, cols)
		for r, vr := range v {
			if vr == 0 {
				continue
			}
			for c := range next {
				next[c] += vr * e.Local.Data[r*cols+c]
			}
		}
		v = next
	}
	t := graph.Zeros(s.wrt.Shape)
	copy(t.Data, v)
	return t
}

// factorExpr is the formula of the factor ∂num/∂e.From: the op's Jacobian
// in explain's layout (graph.Op.Jacobian: W for z = W·x) when it gives one,
// otherwise the edge's local_expr.
func factorExpr(e backward.Edge, num *graph.Node) string {
	op := e.To.Op
	if op.Jacobian == nil {
		return e.LocalExpr
	}
	tmpl := op.Jacobian(e.To, e.Arg)
	if tmpl == "" {
		return e.LocalExpr
	}
	names := e.To.InputNames()
	pairs := []string{"{out}", num.DisplayName()}
	for i, name := range names {
		if needsParen(name) {
			name = "(" + name + ")"
		}
		pairs = append(pairs, "{"+strconv.Itoa(i)+"}", name)
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}
