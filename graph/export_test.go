package graph

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
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
		if g.Node(n.Name) != n {
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

// SimpleChunks compares, for every chunk of src's nodes mapping that
// simpleChunk reads, its mapping with the one yaml.v3 makes of the same
// lines. It returns the number of chunks compared and the first
// difference, or "".
func SimpleChunks(src []byte) (compared int, diff string) {
	p := &parser{file: "s.yaml", limits: DefaultLimits.withDefaults(), ops: builtin}
	p.lines = SourceLines(src)
	if !p.checkText(src) {
		return 0, ""
	}
	if p.chunks = splitNodes(src, p.lines); p.chunks == nil {
		return 0, ""
	}
	var fast []yaml.Node
	for _, ch := range p.chunks.chunks {
		m, ok := p.simpleChunk(ch, &fast)
		if !ok {
			continue
		}
		compared++
		var doc yaml.Node
		if err := yaml.Unmarshal(src[ch.start:ch.end], &doc); err != nil {
			return compared, fmt.Sprintf("chunk at line %d: read simply, but yaml.v3 says %v", ch.line+1, err)
		}
		if len(doc.Content) != 1 || !shiftLines(doc.Content[0], ch.line) {
			return compared, fmt.Sprintf("chunk at line %d: read simply, but yaml.v3 makes %d documents or an alias", ch.line+1, len(doc.Content))
		}
		want := doc.Content[0]
		if got, w := scalarFields(m), scalarFields(want); got != w {
			return compared, fmt.Sprintf("chunk at line %d: read simply as %s, by yaml.v3 as %s", ch.line+1, got, w)
		}
		if len(m.Content) != len(want.Content) {
			return compared, fmt.Sprintf("chunk at line %d: %d keys and values read simply, %d by yaml.v3", ch.line+1, len(m.Content), len(want.Content))
		}
		for i := range m.Content {
			if got, w := scalarFields(m.Content[i]), scalarFields(want.Content[i]); got != w {
				return compared, fmt.Sprintf("chunk at line %d: read simply as %s, by yaml.v3 as %s", ch.line+1, got, w)
			}
		}
	}
	return compared, ""
}

// scalarFields writes out what the loader reads of a YAML node.
func scalarFields(n *yaml.Node) string {
	return fmt.Sprintf("{kind %d style %d tag %s value %q at %d:%d, %d children}", n.Kind, n.Style, n.Tag, n.Value, n.Line, n.Column, len(n.Content))
}
