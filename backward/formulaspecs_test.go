package backward_test

import (
	"math"
	"testing"
)

// rnnUnrolled is specs/rnn_unrolled.yaml worked by hand: three calls of the
// one-formula block cell, s_t = tanh(Wx·x_t + Wh·s_(t−1)), with the same Wx
// and Wh, and L = (s3 − y)². Backpropagation through time: δz_t =
// ∂L/∂z_t, δz3 = 2(s3 − y)(1 − s3²), δz_(t−1) = δz_t·Wh·(1 − s_(t−1)²);
// the shared weights' gradients are the sums over the steps. python3's
// math.tanh gives L = 0.179314507, ∂L/∂Wx = 0.349709152,
// ∂L/∂Wh = −0.112350733.
func rnnUnrolled() seed {
	x := []float64{1, -0.5, 2}
	Wx, Wh, y := 0.5, -1.0, 0.5
	s := []float64{0}
	var z []float64
	for t := 0; t < 3; t++ {
		z = append(z, Wx*x[t]+Wh*s[t])
		s = append(s, math.Tanh(z[t]))
	}
	dz := make([]float64, 3)
	dz[2] = 2 * (s[3] - y) * (1 - s[3]*s[3])
	dz[1] = dz[2] * Wh * (1 - s[2]*s[2])
	dz[0] = dz[1] * Wh * (1 - s[1]*s[1])
	return seed{
		values: map[string]tw{
			"s1.1": scalar(Wx * x[0]), "s1.3": scalar(z[0]), "s1": scalar(s[1]),
			"s2.3": scalar(z[1]), "s2": scalar(s[2]), "s3.3": scalar(z[2]), "s3": scalar(s[3]),
			"L": scalar((s[3] - y) * (s[3] - y)),
		},
		grads: map[string]tw{
			"L": scalar(1), "s3": scalar(2 * (s[3] - y)),
			"s3.3": scalar(dz[2]), "s2.3": scalar(dz[1]), "s1.3": scalar(dz[0]),
			"s2": scalar(dz[2] * Wh), "s1": scalar(dz[1] * Wh),
			"Wx": scalar(dz[0]*x[0] + dz[1]*x[1] + dz[2]*x[2]),
			"Wh": scalar(dz[0]*s[0] + dz[1]*s[1] + dz[2]*s[2]),
			"x1": scalar(dz[0] * Wx), "x2": scalar(dz[1] * Wx), "x3": scalar(dz[2] * Wx),
		},
		noGrad: []string{"s0", "y"},
		locals: []local{
			{"Wx", "s3.1", 0, x[2]},          // ∂(Wx·x3)/∂Wx = x3
			{"Wh", "s2.2", 0, s[1]},          // ∂(Wh·s1)/∂Wh = s1
			{"s2", "s3.2", 1, Wh},            // ∂(Wh·s2)/∂s2 = Wh
			{"s3.3", "s3", 0, 1 - s[3]*s[3]}, // tanh′
		},
	}
}

// huberFormula is specs/huber_formula.yaml worked by hand: p = w·x + b and
// L = mean(½·min(|d|, 1)² + |d| − min(|d|, 1)), d = p − y, which is the
// Huber loss with δ = 1: ∂L/∂p = clip(d, −1, 1)/n.
func huberFormula() seed {
	x := []float64{-2, 0.5, 1, 3}
	y := []float64{1, 0, 1.5, 1.5}
	w, b := 1.5, -0.5
	var p, dp []float64
	L, gw, gb := 0.0, 0.0, 0.0
	for i := range x {
		p = append(p, w*x[i]+b)
		d := p[i] - y[i]
		if math.Abs(d) <= 1 {
			L += d * d / 2
		} else {
			L += math.Abs(d) - 0.5
		}
		g := math.Max(-1, math.Min(1, d)) / 4
		dp = append(dp, g)
		gw += g * x[i]
		gb += g
	}
	return seed{
		values: map[string]tw{"p": vec(p...), "L": scalar(L / 4), "L.1": vec(-4.5, 0.25, -0.5, 2.5)},
		grads:  map[string]tw{"L": scalar(1), "p": vec(dp...), "w": scalar(gw), "b": scalar(gb)},
		noGrad: []string{"x", "y"},
	}
}

// TestHuberFormulaMatchesTheOp checks the formula of
// specs/huber_formula.yaml against the built-in huber op.
func TestHuberFormulaMatchesTheOp(t *testing.T) {
	a := loadAnnotated(t, specDir+"/huber_formula.yaml")
	b, err := annotateOrder2("name: h\ninputs:\n  p: [-3.5, 0.25, 1, 4]\n  y: [1, 0, 1.5, 1.5]\nnodes:\n  L: huber(p, y, 1)\n")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.Graph.Output.Value.Item(), b.Graph.Output.Value.Item(); math.Abs(got-want) > 1e-15 || want != 1.5390625 {
		t.Errorf("formula %v, huber op %v, want 1.5390625", got, want)
	}
	if got, want := a.Grad("p"), b.Grad("p"); !sameBits(got, want) {
		t.Errorf("∂L/∂p: formula %v, huber op %v", got, want)
	}
}
