package backward_test

import (
	"math"
	"path/filepath"
	"testing"
)

// TestClassificationSpecs asserts the numbers worked by hand in the
// descriptions of specs/softmax_classifier.yaml,
// specs/logistic_regression.yaml and specs/batchnorm.yaml (to 10 digits).
func TestClassificationSpecs(t *testing.T) {
	type check struct {
		node string
		grad bool // the gradient ∂L/∂node rather than the value
		want []float64
	}
	specs := map[string][]check{
		"softmax_classifier": {
			{"Z", false, []float64{0.5, 1.5, -1.5, 0, -1, 1.5, 1, -1, 0.5, -0.5, 1.5, -0.5}},
			{"L", false, []float64{0.8524704506}},
			{"Z", true, []float64{0.06487411509, -0.07365387183, 0.00877975674, -0.207261805, 0.01572250331, 0.1915393016,
				0.1435242482, 0.01942389479, -0.162948143, 0.02662674473, -0.05325348946, 0.02662674473}},
			{"W", true, []float64{0.3252958668, 0.01844740721, -0.343743274, 0.3636367799, -0.2162837364, -0.1473530434}},
			{"b", true, []float64{0.02776330311, -0.09176096319, 0.06399766008}},
			{"X", true, []float64{0.06926399346, -0.08243362857, -0.1114921541, -0.1758167983, 0.06205017673, 0.1823720378, 0.03994011709, -0.07988023419}},
		},
		"logistic_regression": {
			{"z", false, []float64{-1.25, 2.25, -0.75, 2.25}},
			{"L", false, []float64{0.2098033013}},
			{"z", true, []float64{0.05567503471, -0.02383736622, 0.08020532521, -0.02383736622}},
			{"w", true, []float64{-0.07220502295, 0.2229648307}},
			{"b", true, []float64{0.08820562746}},
		},
		"batchnorm": {
			{"mu", false, []float64{4, 3}},
			{"v", false, []float64{5, 5}},
			{"Xh", false, []float64{-1.341640786, -0.4472135955, -0.4472135955, 1.341640786, 0.4472135955, 0.4472135955, 1.341640786, -1.341640786}},
			{"L", false, []float64{1.954179607}},
			{"gamma", true, []float64{1.776393202, 0.0527864045}},
			{"beta", true, []float64{-0.5, 0.5}},
			{"X", true, []float64{0.04472135955, 0.01677050983, -0.1341640786, 0.005590169944, 0.1341640786, -0.01677050983, -0.04472135955, -0.005590169944}},
		},
	}
	for name, checks := range specs {
		a := loadAnnotated(t, filepath.Join(specDir, name+".yaml"))
		for _, c := range checks {
			n := a.Graph.Node(c.node)
			if n == nil {
				t.Fatalf("%s: no node %s", name, c.node)
			}
			got, what := n.Value, c.node
			if c.grad {
				got, what = a.Grads[n.ID], "∂L/∂"+c.node
			}
			if got == nil || len(got.Data) != len(c.want) {
				t.Errorf("%s: %s = %v, want %v", name, what, got, c.want)
				continue
			}
			for i, w := range c.want {
				if math.Abs(got.Data[i]-w) > 1e-9*math.Max(1, math.Abs(w)) {
					t.Errorf("%s: %s = %v, want %v", name, what, got.Data, c.want)
					break
				}
			}
		}
		if len(a.Warnings) > 0 {
			t.Errorf("%s: unexpected warnings %v", name, a.Warnings)
		}
	}
}

// The seeds below compute the three specs' numbers with plain Go
// arithmetic, formula by formula, independently of the ops' code.

func softmaxClassifier() seed {
	X := [][]float64{{1, 2}, {0, -1}, {2, 0}, {-1, 1}}
	W := [][]float64{{0.5, -0.5, 0}, {0, 1, -1}}
	b := []float64{0, 0, 0.5}
	y := []int{1, 0, 2, 1}
	var Z, dZ, dX [][]float64
	L := 0.0
	dW := [][]float64{make([]float64, 3), make([]float64, 3)}
	db := make([]float64, 3)
	for i, x := range X {
		z := make([]float64, 3)
		for j := range z {
			z[j] = x[0]*W[0][j] + x[1]*W[1][j] + b[j]
		}
		m := math.Max(z[0], math.Max(z[1], z[2]))
		s := 0.0
		for _, v := range z {
			s += math.Exp(v - m)
		}
		L += (m + math.Log(s) - z[y[i]]) / 4
		d := make([]float64, 3)
		for j := range d {
			d[j] = math.Exp(z[j]-m) / s / 4
			if j == y[i] {
				d[j] -= 0.25
			}
			dW[0][j] += x[0] * d[j]
			dW[1][j] += x[1] * d[j]
			db[j] += d[j]
		}
		Z, dZ = append(Z, z), append(dZ, d)
		dX = append(dX, []float64{d[0]*W[0][0] + d[1]*W[0][1] + d[2]*W[0][2], d[0]*W[1][0] + d[1]*W[1][1] + d[2]*W[1][2]})
	}
	return seed{
		values: map[string]tw{"Z": mat(Z...), "L": scalar(L)},
		grads:  map[string]tw{"L": scalar(1), "Z": mat(dZ...), "XW": mat(dZ...), "W": mat(dW...), "b": vec(db...), "X": mat(dX...)},
		noGrad: []string{"y"},
	}
}

func logisticRegression() seed {
	X := [][]float64{{1, 2}, {2, -1}, {-1, 0.5}, {0, -2}}
	w, b, y := []float64{0.5, -1}, 0.25, []float64{0, 1, 0, 1}
	var z, dz []float64
	L, db := 0.0, 0.0
	dw := make([]float64, 2)
	for i, x := range X {
		v := x[0]*w[0] + x[1]*w[1] + b
		// −(y ln σ(v) + (1 − y) ln(1 − σ(v))), with σ written out.
		p := 1 / (1 + math.Exp(-v))
		L += -(y[i]*math.Log(p) + (1-y[i])*math.Log(1-p)) / 4
		d := (p - y[i]) / 4
		z, dz = append(z, v), append(dz, d)
		dw[0] += x[0] * d
		dw[1] += x[1] * d
		db += d
	}
	return seed{
		values: map[string]tw{"z": vec(z...), "L": scalar(L)},
		grads:  map[string]tw{"L": scalar(1), "z": vec(dz...), "Xw": vec(dz...), "w": vec(dw...), "b": scalar(db)},
		noGrad: []string{"y"},
	}
}

func batchnorm() seed {
	X := [][]float64{{1, 2}, {3, 6}, {5, 4}, {7, 0}}
	T := [][]float64{{0, 0}, {1, 1}, {0, 1}, {1, 0}}
	gamma, beta := []float64{2, 0.5}, []float64{0, 1}
	const n = 4.0
	mu, v, s := make([]float64, 2), make([]float64, 2), make([]float64, 2)
	for j := 0; j < 2; j++ {
		for i := range X {
			mu[j] += X[i][j] / n
		}
		for i := range X {
			v[j] += (X[i][j] - mu[j]) * (X[i][j] - mu[j]) / n
		}
		s[j] = math.Sqrt(v[j])
	}
	Xh, dY := make([][]float64, 4), make([][]float64, 4)
	dX := make([][]float64, 4)
	L := 0.0
	dgamma, dbeta := make([]float64, 2), make([]float64, 2)
	for i := range X {
		Xh[i], dY[i], dX[i] = make([]float64, 2), make([]float64, 2), make([]float64, 2)
		for j := 0; j < 2; j++ {
			Xh[i][j] = (X[i][j] - mu[j]) / s[j]
			y := gamma[j]*Xh[i][j] + beta[j]
			L += (y - T[i][j]) * (y - T[i][j]) / 8
			dY[i][j] = 2 * (y - T[i][j]) / 8
			dgamma[j] += dY[i][j] * Xh[i][j]
			dbeta[j] += dY[i][j]
		}
	}
	// The batch-norm backward formula: dX = γ/(n·s)·(n·dY − Σ dY − X̂·Σ dY⊙X̂).
	for i := range X {
		for j := 0; j < 2; j++ {
			dX[i][j] = gamma[j] / (n * s[j]) * (n*dY[i][j] - dbeta[j] - Xh[i][j]*dgamma[j])
		}
	}
	return seed{
		values: map[string]tw{"mu": vec(mu...), "v": vec(v...), "s": vec(s...), "Xh": mat(Xh...), "L": scalar(L)},
		grads:  map[string]tw{"L": scalar(1), "Y": mat(dY...), "gamma": vec(dgamma...), "beta": vec(dbeta...), "X": mat(dX...)},
		noGrad: []string{"T"},
	}
}
