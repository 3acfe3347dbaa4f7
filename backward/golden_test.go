package backward_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenSpecs are the specs whose annotated JSON is kept under
// testdata/golden: scalar, fan-out, a constant leaf, vectors, matrices and
// broadcasting.
var goldenSpecs = []string{"worked_example", "fork", "domino", "vector_matrix", "mlp_batch"}

func TestGoldenJSON(t *testing.T) {
	for _, name := range goldenSpecs {
		t.Run(name, func(t *testing.T) {
			g, err := graph.LoadFile(filepath.Join("..", "specs", name+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			a, err := backward.Annotate(g)
			if err != nil {
				t.Fatal(err)
			}
			got := backward.JSON(a)
			path := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./backward -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("annotated JSON of %s differs from %s (run with -update if the change is intended):\n%s", name, path, got)
			}
		})
	}
}

// TestJSONIsDeterministic annotates the same spec many times, each time
// from a fresh load, and expects byte-identical JSON.
func TestJSONIsDeterministic(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "specs", "mlp_batch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for i := 0; i < 20; i++ {
		g, err := graph.Load("mlp_batch.yaml", src)
		if err != nil {
			t.Fatal(err)
		}
		a, err := backward.Annotate(g)
		if err != nil {
			t.Fatal(err)
		}
		got := backward.JSON(a)
		if first == nil {
			first = got
		} else if !bytes.Equal(first, got) {
			t.Fatalf("run %d gave different JSON", i)
		}
	}
}
