package graph_test

import (
	"fmt"

	"github.com/chainviz/chainviz/graph"
)

// Load validates a spec and evaluates it; problems come back as
// diagnostics with file:line:col, all of them at once.
func ExampleLoad() {
	_, err := graph.Load("bad.yaml", []byte("name: t\ninputs: {x: 1}\nnodes:\n  y: mull(x, 2)\n  z: add(y, q)\n"))
	fmt.Println(err)
	g, _ := graph.Load("ok.yaml", []byte("name: t\ninputs: {x: [1, 2]}\nnodes:\n  y: mul(x, 3)\n"))
	fmt.Println(g.Node("y").Value, g.Output.Name)
	// Output:
	// bad.yaml:4:6: unknown op "mull"; did you mean "mul"?
	// bad.yaml:5:13: undefined name "q" used by z
	// [3, 6] y
}
