package backward

import (
	"fmt"
	"math"

	"github.com/chainviz/chainviz/graph"
)

// Update is one step of gradient descent on a param:
// New = Old − LR × Grad, elementwise.
type Update struct {
	// Node is the param; Of is the output its gradient is taken of.
	Node, Of       *graph.Node
	LR             float64
	Old, Grad, New *graph.Tensor
}

// NewUpdate computes the step of n, whose gradient is grad.
func NewUpdate(n, of *graph.Node, grad *graph.Tensor, lr float64) Update {
	u := Update{Node: n, Of: of, LR: lr, Old: n.Value, Grad: grad, New: n.Value.Clone()}
	for i := range u.New.Data {
		u.New.Data[i] -= lr * grad.Data[i]
	}
	return u
}

// Updates returns the gradient-descent step of every param that has a
// gradient, in node order.
func (a *Annotated) Updates(lr float64) []Update {
	var out []Update
	for _, n := range a.Graph.Nodes {
		if n.Kind == graph.KindParam && a.Grads[n.ID] != nil {
			out = append(out, NewUpdate(n, a.Graph.Output, a.Grads[n.ID], lr))
		}
	}
	return out
}

// AddUpdate records in a.Updated the value of every param after one step of
// gradient descent with learning rate lr; the annotated JSON writes it as
// "updated". A learning rate that is not finite and positive, or a step
// that gives a value that is not finite, is an error, at the param, and
// a.Updated is left unset.
func (a *Annotated) AddUpdate(lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 1) {
		return fmt.Errorf("the learning rate must be a finite number above 0, found %s", graph.FormatNumber(lr))
	}
	updated := make([]*graph.Tensor, a.Graph.Len())
	for _, u := range a.Updates(lr) {
		if !u.New.Finite() {
			n := u.Node
			return graph.Diagnostics{{Severity: graph.Error, Pos: n.Pos, Summary: fmt.Sprintf(
				"one step of gradient descent with learning rate %s gives %s = %s − %s × %s = %s, not a finite number; use a smaller learning rate",
				graph.FormatNumber(lr), n.Name, n.Name, graph.FormatNumber(lr), "∂"+a.Graph.Output.Name+"/∂"+n.Name, u.New)}}
		}
		updated[u.Node.ID] = u.New
	}
	a.Updated = updated
	return nil
}

// Descend runs steps steps of gradient descent with learning rate lr on the
// params of g and returns the output before the first step and after each
// one (the sum of its elements for a tensor output). It changes the param
// values while it runs and restores them, and the forward values, before
// it returns. It stops early, with an error naming the step, when the
// backward pass or the forward evaluation stops being finite.
func Descend(g *graph.Graph, lr float64, steps int) ([]float64, error) {
	// Each step is a backward pass and an evaluation.
	if err := repeatedWork(g, fmt.Sprintf("%d steps of gradient descent", steps), steps, 4); err != nil {
		return nil, err
	}
	saved := map[*graph.Node]*graph.Tensor{}
	for _, n := range g.Nodes {
		if n.Kind == graph.KindParam {
			saved[n] = n.Value
		}
	}
	defer func() {
		for n, v := range saved {
			n.Value = v
		}
		g.Evaluate()
	}()
	losses := []float64{total(g.Output.Value)}
	for k := 1; k <= steps; k++ {
		a, err := Annotate(g)
		if err != nil {
			return losses, fmt.Errorf("gradient descent stopped at step %d: %w", k, err)
		}
		for _, u := range a.Updates(lr) {
			u.Node.Value = u.New
		}
		if d := g.Evaluate(); d != nil {
			d.Summary = fmt.Sprintf("gradient descent stopped at step %d (the learning rate %s may be too large): %s", k, graph.FormatNumber(lr), d.Summary)
			return losses, graph.Diagnostics{*d}
		}
		losses = append(losses, total(g.Output.Value))
	}
	return losses, nil
}

// total is the sum of t's elements.
func total(t *graph.Tensor) float64 {
	s := 0.0
	for _, v := range t.Data {
		s += v
	}
	return s
}
