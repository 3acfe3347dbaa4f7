package backward_test

import (
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

func TestCheckPassesOnEverySeedSpec(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "specs", "*.yaml"))
	if len(files) < 9 {
		t.Fatalf("found %d specs", len(files))
	}
	for _, f := range files {
		g, err := graph.LoadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err := backward.Annotate(g)
		if err != nil {
			t.Fatal(err)
		}
		before := backward.JSON(a)
		res, err := backward.Check(a, 1e-6, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) == 0 {
			t.Errorf("%s: nothing checked", f)
		}
		if bad := res.Failed(1e-6); len(bad) > 0 {
			t.Errorf("%s: %+v", f, bad)
		}
		if after := backward.JSON(a); string(after) != string(before) {
			t.Errorf("%s: Check changed the graph's values", f)
		}
	}
}

func TestCheckSecondOrder(t *testing.T) {
	r := rand.New(rand.NewSource(21))
	for i := 0; i < 10; i++ {
		a := annotateSrc(t, randomScalarSpec(r, 2, 6))
		if hasKinkOrSteep(a.Graph) {
			continue
		}
		res, err := backward.Check(a, 1e-5, 2)
		if err != nil {
			t.Fatal(err)
		}
		if bad := res.Failed(1e-5); len(bad) > 0 {
			t.Errorf("%+v", bad)
		}
	}
}

func TestCheckFlagsReluKink(t *testing.T) {
	a := annotateSrc(t, "name: k\ninputs: {x: 0, y: 1}\nnodes:\n  h: relu(x)\n  o: add(h, y)\n")
	res, err := backward.Check(a, 1e-6, 1)
	if err != nil {
		t.Fatal(err)
	}
	x, y := res.Rows[0], res.Rows[1]
	if x.Leaf != "x" || !x.Unreliable || x.RelErr < 0.4 {
		t.Errorf("x: %+v, want a flagged row with a large error", x)
	}
	if y.Leaf != "y" || y.Unreliable || y.RelErr > 1e-9 {
		t.Errorf("y: %+v", y)
	}
	if len(res.Failed(1e-6)) != 0 {
		t.Error("a flagged row must not count as a failure")
	}
	res.Rows[1].RelErr = 1
	if len(res.Failed(1e-6)) != 1 {
		t.Error("a row above tolerance must count as a failure")
	}
}
