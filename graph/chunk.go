package graph

import (
	"bytes"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file reads the nodes mapping of a large spec a slice of lines at a
// time. yaml.v3 turns a whole document into a tree of about 350 bytes per
// node before chainviz reads any of it, which for a 100,000-node chain is a
// third of the memory of the whole run. When the nodes mapping is written
// the plain way (a "nodes:" line at the top level, its entries one per line
// at one indentation), the loader parses the rest of the spec with those
// lines left blank, then the entries chunkLines lines at a time, each chunk
// as a document of its own, with its line numbers moved back to the file's.
// Anything out of the ordinary (another line break than \n, a tab in the
// indentation, an entry that does not start with a letter, a YAML error or
// alias anywhere, a chunk whose entries are not the lines expected) makes
// the loader start again on the whole document, so the result, diagnostics
// included, is always the one the whole document gives.

// chunkLines is about the number of lines of the nodes mapping parsed at a
// time; a mapping shorter than two chunks is parsed with the document. The
// tests lower it to make many small chunks.
var chunkLines = 2048

// nodeChunks is the nodes mapping of a spec, cut into chunks of whole
// entries.
type nodeChunks struct {
	// keyLine is the line, from 1, of "nodes:"; indent is the indentation
	// of the entries, and entries their number.
	keyLine, indent, entries int
	// src is the spec, and head the spec with the lines of the mapping
	// left blank.
	src, head []byte
	// chunks are the byte ranges of src that hold the entries, each
	// starting on an entry's line, with the line (from 0) it starts on.
	chunks []nodeChunk
	// used is set when the head's top-level nodes key is the one at
	// keyLine, whose entries the chunks then are.
	used bool
}

// nodeChunk is a chunk of the nodes mapping: bytes start to end of the
// spec, lines line to endLine (from 0), holding entries entries.
type nodeChunk struct {
	start, end, line, endLine, entries int
}

// splitNodes cuts the nodes mapping of src, whose lines are lines, into
// chunks, or returns nil when it is not written the plain way or is too
// short to be worth it.
func splitNodes(src []byte, lines []string) *nodeChunks {
	if len(lines) < 2*chunkLines || bytes.ContainsAny(src, "\r\u0085\u2028\u2029\ufeff") {
		return nil
	}
	key := -1
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, "nodes:"); ok && isCommentOrBlank(rest, true) {
			if key >= 0 {
				return nil // Two nodes keys: the document reports them.
			}
			key = i
		}
	}
	if key < 0 {
		return nil
	}
	c := &nodeChunks{keyLine: key + 1, indent: -1, src: src}
	// off is the byte offset of line end in src: every line ends with \n.
	off := 0
	for i := 0; i <= key; i++ {
		off += len(lines[i]) + 1
	}
	bodyStart, end := off, key+1
	cur := nodeChunk{line: -1}
scan:
	for ; end < len(lines); end++ {
		l := lines[end]
		trimmed := strings.TrimLeft(l, " ")
		indent := len(l) - len(trimmed)
		switch {
		case isCommentOrBlank(trimmed, false) && !strings.HasPrefix(trimmed, "\t"):
			// Blank lines and comments belong to the chunk they are in.
		case indent == 0:
			break scan // The next top-level key, or whatever else.
		case c.indent < 0 && isIdentStart(trimmed[0]):
			c.indent = indent
			fallthrough
		case indent == c.indent:
			if !isIdentStart(trimmed[0]) {
				return nil
			}
			if cur.line < 0 || end-cur.line >= chunkLines {
				if cur.line >= 0 {
					cur.end, cur.endLine = off, end
					c.chunks = append(c.chunks, cur)
				}
				cur = nodeChunk{start: off, line: end}
			}
			cur.entries++
			c.entries++
		case indent < c.indent || c.indent < 0 || trimmed[0] == '\t':
			return nil
		}
		off += len(l) + 1
	}
	if cur.line < 0 || len(c.chunks) == 0 {
		return nil
	}
	cur.end, cur.endLine = min(off, len(src)), end
	c.chunks = append(c.chunks, cur)
	// The head keeps every line, those of the mapping blank, so that its
	// line numbers are the file's.
	c.head = make([]byte, 0, len(src)-(cur.end-bodyStart)+(end-key))
	c.head = append(c.head, src[:bodyStart]...)
	c.head = append(c.head, bytes.Repeat([]byte{'\n'}, end-key-1)...)
	c.head = append(c.head, src[cur.end:]...)
	return c
}

// isCommentOrBlank reports whether s, the rest of a line, holds nothing
// but spaces and a comment; after a key (afterKey), the comment must
// follow a space.
func isCommentOrBlank(s string, afterKey bool) bool {
	t := strings.TrimLeft(s, " \t")
	if t == "" {
		return true
	}
	return t[0] == '#' && (!afterKey || len(t) < len(s))
}

func isIdentStart(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// matches reports whether the top-level key k, with value v in the block
// mapping root, is the nodes key whose lines the chunks hold.
func (c *nodeChunks) matches(root, k, v *yaml.Node) bool {
	return c != nil && root.Style&yaml.FlowStyle == 0 && root.Column == 1 &&
		k.Value == "nodes" && k.Line == c.keyLine && k.Column == 1 && k.Style == 0 &&
		v.Kind == yaml.ScalarNode && v.Tag == "!!null" && v.Value == ""
}

// chunkedNodes reads the nodes mapping chunk by chunk, as nodes would read
// it whole; it gives up (see gaveUp) when a chunk is not what the whole
// document would make of its lines.
func (p *parser) chunkedNodes(s *rawSpec) {
	seen := make(map[string]keyPos, p.chunks.entries)
	var fast []yaml.Node
	for _, ch := range p.chunks.chunks {
		m, ok := p.simpleChunk(ch, &fast)
		if !ok {
			if m, ok = p.yamlChunk(ch); !ok {
				p.gaveUp = true
				return
			}
		}
		p.entries(m, "nodes", nil, seen, func(name string, k, val *yaml.Node) { p.nodeEntry(s, name, k, val) })
	}
}

// yamlChunk parses a chunk with yaml.v3 and returns its mapping, with the
// file's line numbers, or false when it is not a block mapping of the
// chunk's entries, each at the entries' indentation, without aliases.
func (p *parser) yamlChunk(ch nodeChunk) (*yaml.Node, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(p.chunks.src[ch.start:ch.end], &doc); err != nil || len(doc.Content) != 1 {
		return nil, false
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode || m.Style&yaml.FlowStyle != 0 || len(m.Content) != 2*ch.entries || !shiftLines(m, ch.line) {
		return nil, false
	}
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Column != p.chunks.indent+1 || strings.TrimLeft(p.lines[k.Line-1][:p.chunks.indent], " ") != "" {
			return nil, false
		}
	}
	return m, true
}

// simpleChunk makes the mapping of a chunk without yaml.v3 when every
// entry is written the simplest way, "  name: op(args)" on one ASCII line
// (what generated specs look like), and returns false otherwise. Its nodes
// are those yaml.v3 makes of such lines (the tests check it), in *nodes,
// which the next chunk reuses: nothing keeps a YAML node.
func (p *parser) simpleChunk(ch nodeChunk, nodes *[]yaml.Node) (*yaml.Node, bool) {
	indent := p.chunks.indent
	if cap(*nodes) < 2*ch.entries+1 {
		*nodes = make([]yaml.Node, 2*ch.entries+1)
	}
	ns := (*nodes)[:2*ch.entries+1]
	clear(ns)
	m := &ns[0]
	m.Kind, m.Tag, m.Line, m.Column = yaml.MappingNode, "!!map", ch.line+1, indent+1
	content := make([]*yaml.Node, 0, 2*ch.entries)
	for i := ch.line; i < ch.endLine; i++ {
		line := p.lines[i]
		if isCommentOrBlank(line, false) {
			if strings.ContainsRune(line, '\t') {
				return nil, false
			}
			continue
		}
		if len(line) <= indent || line[indent] == ' ' || len(content) == 2*ch.entries {
			// A continuation line, or a line past the chunk's entries.
			return nil, false
		}
		key, value, ok := simpleEntry(line[indent:])
		if !ok {
			return nil, false
		}
		k, v := &ns[len(content)+1], &ns[len(content)+2]
		k.Kind, k.Tag, k.Value, k.Line, k.Column = yaml.ScalarNode, "!!str", key, i+1, indent+1
		v.Kind, v.Tag, v.Value, v.Line, v.Column = yaml.ScalarNode, "!!str", value, i+1, len(line)-len(strings.TrimLeft(line[indent+len(key)+1:], " "))+1
		content = append(content, k, v)
	}
	if len(content) != 2*ch.entries {
		return nil, false
	}
	m.Content = content
	return m, true
}

// simpleEntry splits "name: value" into its name and value when the
// name is an identifier YAML reads as a string, and the value a plain
// scalar that YAML can only read as a string: printable ASCII without
// the characters that end or quote a plain scalar or start a comment,
// beginning with a letter, and with a parenthesis, a space or an operator
// in it, which no YAML boolean, null or number has.
func simpleEntry(s string) (key, value string, ok bool) {
	colon := strings.IndexByte(s, ':')
	if colon < 1 || colon+2 >= len(s) || s[colon+1] != ' ' || !isIdent(s[:colon]) || yamlWords[strings.ToLower(s[:colon])] {
		return "", "", false
	}
	key, value = s[:colon], strings.Trim(s[colon+1:], " ")
	if value == "" || !isIdentStart(value[0]) || !strings.ContainsAny(value, "( +-*/^") {
		return "", "", false
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < ' ' || c > '~' || strings.IndexByte(":#'\"\\{}[]&*!|>%@`", c) >= 0 {
			return "", "", false
		}
	}
	return key, value, true
}

// yamlWords are the plain scalars, in lower case, that YAML may read as
// something else than a string.
var yamlWords = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true, "null": true}

// shiftLines adds lines to the line of n and of everything in it; it
// returns false when it meets an alias, which a spec may not hold.
func shiftLines(n *yaml.Node, lines int) bool {
	if n.Kind == yaml.AliasNode {
		return false
	}
	n.Line += lines
	for _, c := range n.Content {
		if !shiftLines(c, lines) {
			return false
		}
	}
	return true
}
