package backward

import (
	"fmt"
	"math"

	"github.com/chainviz/chainviz/graph"
)

// CheckRow compares one leaf element's analytic derivative with a central
// finite difference.
type CheckRow struct {
	// Leaf names the element: x, x[1] or W[0][2].
	Leaf     string
	Analytic float64
	Numeric  float64
	// RelErr is |analytic − numeric| / max(1, |analytic|, |numeric|).
	RelErr float64
	// Unreliable is set when a ReLU changes sides within ±eps of the
	// current value: finite differences straddle a kink there.
	Unreliable bool
}

// CheckResult is the outcome of Check.
type CheckResult struct {
	// Order is 1 for gradients and 2 for the Hessian diagonal.
	Order int
	Rows  []CheckRow
}

// Failed returns the rows whose relative error exceeds tol and that are
// not flagged unreliable.
func (r *CheckResult) Failed(tol float64) []CheckRow {
	var out []CheckRow
	for _, row := range r.Rows {
		if row.RelErr > tol && !row.Unreliable {
			out = append(out, row)
		}
	}
	return out
}

// Check compares the analytic derivatives in a (gradients, or with order 2
// the Hessian diagonal from AddHigherOrder) with central finite differences
// of step eps, perturbing each leaf element of a's graph in turn. The graph's
// values are restored before it returns.
func Check(a *Annotated, eps float64, order int) (*CheckResult, error) {
	g := a.Graph
	if order == 2 && a.Higher == nil {
		if err := a.AddHigherOrder(2); err != nil {
			return nil, err
		}
	}
	if err := repeatedWork(g, "the finite-difference check", 2*leafElements(a), 1+2*(order-1)); err != nil {
		return nil, err
	}
	res := &CheckResult{Order: order}
	defer g.Evaluate()
	for _, leaf := range a.gradLeaves() {
		names := elementNames(leaf)
		for k := range leaf.Value.Data {
			x := &leaf.Value.Data[k]
			orig := *x
			h := eps * math.Max(1, math.Abs(orig))
			pattern := piecePattern(g)
			at := func(v float64) (float64, bool, error) {
				*x = v
				if d := g.Evaluate(); d != nil {
					return 0, false, graph.Diagnostics{*d}
				}
				same := samePattern(pattern, piecePattern(g))
				if order == 1 {
					return g.Output.Value.Sum(), same, nil
				}
				b, err := Annotate(g)
				if err != nil {
					return 0, false, err
				}
				return b.Grads[leaf.ID].Data[k], same, nil
			}
			fp, sameP, err := at(orig + h)
			if err != nil {
				*x = orig
				return nil, fmt.Errorf("%s + %g: %w", names[k], h, err)
			}
			fm, sameM, err := at(orig - h)
			*x = orig
			if err != nil {
				return nil, fmt.Errorf("%s − %g: %w", names[k], h, err)
			}
			analytic := a.Grads[leaf.ID].Data[k]
			if order == 2 {
				analytic = a.Higher[0][leaf.ID].Data[k]
			}
			numeric := (fp - fm) / (2 * h)
			res.Rows = append(res.Rows, CheckRow{
				Leaf: names[k], Analytic: analytic, Numeric: numeric,
				RelErr:     math.Abs(analytic-numeric) / math.Max(1, math.Max(math.Abs(analytic), math.Abs(numeric))),
				Unreliable: !sameP || !sameM,
			})
		}
	}
	return res, nil
}

// piecePattern records which piece of its definition every piecewise op
// (graph.Op.Pieces: relu, abs, max, …) is in, element by element.
func piecePattern(g *graph.Graph) []int {
	var p []int
	var vals []*graph.Tensor
	for _, n := range g.Nodes {
		if n.Op != nil && n.Op.Pieces != nil {
			vals = vals[:0]
			for _, in := range n.Inputs {
				vals = append(vals, in.Value)
			}
			p = n.Op.Pieces(vals, n.Attr, p)
		}
	}
	return p
}

func samePattern(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
