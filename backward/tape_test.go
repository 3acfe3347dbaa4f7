package backward_test

import (
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// TestRecordedTapeMatchesAnnotate checks that the values Annotate keeps
// from its tape-free pass are, bit for bit, those of the recorded backward
// graph: every node's gradient (against RecordTape) and every edge's
// contribution (against Backprop), on random scalar and tensor graphs and
// on every example spec.
func TestRecordedTapeMatchesAnnotate(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	var srcs []string
	for i := 0; i < 100; i++ {
		srcs = append(srcs, randomScalarSpec(r, 1+r.Intn(4), 1+r.Intn(12)))
	}
	for i := 0; i < 60; i++ {
		srcs = append(srcs, randomTensorSpec(r, 1+r.Intn(8)))
	}
	files, _ := filepath.Glob("../specs/*.yaml")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, string(src))
	}
	checked := 0
	for i, src := range srcs {
		g, err := graph.Load("spec.yaml", []byte(src))
		if err != nil {
			t.Fatalf("spec %d: %v\n%s", i, err, src)
		}
		a, err := backward.Annotate(g)
		if err != nil {
			t.Fatalf("spec %d: %v", i, err)
		}
		if a.GradNodes != nil || a.Tape != nil {
			t.Fatalf("spec %d: Annotate recorded a tape", i)
		}
		if err := a.RecordTape(); err != nil {
			t.Fatalf("spec %d: RecordTape: %v", i, err)
		}
		for _, n := range g.Nodes {
			gn, want := a.GradNodes[n.ID], a.Grads[n.ID]
			switch {
			case n.NoGrad:
				if gn != nil || want != nil {
					t.Errorf("spec %d: %s takes no gradient but has one", i, n.Name)
				}
			case gn == nil:
				if !allZero(want) {
					t.Errorf("spec %d: %s has no gradient node but the gradient %v", i, n.Name, want)
				}
			default:
				if !sameBits(gn.Value, want) || !graph.SameShape(gn.Value.Shape, want.Shape) {
					t.Errorf("spec %d: ∂/∂%s is %v on the tape, %v from Annotate", i, n.Name, gn.Value, want)
				}
				checked++
			}
		}
		// The edges, against Backprop's own per-edge contributions.
		b := graph.NewBuilder(g.Len())
		seed := b.Const(1)
		if !g.Output.Value.IsScalar() {
			seed = b.BroadcastTo(seed, g.Output.Shape)
		}
		_, contribs, failed := backward.Backprop(b, g.Nodes, g.Output, seed)
		if failed != nil {
			t.Fatalf("spec %d: Backprop failed at %s", i, failed.Name)
		}
		for _, e := range a.Edges {
			if e.From.NoGrad {
				if e.Grad != nil {
					t.Errorf("spec %d: the edge %s → %s carries a gradient into a node that takes none", i, e.From.Name, e.To.Name)
				}
				continue
			}
			var c *graph.Node
			if cs := contribs[e.To.ID]; cs != nil {
				c = cs[e.Arg]
			}
			if c == nil {
				if !allZero(e.Grad) {
					t.Errorf("spec %d: the edge %s → %s carries %v where Backprop has none", i, e.From.Name, e.To.Name, e.Grad)
				}
				continue
			}
			if !sameBits(c.Value, e.Grad) || !graph.SameShape(c.Value.Shape, e.Grad.Shape) {
				t.Errorf("spec %d: the edge %s → %s carries %v, Backprop %v", i, e.From.Name, e.To.Name, e.Grad, c.Value)
			}
			checked++
		}
	}
	if checked < 2000 {
		t.Fatalf("only %d gradients compared", checked)
	}
}

func allZero(t *graph.Tensor) bool {
	for _, v := range t.Data {
		if v != 0 {
			return false
		}
	}
	return true
}
