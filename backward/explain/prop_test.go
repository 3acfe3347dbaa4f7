package explain_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/backward/explain"
	"github.com/chainviz/chainviz/backward/internal/specgen"
	"github.com/chainviz/chainviz/graph"
)

// closeTo compares tensors elementwise with a relative tolerance.
func closeTo(got, want *graph.Tensor, tol float64) bool {
	if got == nil || want == nil || len(got.Data) != len(want.Data) {
		return false
	}
	for i := range got.Data {
		if math.Abs(got.Data[i]-want.Data[i]) > tol*(1+math.Abs(want.Data[i])) {
			return false
		}
	}
	return true
}

// TestExplainPathSums is the chain rule as a property: on random graphs,
// the sum over paths of each path's product of local derivatives (local
// Jacobians for tensors) equals the gradient of the backward pass, with
// and without folding; where the paths are too many, the δ recursion ends
// in the same gradient and each δ is the sum of its terms.
func TestExplainPathSums(t *testing.T) {
	var multi, deltas, tensors, folded int
	for seed := int64(1); seed <= 80; seed++ {
		r := rand.New(rand.NewSource(seed))
		var src string
		if seed%4 == 0 {
			src = randomTensorSpec(r, 6)
		} else {
			src = randomScalarSpec(r, 3, 5+int(seed%7))
		}
		g, err := graph.Load("random.yaml", []byte(src))
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, src)
		}
		a, err := backward.Annotate(g)
		if err != nil {
			continue // A gradient that is not finite; not this test's subject.
		}
		for _, opts := range []explain.Options{{MaxPaths: 256}, {MaxPaths: 256, Full: true}, {MaxPaths: 1}, {MaxPaths: 256, Delta: true}} {
			e, err := explain.New(a, opts)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			for _, d := range e.Derivations {
				checkDerivation(t, seed, d, opts.Delta)
				if d.PathCount > 1 && !d.UseDelta {
					multi++
				}
				if d.UseDelta {
					deltas++
				}
				if !d.Scalar {
					tensors++
				}
				if len(d.Folded) > 0 {
					folded++
				}
			}
			for _, f := range explain.Formats {
				var b strings.Builder
				if err := e.Write(&b, f); err != nil {
					t.Fatalf("seed %d: %s: %v", seed, f, err)
				}
			}
		}
	}
	// The property is only tested if the generator produced each case.
	t.Logf("%d multi-path, %d δ, %d tensor, %d folded", multi, deltas, tensors, folded)
	if multi < 20 || deltas < 20 || tensors < 10 || folded < 5 {
		t.Errorf("too few cases: %d multi-path, %d δ, %d tensor, %d folded derivations", multi, deltas, tensors, folded)
	}
}

func checkDerivation(t *testing.T, seed int64, d *explain.Derivation, delta bool) {
	t.Helper()
	const tol = 1e-9
	if d.PathCount == 0 {
		for _, v := range d.Grad.Data {
			if v != 0 {
				t.Errorf("seed %d: %s does not reach the output but has gradient %v", seed, d.Wrt.Name, d.Grad)
			}
		}
		return
	}
	if d.UseDelta {
		if d.PathCount <= int64(d.MaxPaths) && !delta {
			t.Errorf("seed %d: δ form for %d paths with MaxPaths %d", seed, d.PathCount, d.MaxPaths)
		}
	} else {
		if delta {
			t.Errorf("seed %d: Delta set, but ∂/∂%s lists %d paths", seed, d.Wrt.Name, len(d.Paths))
		}
		if int64(len(d.Paths)) != d.PathCount {
			t.Errorf("seed %d: %d paths listed, %d counted", seed, len(d.Paths), d.PathCount)
		}
		sum := graph.Zeros(d.Wrt.Shape)
		for _, p := range d.Paths {
			if p.Product == nil {
				return // A Jacobian too large to form.
			}
			for i, v := range p.Product.Data {
				sum.Data[i] += v
			}
			if d.Scalar {
				// The folded factors multiply to the same product.
				prod := 1.0
				for _, f := range p.Factors {
					prod *= f.Value.Item()
				}
				if math.Abs(prod-p.Product.Item()) > tol*(1+math.Abs(prod)) {
					t.Errorf("seed %d: ∂/∂%s: factors multiply to %v, path product %v", seed, d.Wrt.Name, prod, p.Product.Item())
				}
			}
		}
		if !closeTo(sum, d.Grad, tol) {
			t.Errorf("seed %d: ∂%s/∂%s: paths sum to %v, backward gives %v", seed, d.Of.Name, d.Wrt.Name, sum, d.Grad)
		}
	}
	if d.Deltas == nil {
		return
	}
	last := d.Deltas[len(d.Deltas)-1]
	if last.Node != d.Wrt || !closeTo(last.Value, d.Grad, tol) {
		t.Errorf("seed %d: the δ recursion ends at δ_%s = %v, want δ_%s = %v", seed, last.Node.Name, last.Value, d.Wrt.Name, d.Grad)
	}
	for _, dl := range d.Deltas {
		if len(dl.Terms) == 0 {
			continue
		}
		sum := graph.Zeros(dl.Node.Shape)
		for _, term := range dl.Terms {
			for i, v := range term.Edge.Grad.Data {
				sum.Data[i] += v
			}
		}
		if !closeTo(sum, dl.Value, tol) {
			t.Errorf("seed %d: δ_%s = %v, but its terms sum to %v", seed, dl.Node.Name, dl.Value, sum)
		}
	}
}

func randomScalarSpec(r *rand.Rand, k, n int) string { return specgen.RandomScalar(r, k, n) }
func randomTensorSpec(r *rand.Rand, n int) string    { return specgen.RandomTensor(r, n) }
