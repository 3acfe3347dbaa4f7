package graph_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/chainviz/chainviz/graph"
)

// outcome is everything a load gives: the graph, or the diagnostics.
func outcome(g *graph.Graph, err error) string {
	if err == nil {
		return graph.Dump(g)
	}
	var ds graph.Diagnostics
	if !errors.As(err, &ds) {
		return "error: " + err.Error()
	}
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%+v\n", d)
	}
	return b.String()
}

// sameChunked loads src as a whole and with its nodes mapping read chunk
// lines at a time, and fails unless both give the same result.
func sameChunked(t *testing.T, name string, src []byte, lim graph.Limits, chunk int) {
	t.Helper()
	restore := graph.SetChunkLines(1 << 30)
	whole := outcome(graph.LoadWithLimits(name, src, lim))
	restore()
	restore = graph.SetChunkLines(chunk)
	chunked := outcome(graph.LoadWithLimits(name, src, lim))
	restore()
	if whole != chunked {
		t.Errorf("%s, chunks of %d lines: read in chunks, the spec gives\n%s\nbut as a whole\n%s", name, chunk, clip(chunked), clip(whole))
	}
}

// clip shortens a long outcome for a failure message.
func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// chunkedUsed reports whether the nodes mapping of src is read in chunks
// of chunk lines, rather than with the whole document.
func chunkedUsed(src []byte, chunk int) bool {
	defer graph.SetChunkLines(chunk)()
	_, _, used := graph.LoadChunked("c.yaml", src)
	return used
}

// TestChunkedLoadMatchesWholeOnEverySpec reads every spec of the
// repository and every bad-input case both ways, in chunks of 1 to 5
// lines.
func TestChunkedLoadMatchesWholeOnEverySpec(t *testing.T) {
	sources := map[string][]byte{}
	for _, pattern := range []string{"../specs/*.yaml", "../specs/large/*.yaml", "../*/testdata/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			sources[f] = src
		}
	}
	scripts, _ := filepath.Glob("../cmd/chainviz/testdata/script/*.txtar")
	for _, p := range scripts {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if strings.HasSuffix(f.Name, ".yaml") {
				sources[p+":"+f.Name] = f.Data
			}
		}
	}
	for _, c := range badCases {
		sources["bad: "+c.name] = []byte(c.src)
	}
	for _, c := range chunkCases {
		sources["chunk: "+c.name] = []byte(c.src)
	}
	used := 0
	for name, src := range sources {
		for _, chunk := range []int{1, 2, 3, 5} {
			sameChunked(t, name, src, graph.Limits{}, chunk)
		}
		if chunkedUsed(src, 1) {
			used++
		}
	}
	if used < 30 {
		t.Errorf("only %d of %d specs were read in chunks", used, len(sources))
	}
}

// chain returns a spec of a chain of n nodes n0 … n{n-1}, with head
// before its nodes mapping and tail after it.
func chain(n int, head, tail string) string {
	var b strings.Builder
	b.WriteString("name: c\ninputs:\n  x: 0.5\n" + head + "nodes:\n")
	b.WriteString("  n0: mul(x, 2)\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  n%d: %s(n%d)\n", i, []string{"tanh", "sin", "neg"}[i%3], i-1)
	}
	b.WriteString(tail)
	return b.String()
}

// edit replaces the entry of node name in spec by entry.
func edit(spec, name, entry string) string {
	i := strings.Index(spec, "\n  "+name+": ")
	j := strings.Index(spec[i+1:], "\n")
	return spec[:i+1] + entry + spec[i+1+j:]
}

// chunkCases are specs whose nodes mapping is written in ways the chunked
// reading must get right, and whether it reads them in chunks (or leaves
// them to the whole document).
var chunkCases = []struct {
	name, src string
	chunked   bool
}{
	{"plain", chain(12, "", "output: n11\n"), true},
	{"no output, no final newline", strings.TrimSuffix(chain(12, "", ""), "\n"), true},
	{"nodes first", "nodes:\n  n0: mul(x, 2)\n  n1: tanh(n0)\n  n2: sin(n1)\nname: c\ninputs:\n  x: 1\n", true},
	{"comment after the key", strings.Replace(chain(12, "", ""), "nodes:\n", "nodes:   # the chain\n", 1), true},
	{"comments and blank lines", strings.NewReplacer("  n3:", "# top\n\n  # indented\n  n3:", "  n7:", "\n\n    # deeper\n  n7:").Replace(chain(12, "", "")), true},
	{"long form over lines", edit(chain(12, "", ""), "n4", "  n4:\n    op: add\n    in: [n3, 1]\n    label: four"), true},
	{"flow mapping over lines", edit(chain(12, "", ""), "n4", "  n4: {op: add,\n      in: [n3,\n        1]}"), true},
	{"folded formula", edit(chain(12, "", ""), "n4", "  n4: >-\n    n3 * 2\n    + 1"), true},
	{"quoted over lines", edit(chain(12, "", ""), "n4", "  n4: \"add(n3,\n    1)\""), true},
	{"anchor without alias", edit(chain(12, "", ""), "n4", "  n4: &a tanh(n3)"), true},
	{"duplicate far apart", edit(chain(12, "", ""), "n9", "  n2: tanh(n8)"), true},
	{"errors in late entries", edit(edit(chain(12, "", ""), "n10", "  n10: nope(n9)"), "n11", "  n11: add(n10, zz, 3)"), true},
	{"unknown top-level key after", chain(12, "", "outptu: n11\n"), true},
	{"formulas and blocks", "name: f\ninputs:\n  x: 0.5\n  w: 2\nblocks:\n  lin:\n    in: [a, b]\n    nodes:\n      p: a * b + 1\n    out: p\nnodes:\n  h1: lin(x, w)\n  h2: lin(h1, w)\n  f1: h2 * x + w^2\n  f2: 0.5 * (f1 - 1)^2\n  h3: lin(f2, w)\noutput: h3\n", true},
	{"alias across chunks", edit(edit(chain(12, "", ""), "n2", "  n2: &a tanh(n1)"), "n9", "  n9: *a"), false},
	{"alias in one chunk", edit(chain(12, "", ""), "n9", "  n9: *a"), false},
	{"CRLF", strings.ReplaceAll(chain(12, "", ""), "\n", "\r\n"), false},
	{"tab in a line's indentation", edit(chain(12, "", ""), "n5", "  \tn5: tanh(n4)"), false},
	{"quoted key", edit(chain(12, "", ""), "n5", "  \"n5\": tanh(n4)"), false},
	{"sequence in the mapping", edit(chain(12, "", ""), "n5", "  - n5"), false},
	{"less indented entry", edit(chain(12, "", ""), "n5", " n5: tanh(n4)"), false},
	{"more indented entry", edit(chain(12, "", ""), "n5", "    n5: tanh(n4)"), false},
	{"continued at the entries' indentation", edit(chain(12, "", ""), "n5", "  n5: add(n4,\n  n4)"), false},
	{"flow continued at the entries' indentation", edit(chain(12, "", ""), "n5", "  n5: [n4,\n  n4]"), false},
	{"syntax error in a chunk", edit(chain(12, "", ""), "n8", "  n8: [n7"), false},
	{"second document", chain(12, "", "---\nname: d\n"), false},
	{"two nodes keys", chain(12, "", "nodes:\n  m: tanh(x)\n"), false},
	{"nodes key with a value", strings.Replace(chain(12, "", ""), "nodes:\n", "nodes: !!map\n", 1), false},
	{"flow root", "{name: c, inputs: {x: 1},\nnodes:\n  a: tanh(x)\n  b: tanh(a)\n  c: tanh(b)\n}\n", false},
	{"nodes inside a quoted title", "name: c\ntitle: \"a\nnodes:\n  a: tanh(x)\n  b: tanh(a)\nend: z\"\ninputs:\n  x: 1\nnodes:\n  q: tanh(x)\n", false},
	{"nodes nested", "name: c\ninputs:\n  x: 1\nnodes:\n  n0: tanh(x)\n  n1: tanh(n0)\n  n2:\n    nodes:\n      a: b\n", true},
}

// TestChunkedLoadCases checks, for each case, that the chunked reading is
// used when it can be and gives what the whole document gives.
func TestChunkedLoadCases(t *testing.T) {
	for _, c := range chunkCases {
		t.Run(c.name, func(t *testing.T) {
			if got := chunkedUsed([]byte(c.src), 2); got != c.chunked {
				t.Errorf("read in chunks: %v, want %v", got, c.chunked)
			}
			for _, chunk := range []int{1, 2, 4} {
				sameChunked(t, c.name, []byte(c.src), graph.Limits{}, chunk)
			}
		})
	}
}

// TestChunkedLoadLimits checks that the node limit counts the entries
// read in chunks before any is read.
func TestChunkedLoadLimits(t *testing.T) {
	src := []byte(chain(40, "params:\n  w: 1\n", "output: n39\n"))
	for _, max := range []int{10, 41, 42, 1000} {
		sameChunked(t, "limit", src, graph.Limits{MaxNodes: max}, 3)
	}
	_, err := graph.LoadWithLimits("limit.yaml", src, graph.Limits{MaxNodes: 41})
	if err == nil || !strings.Contains(err.Error(), "limit.yaml:6:1: nodes: the spec has more than 41 inputs") {
		t.Errorf("got %v, want the node limit reported at the nodes key", err)
	}
}

// TestLargeChainIsReadInChunks checks that a large spec takes the chunked
// reading at the default chunk size, and gives the whole document's graph.
func TestLargeChainIsReadInChunks(t *testing.T) {
	src := []byte(chain(10_000, "params:\n  w: 0.9\n", "output: n9999\n"))
	g, err, used := graph.LoadChunked("large.yaml", src)
	if !used || err != nil {
		t.Fatalf("read in chunks: %v, error %v", used, err)
	}
	defer graph.SetChunkLines(1 << 30)()
	whole, err := graph.Load("large.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	if graph.Dump(g) != graph.Dump(whole) {
		t.Error("the chunked and whole readings of the chain differ")
	}
}

// simpleLines are entries simpleChunk must read as yaml.v3 does, or leave
// to it.
var simpleLines = []string{
	"add(n3, 1)", "add(n3,1)  ", "n3 * 2 + 1", "tanh (n3)", "neg(n3) # note", "yes", "true", "null", "~",
	"n3", "x1 - 2", "f(a: b)", "f(a, 'b')", "f(\"b\")", "1 + n3", "-n3", "[n3]", "{op: neg, in: [n3]}",
	"&a neg(n3)", "!!str neg(n3)", "neg(n3) ", "neg(n3)\t", "pow(n3, 2)^2", "a@b", "a`b", "sin(n3)%2", "é(n3)",
}

// TestSimpleChunks checks that the entries read without yaml.v3 are read
// as yaml.v3 reads them, on every layout of the chunk cases and on every
// entry of simpleLines, with a few keys YAML may not read as strings.
func TestSimpleChunks(t *testing.T) {
	defer graph.SetChunkLines(2)()
	compared := 0
	check := func(name, src string) {
		n, diff := graph.SimpleChunks([]byte(src))
		if diff != "" {
			t.Errorf("%s: %s", name, diff)
		}
		compared += n
	}
	for _, c := range chunkCases {
		check(c.name, c.src)
	}
	for _, v := range simpleLines {
		for _, key := range []string{"n4", "yes", "On", "null", "true", "x_1"} {
			src := edit(chain(8, "", ""), "n4", "  "+key+": "+v)
			check(key+": "+v, src)
			sameChunked(t, key+": "+v, []byte(src), graph.Limits{}, 1)
		}
	}
	if compared < 100 {
		t.Errorf("only %d chunks were read without yaml.v3", compared)
	}
}

// FuzzSimpleChunks checks that the entries read without yaml.v3 are read
// as yaml.v3 reads them, on any input.
func FuzzSimpleChunks(f *testing.F) {
	for _, c := range chunkCases {
		f.Add([]byte(c.src))
	}
	for _, v := range simpleLines {
		f.Add([]byte(edit(chain(8, "", ""), "n4", "  n4: "+v)))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		defer graph.SetChunkLines(1)()
		if _, diff := graph.SimpleChunks(src); diff != "" {
			t.Error(diff)
		}
	})
}

// FuzzChunkedLoad checks that reading the nodes mapping in chunks of one
// line gives what the whole document gives, on any input.
func FuzzChunkedLoad(f *testing.F) {
	addSeeds(f)
	for _, c := range chunkCases {
		f.Add([]byte(c.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		sameChunked(t, "fuzz.yaml", src, graph.Limits{}, 1)
	})
}
