package graph

import (
	"fmt"
	"strings"
)

// SetChunkLines sets the size of the chunks the nodes mapping is read in
// (see chunk.go) and returns the function that puts it back.
func SetChunkLines(n int) (restore func()) {
	old := chunkLines
	chunkLines = n
	return func() { chunkLines = old }
}

// LoadChunked loads src reading its nodes mapping in chunks, without
// falling back to the whole document; used is false when that cannot be
// done, and the result is then to be ignored.
func LoadChunked(file string, src []byte) (g *Graph, err error, used bool) {
	p := &parser{file: file, limits: DefaultLimits.withDefaults(), ops: builtin}
	p.lines = SourceLines(src)
	if !p.checkText(src) {
		return nil, nil, false
	}
	c := splitNodes(src, p.lines)
	if c == nil {
		return nil, nil, false
	}
	p.chunks = c
	g, err = p.load(c.head)
	return g, err, !p.gaveUp
}

// Dump writes out everything a graph holds, for tests that compare two.
func Dump(g *Graph) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q %q %q output=%s work=%d/%d\n", g.Name, g.Title, g.Description, g.Output.Name, g.Work, g.WorkLimit)
	for _, n := range g.Nodes {
		fmt.Fprintf(&b, "%d %s kind=%d nograd=%v op=%s in=%v attr=%v shape=%v pos=%v", n.ID, n.Name, n.Kind, n.NoGrad, n.OpName(), n.InputNames(), n.Attr, n.Shape, n.Pos)
		if n.Value != nil {
			fmt.Fprintf(&b, " value=%v%v", n.Value.Shape, n.Value.Data)
		}
		if n.spec != nil {
			fmt.Fprintf(&b, " spec=%+v", *n.spec)
		}
		if g.byName[n.Name] != n {
			fmt.Fprintf(&b, " NOT-BY-NAME")
		}
		b.WriteByte('\n')
	}
	for _, gr := range g.Groups {
		fmt.Fprintf(&b, "group %+v\n", *gr)
	}
	for _, w := range g.Warnings {
		fmt.Fprintf(&b, "%+v\n", w)
	}
	return b.String()
}
