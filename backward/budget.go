package backward

import (
	"fmt"

	"github.com/chainviz/chainviz/graph"
)

// repeatedWork returns an error when what, which evaluates g's forward
// pass times times at a cost of factor forward passes each (1 for an
// evaluation, 3 for an evaluation and a backward pass), would exceed the
// work limit g was loaded under. It is checked before the first pass.
func repeatedWork(g *graph.Graph, what string, times, factor int) error {
	limit, per := g.WorkLimit, max(1, factor*g.Work)
	if limit <= 0 || times <= limit/per {
		return nil
	}
	total := fmt.Sprintf("%d", times*per)
	if times > (1<<62)/per {
		total = "more than 4.6e18"
	}
	return fmt.Errorf("%s would evaluate the spec %d times, about %s operations, more than the limit of %d (raise it with --max-work)",
		what, times, total, limit)
}

// leafElements counts the elements of the leaves that have a gradient.
func leafElements(a *Annotated) int {
	n := 0
	for _, leaf := range a.gradLeaves() {
		n += len(leaf.Value.Data)
	}
	return n
}
