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
