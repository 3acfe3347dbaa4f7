package graph

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file reads a spec's YAML into a rawSpec, checking its structure and
// recording the position of everything a later diagnostic may point at.

// rawSpec is a spec as written, before names are resolved.
type rawSpec struct {
	name, title, description string
	leaves                   []*rawLeaf
	nodes                    []*rawNode
	output                   string
	outputPos                Pos
	// groups is the top-level groups map (see groups.go).
	groups []*rawGroup
}

// rawLeaf is an entry of inputs or params.
type rawLeaf struct {
	name   string
	kind   Kind
	value  *Tensor
	noGrad bool
	label  string
	// display is the spec's display text for the name (see Node.Display).
	display string
	pos     Pos
	// group is the leaf's group key, if any.
	group rawGroupRef
}

// rawNode is an entry of nodes. A large spec has many, so a rawNode holds
// what every node has; the rest is in more, nil for most nodes: read it
// with m, write it with edit.
type rawNode struct {
	// broken marks a node whose definition had errors; its name is still
	// defined, so that references to it are not reported again.
	broken bool
	name   string
	op     *Op
	args   []rawArg
	pos    Pos
	opPos  Pos
	more   *rawMore
}

// rawMore is what the spec says of a few nodes only.
type rawMore struct {
	label string
	// display is the spec's display text for the name (see Node.Display).
	display string
	// kw is the keyword argument, if any (see keywords.go).
	kw rawKeyword
	// group is the node's group key, if any.
	group rawGroupRef
	// innerGroup is the formula or block-call group the loader put the
	// node in; owner, block and expr
	// are what the annotated JSON says of a node made by a formula or a
	// block call (see Node).
	innerGroup, owner, block, expr string
	// ctx is appended to the node's diagnostics: the block call it was
	// expanded for.
	ctx string
	// errPos, when set, is where a shape error of the node is reported:
	// the operator of a formula.
	errPos Pos
}

// noMore is what m returns for a node without rawMore; it is never
// written.
var noMore rawMore

// m returns what more the spec says of n, for reading.
func (n *rawNode) m() *rawMore {
	if n.more == nil {
		return &noMore
	}
	return n.more
}

// edit returns what more the spec says of n, for writing, making it when
// n has none.
func (n *rawNode) edit() *rawMore {
	if n.more == nil {
		n.more = &rawMore{}
	}
	return n.more
}

// hasSpec reports whether the node needs a nodeSpec: whether the spec says
// more of it than its name, op and inputs.
func (n *rawNode) hasSpec() bool {
	m := n.m()
	return m.label != "" || m.display != "" || m.innerGroup != "" || m.owner != "" || m.block != "" || m.expr != "" || m.kw.keyPos.Line > 0
}

// rawArg is one entry of a node's in list: a reference or a literal.
type rawArg struct {
	// tooLarge marks a literal beyond the range of float64.
	tooLarge bool
	ref      string
	literal  float64
	isLit    bool
	pos      Pos
}

// specKeys are the top-level keys of spec format v1.
var specKeys = []string{"version", "name", "title", "description", "inputs", "params", "blocks", "nodes", "output", "groups"}

// parser accumulates diagnostics while it walks the YAML tree of one file.
type parser struct {
	file string
	// lines holds the source's lines, to check positions inside values;
	// runeText holds the characters of line runeLine (see runes).
	lines    []string
	runeLine int
	runeText []rune
	limits   Limits
	diags    Diagnostics
	// count is the number of inputs, params and nodes seen so far.
	count int
	// suggested records the keys an unknown key was taken for, by mapping
	// position, so that the key is not also reported as missing.
	suggested map[suggestedKey]bool
	// ops is the table op names are resolved in.
	ops *OpTable
	// blocks holds the spec's blocks by name, and groups the groups that
	// formulas and block calls make, in the order Graph.Groups lists them.
	blocks map[string]*rawBlock
	groups []*Group
	// counters numbers the sub-expression nodes of each base name.
	counters map[string]int
	// nodeCtx and nodeErrPos hold, by node, the call context of its
	// diagnostics and where its shape errors are reported.
	nodeCtx    map[*Node]string
	nodeErrPos map[*Node]Pos
	// parts and offs are reused by splitArgs; rawSlab and argSlab hand
	// out the nodes of the nodes mapping and their arguments in blocks.
	parts   []string
	offs    []int
	rawSlab []rawNode
	argSlab []rawArg
	// chunks, when not nil, is the nodes mapping to read in chunks (see
	// chunk.go); gaveUp is set when they cannot be, and the spec must be
	// read again as a whole.
	chunks *nodeChunks
	gaveUp bool
}

// rawChunk is the number of raw nodes, and arguments, allocated at once.
const rawChunk = 256

// newRawNode returns a zeroed raw node from the current block.
func (p *parser) newRawNode() *rawNode {
	if len(p.rawSlab) == 0 {
		p.rawSlab = make([]rawNode, rawChunk)
	}
	n := &p.rawSlab[0]
	p.rawSlab = p.rawSlab[1:]
	return n
}

// newArgs returns an empty argument list with room for k arguments, from
// the current block when k is small; its capacity is exact, so that an
// append beyond it cannot reach another node's arguments.
func (p *parser) newArgs(k int) []rawArg {
	if k > rawChunk/8 {
		return make([]rawArg, 0, k)
	}
	if len(p.argSlab) < k {
		p.argSlab = make([]rawArg, rawChunk)
	}
	args := p.argSlab[:0:k]
	p.argSlab = p.argSlab[k:]
	return args
}

type suggestedKey struct {
	line, col int
	key       string
}

// missing reports a required key absent from the mapping m, unless an
// unknown key in m was already reported as a likely misspelling of it.
func (p *parser) missing(m *yaml.Node, what, key, hint string) {
	if p.suggested[suggestedKey{m.Line, m.Column, key}] {
		return
	}
	prefix := ""
	if what != "" {
		prefix = what + ": "
	}
	p.errorf(p.pos(m), "%smissing required key %q%s", prefix, key, hint)
}

func (p *parser) pos(n *yaml.Node) Pos { return Pos{File: p.file, Line: n.Line, Col: n.Column} }

func (p *parser) errorf(pos Pos, format string, args ...any) {
	p.diags = append(p.diags, Diagnostic{Severity: Error, Pos: pos, Summary: fmt.Sprintf(format, args...)})
}

// describe names a YAML node's type for "expected X, found Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing"
		case "!!str":
			return fmt.Sprintf("the string %q", truncate(n.Value, 40))
		case "!!bool":
			return "the boolean " + n.Value
		}
		return n.Value
	}
	return "an unknown YAML node"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// mapping iterates over a mapping node's entries, reporting duplicate keys
// and keys outside known (when known is not nil).
func (p *parser) mapping(n *yaml.Node, what string, known []string, f func(key string, k, v *yaml.Node)) {
	p.entries(n, what, known, map[string]keyPos{}, f)
}

// keyPos is where a key of a mapping is written.
type keyPos struct{ line, col int }

// entries is mapping with the keys seen so far in seen, so that a mapping
// read in parts (see chunk.go) reports a key repeated in two of them.
func (p *parser) entries(n *yaml.Node, what string, known []string, seen map[string]keyPos, f func(key string, k, v *yaml.Node)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(p.pos(k), "%s: expected a name as key, found %s", what, describe(k))
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			p.errorf(p.pos(k), "%s: duplicate key %q (first at line %d, column %d)", what, k.Value, prev.line, prev.col)
			continue
		}
		seen[k.Value] = keyPos{k.Line, k.Column}
		if known != nil && !contains(known, k.Value) {
			if s := suggest(k.Value, known); s != "" {
				if p.suggested == nil {
					p.suggested = map[suggestedKey]bool{}
				}
				p.suggested[suggestedKey{n.Line, n.Column, s}] = true
			}
			p.errorf(p.pos(k), "%s: unknown key %q%s (expected one of: %s)", what, k.Value,
				didYouMean(k.Value, known), strings.Join(known, ", "))
			continue
		}
		f(k.Value, k, v)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// identifierSyntax is the syntax of names in a spec, as a regular
// expression; the schema and the messages quote it.
const identifierSyntax = `[A-Za-z_][A-Za-z0-9_]*`

// IsIdentifier reports whether s is a valid name in a spec,
// [A-Za-z_][A-Za-z0-9_]*: the names of specs, leaves and nodes. Output files
// are named after a spec's name, so an identifier can never climb out of
// their folder.
func IsIdentifier(s string) bool { return isIdent(s) }

// badName reports a name that is not an identifier.
func (p *parser) badName(pos Pos, what, name string) {
	p.errorf(pos, "%s: %q is not a valid name (expected an identifier: %s)", what, truncate(name, 40), identifierSyntax)
}

// isIdent reports whether s matches [A-Za-z_][A-Za-z0-9_]*.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// parseSpec walks the document node of a spec.
func (p *parser) parseSpec(doc *yaml.Node) *rawSpec {
	s := &rawSpec{}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		if p.chunks != nil {
			p.gaveUp = true
			return nil
		}
		p.errorf(p.pos(root), "expected a mapping with the keys name and nodes at the top of the spec, found %s", describe(root))
		return nil
	}
	var haveName, haveNodes bool
	var nodesVal *yaml.Node
	p.blocks, p.counters = map[string]*rawBlock{}, map[string]int{}
	p.mapping(root, "spec", specKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "version":
			if v.Kind != yaml.ScalarNode || v.Value != "1" {
				p.errorf(p.pos(v), "version: expected 1 (the only spec version so far), found %s", describe(v))
			}
		case "name":
			haveName = true
			if name, ok := p.str(v, "name"); ok {
				if !isIdent(name) {
					p.errorf(p.pos(v), "name: %q is not an identifier (%s); output files are named after it", truncate(name, 40), identifierSyntax)
				}
				s.name = name
			}
		case "title":
			s.title, _ = p.str(v, "title")
		case "description":
			s.description, _ = p.str(v, "description")
		case "inputs", "params", "nodes", "blocks":
			n := -1 // Not a mapping: nothing to count.
			if v.Kind == yaml.MappingNode {
				n = len(v.Content) / 2
			} else if key == "nodes" && p.chunks.matches(root, k, v) {
				p.chunks.used = true
				n = p.chunks.entries
			}
			if n >= 0 && !p.countEntries(k, n) {
				return
			}
		}
		switch key {
		case "inputs":
			p.leaves(s, v, "inputs", KindInput)
		case "params":
			p.leaves(s, v, "params", KindParam)
		case "blocks":
			p.readBlocks(v)
		case "nodes":
			// Read after the blocks, which nodes may call.
			haveNodes = true
			nodesVal = v
		case "output":
			if name, ok := p.str(v, "output"); ok {
				if !isIdent(name) {
					p.badName(p.pos(v), "output", name)
					return
				}
				s.output, s.outputPos = name, p.pos(v)
			}
		case "groups":
			s.groups = p.groupsMap(v)
		}
	})
	switch {
	case p.chunks != nil && !p.chunks.used:
		// The head does not say that the lines left out are the nodes.
		p.gaveUp = true
		return nil
	case nodesVal == nil || p.count > p.limits.MaxNodes:
	case p.chunks != nil:
		if p.chunkedNodes(s); p.gaveUp {
			return nil
		}
	default:
		p.nodes(s, nodesVal)
	}
	if p.count > p.limits.MaxNodes {
		return nil // Nothing more is worth checking.
	}
	if !haveName {
		p.missing(root, "", "name", " (an identifier; output files are named after it)")
	}
	if !haveNodes {
		p.missing(root, "", "nodes", " (a mapping from node names to ops)")
	}
	return s
}

// countEntries adds the n entries of a section, whose key is k, to the
// node count and reports when it exceeds the limit, before any of them is
// read.
func (p *parser) countEntries(k *yaml.Node, n int) bool {
	if p.count > p.limits.MaxNodes {
		return false // Reported already.
	}
	p.count += n
	if p.count > p.limits.MaxNodes {
		p.errorf(p.pos(k), "%s: the spec has more than %d inputs, params and nodes, the limit (raise it with --max-nodes)", k.Value, p.limits.MaxNodes)
		return false
	}
	return true
}

// str reads a scalar string value.
func (p *parser) str(v *yaml.Node, what string) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.errorf(p.pos(v), "%s: expected a string, found %s", what, describe(v))
		return "", false
	}
	return v.Value, true
}

// maxDisplay is the longest display text, in characters.
const maxDisplay = 32

// display reads a display text (see Node.Display): a string of 1 to
// maxDisplay characters on one line, without control characters.
func (p *parser) display(v *yaml.Node, what string) string {
	s, ok := p.str(v, what)
	if !ok {
		return ""
	}
	n := 0
	for _, r := range s {
		if r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0 {
			p.errorf(p.pos(v), "%s: expected a text on one line without control characters, found %q", what, s)
			return ""
		}
		n++
	}
	if n == 0 || n > maxDisplay {
		p.errorf(p.pos(v), "%s: expected a text of 1 to %d characters, found %d", what, maxDisplay, n)
		return ""
	}
	return s
}

// leaves reads the inputs or params mapping.
func (p *parser) leaves(s *rawSpec, v *yaml.Node, what string, kind Kind) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return // An empty section is allowed.
	}
	if v.Kind != yaml.MappingNode {
		p.errorf(p.pos(v), "%s: expected a mapping from names to values, found %s", what, describe(v))
		return
	}
	p.mapping(v, what, nil, func(name string, k, val *yaml.Node) {
		if !isIdent(name) {
			p.badName(p.pos(k), what, name)
			return
		}
		leaf := &rawLeaf{name: name, kind: kind, pos: p.pos(k)}
		if val.Kind == yaml.MappingNode {
			var haveValue bool
			p.mapping(val, what+"."+name, []string{"value", "grad", "label", "group", "display"}, func(key string, _, x *yaml.Node) {
				switch key {
				case "value":
					haveValue = true
					leaf.value = p.tensor(x, what+"."+name)
				case "grad":
					if x.Kind != yaml.ScalarNode || x.Tag != "!!bool" {
						p.errorf(p.pos(x), "%s.%s.grad: expected true or false, found %s", what, name, describe(x))
						return
					}
					leaf.noGrad = x.Value == "false" || x.Value == "False" || x.Value == "FALSE"
				case "label":
					leaf.label, _ = p.str(x, what+"."+name+".label")
				case "group":
					leaf.group = p.groupRef(x, what+"."+name+".group")
				case "display":
					leaf.display = p.display(x, what+"."+name+".display")
				}
			})
			if !haveValue {
				p.missing(val, what+"."+name, "value", "")
			}
		} else {
			leaf.value = p.tensor(val, what+"."+name)
		}
		s.leaves = append(s.leaves, leaf)
	})
}

// tensor reads a number, a list of numbers or a list of lists of numbers.
func (p *parser) tensor(v *yaml.Node, what string) *Tensor {
	switch v.Kind {
	case yaml.ScalarNode:
		x, ok := p.number(v, what)
		if !ok {
			return nil
		}
		return Scalar(x)
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			p.errorf(p.pos(v), "%s: expected a non-empty list", what)
			return nil
		}
		if n := len(v.Content) * max(1, len(v.Content[0].Content)); n > p.limits.MaxElements {
			p.errorf(p.pos(v), "%s: the value has %d elements, more than the limit of %d (raise it with --max-elements)", what, n, p.limits.MaxElements)
			return nil
		}
		if v.Content[0].Kind == yaml.SequenceNode {
			return p.matrix(v, what)
		}
		t := &Tensor{Shape: []int{len(v.Content)}, Data: make([]float64, len(v.Content))}
		ok := true
		for i, e := range v.Content {
			if e.Kind != yaml.ScalarNode {
				p.errorf(p.pos(e), "%s[%d]: expected a number, found %s (values have rank 0, 1 or 2)", what, i, describe(e))
				ok = false
				continue
			}
			x, good := p.number(e, fmt.Sprintf("%s[%d]", what, i))
			t.Data[i], ok = x, ok && good
		}
		if !ok {
			return nil
		}
		return t
	}
	p.errorf(p.pos(v), "%s: expected a number, a list of numbers or a list of lists, found %s", what, describe(v))
	return nil
}

// matrix reads a list of lists of numbers, which must be rectangular.
func (p *parser) matrix(v *yaml.Node, what string) *Tensor {
	cols := len(v.Content[0].Content)
	t := &Tensor{Shape: []int{len(v.Content), cols}}
	ok := cols > 0
	if cols == 0 {
		p.errorf(p.pos(v.Content[0]), "%s[0]: expected a non-empty row", what)
	}
	for i, row := range v.Content {
		if row.Kind != yaml.SequenceNode {
			p.errorf(p.pos(row), "%s[%d]: expected a row (a list of numbers) like row 0, found %s", what, i, describe(row))
			ok = false
			continue
		}
		if len(row.Content) != cols {
			p.errorf(p.pos(row), "%s[%d]: ragged matrix: row has %s, row 0 has %d", what, i, plural(len(row.Content), "element"), cols)
			ok = false
			continue
		}
		for j, e := range row.Content {
			if e.Kind != yaml.ScalarNode {
				p.errorf(p.pos(e), "%s[%d][%d]: expected a number, found %s (values have rank 0, 1 or 2)", what, i, j, describe(e))
				ok = false
				continue
			}
			x, good := p.number(e, fmt.Sprintf("%s[%d][%d]", what, i, j))
			t.Data = append(t.Data, x)
			ok = ok && good
		}
	}
	if !ok {
		return nil
	}
	return t
}

// number reads a finite float64 from a scalar node.
func (p *parser) number(v *yaml.Node, what string) (float64, bool) {
	if v.Tag == "!!str" && v.Style == 0 {
		// yaml.v3 reads a number beyond float64's range as a string.
		if f, err := strconv.ParseFloat(v.Value, 64); errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0) {
			p.errorf(p.pos(v), "%s: %s is too large for a float64 (values must be finite)", what, truncate(v.Value, 40))
			return 0, false
		}
	}
	if v.Tag != "!!int" && v.Tag != "!!float" {
		p.errorf(p.pos(v), "%s: expected a number, found %s", what, describe(v))
		return 0, false
	}
	var x float64
	if err := v.Decode(&x); err != nil {
		// Integers too large for int64 still read as floats.
		f, perr := strconv.ParseFloat(strings.ReplaceAll(v.Value, "_", ""), 64)
		if perr != nil && !math.IsInf(f, 0) {
			p.errorf(p.pos(v), "%s: %s is not a number chainviz can read", what, truncate(v.Value, 40))
			return 0, false
		}
		x = f
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		p.errorf(p.pos(v), "%s: values must be finite, found %s", what, truncate(v.Value, 40))
		return 0, false
	}
	return x, true
}
