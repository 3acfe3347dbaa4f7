package backward

import (
	"fmt"
	"math"
	"strings"

	"github.com/chainviz/chainviz/graph"
)

// SaturationLimit is the magnitude below which the derivative of a sigmoid
// or tanh counts as saturated: gradients through it all but vanish.
const SaturationLimit = 1e-6

// LargeGradient is the magnitude above which a leaf's gradient is reported
// as very large: one gradient-descent step would overshoot.
const LargeGradient = 1e6

// gradWarnings finds, after the backward pass, what makes a diagram or a
// derivation misleading without being an error: a saturated sigmoid or
// tanh, a leaf whose gradient is identically zero although it reaches the
// output because every path has a zero factor (a dead ReLU, say; a zero
// sum of non-zero paths, as in the note's dz/dt = 0, is a result, not a
// warning), and a leaf with a very large gradient. (A ReLU evaluated exactly
// at 0 is reported by kinkWarnings; a node that does not reach the output
// by the loader.) Each warning is placed at the node's declaration.
func gradWarnings(a *Annotated) graph.Diagnostics {
	var ds graph.Diagnostics
	reach := reachesOutput(a.Graph)
	live := liveNodes(a)
	for _, n := range a.Graph.Nodes {
		if !n.IsLeaf() {
			if d, ok := saturation(n); ok {
				ds = append(ds, d)
			}
			continue
		}
		g := a.Grads[n.ID]
		if g == nil || n.NoGrad || !reach[n.ID] {
			continue
		}
		big, zero := 0.0, true
		for _, v := range g.Data {
			big = math.Max(big, math.Abs(v))
			if v != 0 {
				zero = false
			}
		}
		switch {
		case zero && !live[n.ID]:
			ds = append(ds, graph.Diagnostic{Severity: graph.Warning, Pos: n.Pos, Code: "zero_gradient", Node: n.Name,
				Summary: fmt.Sprintf("the gradient of %s is identically 0 although %s reaches the output %s: every path has a zero factor (%s); gradient descent will not change %s",
					n.Name, n.Name, a.Graph.Output.Name, zeroFactors(a, n), n.Name)})
		case big > LargeGradient:
			ds = append(ds, graph.Diagnostic{Severity: graph.Warning, Pos: n.Pos, Code: "large_gradient", Node: n.Name,
				Summary: fmt.Sprintf("the gradient of %s is very large (|∂%s/∂%s| reaches %s > %s): the gradient explodes, and a gradient-descent step would overshoot",
					n.Name, a.Graph.Output.Name, n.Name, graph.FormatNumber(graph.RoundSig(big)), graph.FormatNumber(LargeGradient))})
		}
	}
	return ds
}

// saturation warns when an op's local derivative, for an op that says how
// it saturates (graph.Op.Saturation: sigmoid, tanh), is below
// SaturationLimit in magnitude for some element.
func saturation(n *graph.Node) (graph.Diagnostic, bool) {
	deriv := n.Op.Saturation
	if deriv == nil {
		return graph.Diagnostic{}, false
	}
	for i, y := range n.Value.Data {
		if d := deriv(y); math.Abs(d) < SaturationLimit {
			at := ""
			if !n.Value.IsScalar() {
				at = fmt.Sprintf(" (element %d)", i)
			}
			return graph.Diagnostic{Severity: graph.Warning, Pos: n.Pos, Code: "saturated", Node: n.Name,
				Summary: fmt.Sprintf("%s = %s is saturated at %s = %s%s: its derivative %s is %s < %s, so almost no gradient flows back through it",
					n.Name, n.Op.Formula(n, n.InputNames()), n.Inputs[0].DisplayName(), graph.FormatNumber(n.Inputs[0].Value.Data[min(i, n.Inputs[0].Value.Size()-1)]), at,
					n.LocalExpr(0), graph.FormatNumber(graph.RoundSig(d)), graph.FormatNumber(SaturationLimit))}, true
		}
	}
	return graph.Diagnostic{}, false
}

// reachesOutput marks the nodes the output depends on.
func reachesOutput(g *graph.Graph) []bool {
	reach := make([]bool, g.Len())
	reach[g.Output.ID] = true
	for i := g.Len() - 1; i >= 0; i-- {
		if reach[i] {
			for _, in := range g.Nodes[i].Inputs {
				reach[in.ID] = true
			}
		}
	}
	return reach
}

// zeroLocal reports whether an edge's local derivative is zero everywhere
// (a Jacobian too large to form counts as not zero).
func zeroLocal(e Edge) bool {
	if e.Local == nil {
		return false
	}
	for _, v := range e.Local.Data {
		if v != 0 {
			return false
		}
	}
	return true
}

// liveNodes marks the nodes with a path to the output on which no local
// derivative is zero everywhere.
func liveNodes(a *Annotated) []bool {
	live := make([]bool, a.Graph.Len())
	live[a.Graph.Output.ID] = true
	for i := len(a.Edges) - 1; i >= 0; i-- {
		// Edges are ordered by their To node, which is topological, so
		// walking them backwards settles whether To is live (by the edges
		// out of To, which come later) before it is used here.
		if e := a.Edges[i]; live[e.To.ID] && !zeroLocal(e) {
			live[e.From.ID] = true
		}
	}
	return live
}

// zeroFactors names up to three edges with a zero local derivative on the
// paths from leaf to the output, such as ∂h1/∂z1 = 1[z1>0] = 0.
func zeroFactors(a *Annotated, leaf *graph.Node) string {
	desc := make([]bool, a.Graph.Len())
	desc[leaf.ID] = true
	reach := reachesOutput(a.Graph)
	var parts []string
	for _, e := range a.Edges {
		if !desc[e.From.ID] || !reach[e.To.ID] {
			continue
		}
		desc[e.To.ID] = true
		if zeroLocal(e) && len(parts) < 3 {
			part := "∂" + e.To.Name + "/∂" + e.From.DisplayName() + " = " + e.LocalExpr
			if e.LocalExpr != "0" {
				// A formula that is 0 itself (step's) is not repeated.
				part += " = 0"
			}
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, ", ")
}
