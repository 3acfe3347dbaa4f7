package backward_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// FuzzAnnotate checks that every spec that loads is fully annotated or gets
// a diagnostic at a position in the file, and that nothing panics.
func FuzzAnnotate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "specs", "*.yaml"))
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("name: t\ninputs: {x: 0}\nnodes:\n  y: pow(x, 0.5)\n"))
	f.Add([]byte("name: t\ninputs: {x: [1, 2], W: [[1, 2], [3, 4]]}\nnodes:\n  y: matmul(W, x)\n  z: mse(y, x)\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		// Limits are meant to keep every spec fast; one that takes seconds
		// is a bug, so crash and let the fuzzer save it.
		tm := time.AfterFunc(10*time.Second, func() { panic("a spec took more than 10 s to annotate") })
		defer tm.Stop()
		g, err := graph.Load("fuzz.yaml", src)
		if err != nil {
			return // FuzzLoad covers diagnostics of loading.
		}
		a, err := backward.Annotate(g)
		if err != nil {
			ds, ok := err.(graph.Diagnostics)
			if !ok || len(ds) == 0 || ds[0].Pos.Line < 1 || strings.Contains(ds[0].Summary, "internal error") {
				t.Fatalf("bad error: %v", err)
			}
			return
		}
		edges := 0
		for _, n := range g.Nodes {
			edges += len(n.Inputs)
			grad := a.Grads[n.ID]
			if n.NoGrad != (grad == nil) {
				t.Fatalf("%s: NoGrad %v but grad %v", n.Name, n.NoGrad, grad)
			}
			if grad != nil && (!graph.SameShape(grad.Shape, n.Shape) || !grad.Finite()) {
				t.Fatalf("%s: grad %v for shape %v", n.Name, grad, n.Shape)
			}
		}
		if edges != len(a.Edges) {
			t.Fatalf("%d edges annotated, %d input slots", len(a.Edges), edges)
		}
		_ = backward.JSON(a)
	})
}
