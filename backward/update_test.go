package backward_test

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// TestUpdateJSON checks that --lr adds "updated" to params only:
// W1 = 3 − 0.01 × 72 = 2.28 and so on, as the note's update step.
func TestUpdateJSON(t *testing.T) {
	g, err := graph.LoadFile(filepath.Join(specDir, "worked_example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	a.AddUpdate(0.01)
	var doc struct {
		Nodes []struct {
			Name    string
			Kind    string
			Updated *float64
		}
	}
	if err := json.Unmarshal(backward.JSON(a), &doc); err != nil {
		t.Fatal(err)
	}
	// By hand: grads 72, 36, 126, 18 (the note); new = old − 0.01 × grad.
	want := map[string]float64{"W1": 2.28, "b1": 0.64, "W2": 0.74, "b2": -0.18}
	for _, n := range doc.Nodes {
		w, isParam := want[n.Name]
		switch {
		case isParam && n.Updated == nil:
			t.Errorf("%s has no \"updated\"", n.Name)
		case isParam && math.Abs(*n.Updated-w) > 1e-12:
			t.Errorf("%s updated = %v, want %v", n.Name, *n.Updated, w)
		case !isParam && n.Updated != nil:
			t.Errorf("%s (%s) has \"updated\"", n.Name, n.Kind)
		}
	}
	if !strings.Contains(string(backward.JSON(a)), `"grad": 72, "updated": 2.28`) {
		t.Errorf("\"updated\" does not follow \"grad\":\n%s", backward.JSON(a))
	}
}

// TestDescend checks the losses of gradient descent on the worked example
// against a step computed by hand, and that the graph is restored.
func TestDescend(t *testing.T) {
	g, err := graph.LoadFile(filepath.Join(specDir, "worked_example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	losses, err := backward.Descend(g, 0.01, 3)
	if err != nil {
		t.Fatal(err)
	}
	// After one step W1 = 2.28, b1 = 0.64, W2 = 0.74, b2 = −0.18:
	// z1 = 2.28·2 + 0.64 = 5.2, z2 = 0.74·5.2 − 0.18 = 3.668,
	// L = (3.668 − 5)² = 1.774224.
	if len(losses) != 4 || losses[0] != 81 || math.Abs(losses[1]-1.774224) > 1e-12 {
		t.Fatalf("losses %v, want 81, 1.774224, …", losses)
	}
	for i := 1; i < len(losses); i++ {
		if losses[i] >= losses[i-1] {
			t.Errorf("the loss does not decrease: %v", losses)
		}
	}
	if v := g.Node("W1").Value.Item(); v != 3 {
		t.Errorf("W1 = %v after Descend, want it restored to 3", v)
	}
	if v := g.Output.Value.Item(); v != 81 {
		t.Errorf("L = %v after Descend, want it restored to 81", v)
	}

	// A learning rate far too large diverges; Descend says so and still
	// restores the graph.
	losses, err = backward.Descend(g, 100, 200)
	if err == nil || !strings.Contains(err.Error(), "gradient descent stopped at step") {
		t.Fatalf("lr 100: losses %v, error %v; want divergence reported", losses, err)
	}
	if v := g.Output.Value.Item(); v != 81 {
		t.Errorf("L = %v after a failed Descend, want 81", v)
	}
}
