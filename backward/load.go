package backward

import "github.com/chainviz/chainviz/graph"

// LoadSpec loads the spec src under lim (file names it in diagnostics) and
// runs its backward pass. It is the one way every command, watch and serve
// turn a spec into an annotated graph, so that every limit applies
// everywhere. g is nil when the spec did not load (err says why); a is nil
// on any error.
func LoadSpec(file string, src []byte, lim graph.Limits) (g *graph.Graph, a *Annotated, err error) {
	g, err = graph.LoadWithLimits(file, src, lim)
	if err != nil {
		return nil, nil, err
	}
	a, err = Annotate(g)
	if err != nil {
		return g, nil, err
	}
	return g, a, nil
}
