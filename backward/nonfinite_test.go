package backward_test

// A value can be finite in the forward pass and still have an infinite or
// NaN derivative: √x at x = 0 has value 0 and slope +∞. Such a spec loads
// (the forward pass is fine) and the backward pass must then fail with a
// diagnostic that names the node and its inputs' values, not print
// Inf/NaN gradients or JSON that cannot encode them.

import (
	"errors"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// loadOK loads src and fails the test unless it is a valid spec whose
// forward values are all finite.
func loadOK(t *testing.T, src string) *graph.Graph {
	t.Helper()
	g, err := graph.Load("nf.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, n := range g.Nodes {
		if !n.Value.Finite() {
			t.Fatalf("forward value of %s is %v; the spec should fail only in the backward pass", n.Name, n.Value)
		}
	}
	return g
}

func TestBackwardNonFiniteIsAnError(t *testing.T) {
	cases := []struct {
		name, src string
		// want is the exact error text when set; otherwise the error must
		// start with prefix and contain every string in has.
		want   string
		prefix string
		has    []string
	}{
		{
			name: "square root at 0",
			src: `name: nf
inputs:
  x: 0
nodes:
  y: pow(x, 0.5)
`,
			prefix: "nf.yaml:5:3: the gradient through y = x^0.5 is not finite",
			has:    []string{"x = 0"},
		},
		{
			name: "square root at 0 inside a chain names the node where it happens",
			src: `name: nf
inputs:
  x: 0
params:
  w: 3
nodes:
  r: pow(x, 0.5)
  s: mul(w, r)
  L: square(s)
`,
			prefix: "nf.yaml:7:3: the gradient through r = x^0.5 is not finite",
			has:    []string{"x = 0"},
		},
		{
			name: "one zero element of a vector",
			src: `name: nf
inputs:
  x: [4, 0, 1]
nodes:
  r: pow(x, 0.5)
  s: sum(r)
`,
			prefix: "nf.yaml:5:3: the gradient through r = x^0.5 is not finite",
			has:    []string{"x = [4, 0, 1]"},
		},
		{
			// a / b = 1e200 is finite; ∂/∂b = −a/b² = −1e400 is not.
			name: "division by a tiny divisor",
			src: `name: nf
inputs:
  a: 1
  b: 1e-200
nodes:
  y: div(a, b)
`,
			want: "nf.yaml:6:3: the gradient through y = a / b is not finite (its derivative is infinite or undefined at these values): a = 1, b = 1e-200",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := loadOK(t, c.src)
			a, err := backward.Annotate(g)
			if err == nil {
				var grads []string
				for _, n := range g.Nodes {
					if gr := a.Grads[n.ID]; gr != nil {
						grads = append(grads, n.Name+"="+gr.String())
					}
				}
				t.Fatalf("Annotate succeeded with gradients %s; want an error", strings.Join(grads, " "))
			}
			if a != nil {
				t.Errorf("Annotate returned annotations together with an error")
			}
			var ds graph.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("error is a %T, not graph.Diagnostics: %v", err, err)
			}
			if len(ds) != 1 || ds[0].Severity != graph.Error {
				t.Fatalf("want exactly one error diagnostic, got %#v", ds)
			}
			msg := err.Error()
			if c.want != "" {
				if msg != c.want {
					t.Errorf("error\n got: %s\nwant: %s", msg, c.want)
				}
				return
			}
			if !strings.HasPrefix(msg, c.prefix) {
				t.Errorf("error %q does not start with %q", msg, c.prefix)
			}
			for _, h := range c.has {
				if !strings.Contains(msg, h) {
					t.Errorf("error %q does not mention %q", msg, h)
				}
			}
		})
	}
}

// TestBackwardNonFiniteMessageOmitsLiterals pins the whole message of the
// √0 case: a literal input is already shown in the formula, so listing it
// as "0.5 = 0.5" adds nothing.
func TestBackwardNonFiniteMessageOmitsLiterals(t *testing.T) {
	g := loadOK(t, "name: nf\ninputs:\n  x: 0\nnodes:\n  y: pow(x, 0.5)\n")
	_, err := backward.Annotate(g)
	want := "nf.yaml:5:3: the gradient through y = x^0.5 is not finite (its derivative is infinite or undefined at these values): x = 0"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

// TestBackwardSkipsGradientsNobodyNeeds: the same √0 is harmless when no
// gradient has to flow through it.
func TestBackwardSkipsGradientsNobodyNeeds(t *testing.T) {
	cases := []struct {
		name, src string
		// grads are the expected scalar gradients.
		grads map[string]float64
	}{
		{
			name: "the input is grad: false",
			src: `name: nf
inputs:
  x: {value: 0, grad: false}
params:
  w: 1
nodes:
  r: pow(x, 0.5)
  s: mul(r, w)
`,
			grads: map[string]float64{"w": 0, "s": 1},
		},
		{
			name: "the node does not reach the output",
			src: `name: nf
inputs:
  x: 0
  z: 1
nodes:
  r: pow(x, 0.5)
  s: neg(z)
`,
			grads: map[string]float64{"x": 0, "r": 0, "z": -1},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := backward.Annotate(loadOK(t, c.src))
			if err != nil {
				t.Fatalf("Annotate: %v", err)
			}
			for name, want := range c.grads {
				g := a.Grad(name)
				if g == nil {
					t.Errorf("grad of %s is nil, want %v", name, want)
					continue
				}
				if !g.IsScalar() || g.Item() != want {
					t.Errorf("grad of %s = %v, want %v", name, g, want)
				}
			}
		})
	}
}

// TestPowExponentGradientAtZeroBase: ∂(x^p)/∂p = x^p·ln x is 0·(−∞) at
// x = 0. Its limit for p > 0 is 0, and PyTorch returns 0 there
// (pow_backward_exponent masks base == 0 && exponent >= 0), so this is a
// valid spec with finite gradients, not an error.
func TestPowExponentGradientAtZeroBase(t *testing.T) {
	g := loadOK(t, `name: nf
inputs:
  x: 0
params:
  p: 2
nodes:
  y: pow(x, p)
`)
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatalf("Annotate: %v", err)
	}
	// ∂y/∂x = p·x^(p−1) = 0, ∂y/∂p = 0 (the PyTorch convention).
	for _, name := range []string{"x", "p"} {
		if gr := a.Grad(name); gr == nil || gr.Item() != 0 {
			t.Errorf("grad of %s = %v, want 0", name, gr)
		}
	}
}
