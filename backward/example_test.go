package backward_test

import (
	"fmt"
	"log"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

const workedExample = `
name: worked_example
inputs:
  x: 2
  y: {value: 5, grad: false}
params: {W1: 3, b1: 1, W2: 2, b2: 0}
nodes:
  z1: add(a1, b1)
  a1: mul(W1, x)
  h1: relu(z1)
  z2: add(a2, b2)
  a2: mul(W2, h1)
  L: squared_error(z2, y)
`

// Annotate a spec and read values and gradients, as a regression test of
// documentation numbers would.
func ExampleAnnotate() {
	g, err := graph.Load("worked_example.yaml", []byte(workedExample))
	if err != nil {
		log.Fatal(err) // A graph.Diagnostics: every problem, file:line:col.
	}
	a, err := backward.Annotate(g)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("L =", a.Value("L").Item())
	fmt.Println("∂L/∂W1 =", a.Grad("W1").Item())
	fmt.Println("y has a gradient:", a.Grad("y") != nil)
	for _, e := range a.EdgesFrom(g.Node("W1")) {
		fmt.Printf("%s→%s: local %s = %v, upstream %v, grad %v\n", e.From.Name, e.To.Name, e.LocalExpr, e.Local, e.Upstream, e.Grad)
	}
	// Output:
	// L = 81
	// ∂L/∂W1 = 72
	// y has a gradient: false
	// W1→a1: local x = 2, upstream 36, grad 72
}

// Second derivatives come from differentiating the backward graph again.
func ExampleAnnotated_AddHigherOrder() {
	g, _ := graph.Load("cubic.yaml", []byte("name: cubic\ninputs: {x: 2}\nnodes:\n  y: pow(x, 3)\n"))
	a, _ := backward.Annotate(g)
	if err := a.AddHigherOrder(2); err != nil {
		log.Fatal(err)
	}
	x := g.Node("x")
	fmt.Println("dy/dx =", a.Grads[x.ID], "d²y/dx² =", a.Higher[0][x.ID])
	// Output: dy/dx = 12 d²y/dx² = 12
}

// Compare a fresh annotation with a golden JSON document within tolerances.
func ExampleCompareJSON() {
	g, _ := graph.Load("fork.yaml", []byte("name: fork\ninputs: {x: 2}\nnodes:\n  z1: mul(2, x)\n  z2: mul(3, x)\n  y: add(z1, z2)\n"))
	a, _ := backward.Annotate(g)
	golden := backward.JSON(a)
	a.Grads[g.Node("x").ID] = graph.Scalar(5.1) // Pretend the gradient changed.
	diffs, _ := backward.CompareJSON(golden, backward.JSON(a), backward.Tolerance{Rtol: 1e-9})
	for _, d := range diffs {
		fmt.Println(d)
	}
	// Output: node "x" grad: want 5, got 5.1 (relative error 0.02)
}

// Check gradients against central finite differences.
func ExampleCheck() {
	g, _ := graph.Load("w.yaml", []byte(workedExample))
	a, _ := backward.Annotate(g)
	res, _ := backward.Check(a, 1e-6, 1)
	fmt.Println(len(res.Rows), "checked,", len(res.Failed(1e-6)), "failed")
	// Output: 5 checked, 0 failed
}
