package render

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// loadSpec loads and annotates a spec of testdata.
func loadSpec(t testing.TB, name string) *backward.Annotated {
	t.Helper()
	g, err := graph.LoadFile(filepath.Join("testdata", name+".yaml"))
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatalf("annotating %s: %v", name, err)
	}
	return a
}

// loadSource loads and annotates a spec given as text.
func loadSource(t testing.TB, src string) *backward.Annotated {
	t.Helper()
	g, err := graph.Load("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("loading spec: %v\n%s", err, src)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatalf("annotating spec: %v", err)
	}
	return a
}

// layered returns the spec of a layered graph of n nodes or a few more: a
// row of width inputs, then layers alternating add and mul of neighbours,
// every other one squashed by tanh, summed into the output, like the
// layers of a small MLP.
func layered(n int) string {
	const width = 5
	var b strings.Builder
	b.WriteString("name: layered\ninputs:\n")
	prev := make([]string, width)
	for i := range prev {
		prev[i] = fmt.Sprintf("x%d", i)
		fmt.Fprintf(&b, "  %s: %d\n", prev[i], i%3+1)
	}
	b.WriteString("nodes:\n")
	count := width + 1 // The inputs and the output.
	for l := 0; count+width <= n; l++ {
		cur := make([]string, width)
		for i := range cur {
			cur[i] = fmt.Sprintf("h%d_%d", l, i)
			switch l % 3 {
			case 0:
				fmt.Fprintf(&b, "  %s: add(%s, %s)\n", cur[i], prev[i], prev[(i+1)%width])
			case 1:
				fmt.Fprintf(&b, "  %s: mul(%s, %s)\n", cur[i], prev[i], prev[(i+1)%width])
			default:
				fmt.Fprintf(&b, "  %s: tanh(%s)\n", cur[i], prev[i])
			}
		}
		count += width
		prev = cur
	}
	fmt.Fprintf(&b, "  L: add(%s)\noutput: L\n", strings.Join(prev, ", "))
	return b.String()
}

// checkGolden compares got with the golden file, or rewrites it with
// -update.
func checkGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", file)
	if *update {
		if err := WriteFileAtomic(path, got); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./render -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file; run go test ./render -update and review the diff\n%s",
			path, firstDiff(string(want), string(got)))
	}
}

// firstDiff describes the first line where two texts differ.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant %q\n got %q", i+1, w, g)
		}
	}
	return ""
}
