package backward_test

import (
	"math"
	"math/rand"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// checkAgainstFiniteDifferences compares every leaf element's gradient with
// a central finite difference of the output, re-evaluating the graph.
func checkAgainstFiniteDifferences(t *testing.T, src string, tol float64) (checked int) {
	t.Helper()
	g, err := graph.Load("random.yaml", []byte(src))
	if err != nil {
		t.Fatalf("generated spec does not load: %v\n%s", err, src)
	}
	for _, n := range g.Nodes {
		for _, v := range n.Value.Data {
			if math.Abs(v) > 1e4 {
				return 0 // Too steep for finite differences to be meaningful.
			}
		}
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatalf("annotate: %v\n%s", err, src)
	}
	// Check flags the elements whose step straddles a kink of a piecewise
	// op (relu, abs, max, clip, …), where finite differences mean nothing;
	// its rows are in the order of the loop below.
	flags, err := backward.Check(a, 1e-6, 1)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, src)
	}
	row := 0
	out := g.Output
	for _, n := range g.Nodes {
		if !n.IsLeaf() || n.NoGrad {
			continue
		}
		grad := a.Grads[n.ID]
		for k := range n.Value.Data {
			row++
			if flags.Rows[row-1].Unreliable {
				continue
			}
			x := &n.Value.Data[k]
			orig := *x
			h := 1e-6 * math.Max(1, math.Abs(orig))
			*x = orig + h
			if d := g.Evaluate(); d != nil {
				t.Fatal(d)
			}
			fp := out.Value.Item()
			*x = orig - h
			g.Evaluate()
			fm := out.Value.Item()
			*x = orig
			g.Evaluate()
			numeric := (fp - fm) / (2 * h)
			diff := math.Abs(numeric - grad.Data[k])
			if diff > tol && diff > tol*math.Max(math.Abs(numeric), math.Abs(grad.Data[k])) {
				t.Errorf("∂%s/∂%s[%d]: backward %v, finite differences %v\n%s", out.Name, n.Name, k, grad.Data[k], numeric, src)
			}
			checked++
		}
	}
	return checked
}

func TestRandomScalarGraphsMatchFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	total, graphs := 0, 0
	for i := 0; i < 200; i++ {
		c := checkAgainstFiniteDifferences(t, randomScalarSpec(r, 1+r.Intn(4), 2+r.Intn(25)), 1e-5)
		if c > 0 {
			graphs++
		}
		total += c
	}
	if graphs < 150 {
		t.Fatalf("only %d of 200 random graphs were checked", graphs)
	}
	t.Logf("checked %d leaf gradients in %d graphs", total, graphs)
}

func TestRandomTensorGraphsMatchFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	total, graphs := 0, 0
	for i := 0; i < 100; i++ {
		c := checkAgainstFiniteDifferences(t, randomTensorSpec(r, 3+r.Intn(15)), 1e-5)
		if c > 0 {
			graphs++
		}
		total += c
	}
	if graphs < 90 {
		t.Fatalf("only %d of 100 random tensor graphs were checked", graphs)
	}
	t.Logf("checked %d leaf gradient elements in %d graphs", total, graphs)
}

// TestEdgeGradsSumToNodeGrad checks the contract's invariant: a node's grad
// is the sum of the grads of its outgoing edges, and each edge's grad is the
// vector–Jacobian product of its upstream and local Jacobian.
func TestEdgeGradsSumToNodeGrad(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 50; i++ {
		src := randomTensorSpec(r, 10)
		g, err := graph.Load("random.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		a, err := backward.Annotate(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range g.Nodes {
			if n.NoGrad || n == g.Output {
				continue
			}
			sum := graph.Zeros(n.Shape)
			for _, e := range a.EdgesFrom(n) {
				for k, v := range e.Grad.Data {
					sum.Data[k] += v
				}
			}
			for k := range sum.Data {
				if math.Abs(sum.Data[k]-a.Grads[n.ID].Data[k]) > 1e-9 {
					t.Fatalf("%s: edge grads sum to %v, node grad %v", n.Name, sum, a.Grads[n.ID])
				}
			}
		}
		for _, e := range a.Edges {
			if e.Grad == nil || e.Local == nil {
				continue
			}
			// grad[j] = Σ_i upstream[i] · J[i][j].
			cols := e.Grad.Size()
			for j := 0; j < cols; j++ {
				s := 0.0
				for i, u := range e.Upstream.Data {
					s += u * e.Local.Data[i*cols+j]
				}
				if math.Abs(s-e.Grad.Data[j]) > 1e-9*math.Max(1, math.Abs(s)) {
					t.Fatalf("edge %s→%s: upstream·local = %v, grad %v", e.From.Name, e.To.Name, s, e.Grad.Data[j])
				}
			}
		}
	}
}
