package graph_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chainviz/chainviz/graph"
)

// addSeeds adds every spec of specs/ and every bad-input case to the corpus.
func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "specs", "*.yaml"))
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, c := range badCases {
		f.Add([]byte(c.src))
	}
}

// FuzzLoad checks that any input either loads into a graph or gives
// diagnostics, never panics (Load turns a panic into an "internal error"
// diagnostic, which counts as a failure here), and that every diagnostic
// points inside the file.
func FuzzLoad(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		// Limits are meant to make every input fail fast; one that takes
		// seconds is a bug, so crash and let the fuzzer save it.
		tm := time.AfterFunc(10*time.Second, func() { panic("an input took more than 10 s to load") })
		defer tm.Stop()
		g, err := graph.Load("fuzz.yaml", src)
		if err == nil {
			if g == nil || g.Output == nil || len(g.Nodes) == 0 {
				t.Fatalf("no error but no graph: %#v", g)
			}
			for _, n := range g.Nodes {
				if n.Value == nil || !n.Value.Finite() || graph.Size(n.Shape) != n.Value.Size() {
					t.Fatalf("node %s has value %v with shape %v", n.Name, n.Value, n.Shape)
				}
			}
			checkPositions(t, src, g.Warnings)
			return
		}
		ds, ok := err.(graph.Diagnostics)
		if !ok || len(ds) == 0 {
			t.Fatalf("error is not diagnostics: %T %v", err, err)
		}
		for _, d := range ds {
			if strings.Contains(d.Summary, "internal error") {
				t.Fatalf("panic inside Load: %s", d)
			}
		}
		checkPositions(t, src, ds)
	})
}

// checkPositions asserts that every diagnostic is at a line and column that
// exist in src (a column may be one past the end of its line).
func checkPositions(t *testing.T, src []byte, ds graph.Diagnostics) {
	t.Helper()
	lines := graph.SourceLines(src)
	for _, d := range ds {
		p := d.Pos
		if p.File != "fuzz.yaml" || p.Line < 1 || p.Line > len(lines) || p.Col < 1 {
			t.Fatalf("diagnostic outside the file: %s", d)
		}
		if width := len([]rune(lines[p.Line-1])); p.Col > width+1 {
			t.Fatalf("diagnostic past the end of line %d (%d characters): %s", p.Line, width, d)
		}
	}
}
