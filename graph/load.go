package graph

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// LoadFile reads and loads the spec at path; "-" reads standard input.
func LoadFile(path string) (*Graph, error) {
	file, src, err := ReadSpec(path, os.Stdin, DefaultLimits.MaxFileSize)
	if err != nil {
		return nil, err
	}
	return Load(file, src)
}

// ReadSpec reads the spec at path, or stdin when path is "-", and returns
// the name diagnostics give the file ("<stdin>" for stdin) with its bytes.
// It never reads more than limit+1 bytes, whatever the file is (a pipe, a
// device such as /dev/zero), so that Load reports a file over the limit
// without the whole of it in memory; a limit of 0 or less means the
// default. A file that cannot be read is a Diagnostics error.
func ReadSpec(path string, stdin io.Reader, limit int) (string, []byte, error) {
	if limit <= 0 {
		limit = DefaultLimits.MaxFileSize
	}
	file, r := path, stdin
	if path == "-" {
		file = "<stdin>"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return file, nil, readFailed(file, err)
		}
		defer f.Close()
		r = f
	}
	src, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return file, nil, readFailed(file, err)
	}
	return file, src, nil
}

// readFailed is the diagnostic of a spec that cannot be read.
func readFailed(file string, err error) error {
	return Diagnostics{{Severity: Error, Pos: Pos{File: file}, Summary: "cannot read the spec: " + readError(err)}}
}

// readError turns an os error into a message without Go's operation prefix
// and path.
func readError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Limits bound the work a spec may ask for, so that a hostile or mistaken
// file fails fast with a clear message instead of exhausting the machine.
// Each is checked before the work it guards.
type Limits struct {
	// MaxFileSize is the largest spec, in bytes.
	MaxFileSize int
	// MaxNodes is the largest number of inputs, params and nodes.
	MaxNodes int
	// MaxElements is the largest number of elements of any one tensor, a
	// leaf's value or a node's computed shape.
	MaxElements int
	// MaxDepth is the deepest the YAML may nest collections, checked
	// before it is parsed.
	MaxDepth int
	// MaxWork bounds the arithmetic operations (one per element an op
	// computes or reads, m·k·n for a matrix product) of evaluating and
	// differentiating the spec, the backward pass counted as twice the
	// forward one. It is checked from the shapes, before evaluation.
	MaxWork int
}

// DefaultLimits are the limits Load applies: 8 MiB, 200,000 nodes,
// 1,000,000 elements per tensor, 64 levels of nesting and 100,000,000
// operations.
var DefaultLimits = Limits{MaxFileSize: 8 << 20, MaxNodes: 200_000, MaxElements: 1_000_000, MaxDepth: 64, MaxWork: 100_000_000}

// Load parses, validates and evaluates the spec in src under DefaultLimits;
// file names it in diagnostics. On failure the error is a Diagnostics
// listing every problem found; warnings of a valid spec are in the graph's
// Warnings.
func Load(file string, src []byte) (*Graph, error) {
	return LoadWithLimits(file, src, DefaultLimits)
}

// LoadWithLimits is Load with explicit limits; a zero field means the
// default.
func LoadWithLimits(file string, src []byte, lim Limits) (g *Graph, err error) {
	return LoadWithOps(file, src, lim, builtin)
}

// LoadWithOps is LoadWithLimits with op names resolved in ops instead of
// the built-in table.
func LoadWithOps(file string, src []byte, lim Limits, ops *OpTable) (g *Graph, err error) {
	defer func() {
		// No panic may cross the package boundary: turn one into a
		// diagnostic so the caller can still report it.
		if r := recover(); r != nil {
			g, err = nil, Diagnostics{{Severity: Error, Pos: Pos{File: file, Line: 1, Col: 1},
				Summary: fmt.Sprintf("internal error while loading the spec: %v", r)}}
		}
	}()
	p := &parser{file: file, limits: lim.withDefaults(), ops: ops}
	if len(src) > p.limits.MaxFileSize {
		return nil, Diagnostics{{Severity: Error, Pos: Pos{File: file, Line: 1, Col: 1},
			Summary: fmt.Sprintf("the spec has %d bytes, more than the limit of %d (raise it with --max-file-size)", len(src), p.limits.MaxFileSize)}}
	}
	p.lines = SourceLines(src)
	if !p.checkText(src) {
		return nil, p.truncated(p.diags)
	}
	if chunks := splitNodes(src, p.lines); chunks != nil {
		q := &parser{file: file, limits: p.limits, ops: ops, lines: p.lines, chunks: chunks}
		if g, err := q.load(chunks.head); !q.gaveUp {
			return g, err
		}
	}
	return p.load(src)
}

// load parses src, already checked by checkText, and builds its graph.
// With p.chunks, src is their head; when they cannot be read (p.gaveUp),
// the result is to be thrown away.
func (p *parser) load(src []byte) (*Graph, error) {
	doc, ok := p.decode(src)
	if !ok {
		return nil, p.truncated(p.diags)
	}
	if !p.checkAliases(doc) {
		// The head of chunks gives up: the whole document says which
		// alias comes first.
		p.gaveUp = p.chunks != nil
		return nil, p.truncated(p.diags)
	}
	spec := p.parseSpec(doc)
	if spec == nil {
		return nil, p.truncated(p.diags)
	}
	g := p.build(spec)
	p.diags = p.diags.unique()
	if p.diags.HasErrors() {
		p.diags.sortByPos()
		return nil, p.truncated(p.diags.Errors())
	}
	g.Warnings = p.clamp(p.diags.Warnings())
	g.Warnings.sortByPos()
	return g, nil
}

func (l Limits) withDefaults() Limits {
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultLimits.MaxFileSize
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = DefaultLimits.MaxNodes
	}
	if l.MaxElements <= 0 {
		l.MaxElements = DefaultLimits.MaxElements
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxWork <= 0 {
		l.MaxWork = DefaultLimits.MaxWork
	}
	return l
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// checkText checks what must hold before any YAML parser sees src: that
// it is not empty, is text (see scanText) and nests no deeper than the
// limit (see checkDepth).
func (p *parser) checkText(src []byte) bool {
	if len(bytes.TrimSpace(src)) == 0 {
		p.errorf(Pos{File: p.file, Line: 1, Col: 1}, "the spec is empty; expected a mapping with the keys name and nodes")
		return false
	}
	return p.scanText(src) && p.checkDepth()
}

// decode parses src as a single YAML document. With p.chunks, src is their
// head, and an error gives up on them instead of being reported.
func (p *parser) decode(src []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		p.yamlError(src, err)
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		if p.chunks != nil {
			p.gaveUp = true
			return nil, false
		}
		p.errorf(Pos{File: p.file, Line: extra.Line, Col: extra.Column}, "expected one YAML document, found a second one")
		return nil, false
	} else if err != io.EOF {
		p.yamlError(src, err)
		return nil, false
	}
	return &doc, true
}

// yamlError turns a yaml.v3 syntax error into a diagnostic at the exact
// position of the problem (see syntaxPos).
func (p *parser) yamlError(src []byte, err error) {
	if p.chunks != nil {
		p.gaveUp = true
		return
	}
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	pos, msg := p.syntaxPos(src, line, msg)
	p.errorf(pos, "invalid YAML: %s", msg)
}

// checkAliases rejects YAML aliases, which a spec never needs and which
// could expand a small file into a huge graph ("billion laughs"). Only the
// first is reported.
func (p *parser) checkAliases(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		p.errorf(p.pos(n), "YAML aliases (*%s) are not allowed in a spec; write the value out", n.Value)
		return false
	}
	for _, c := range n.Content {
		if !p.checkAliases(c) {
			return false
		}
	}
	return true
}

// maxDiagnostics is the most diagnostics reported for one file; a file
// with more gets a last line that says how many were left out.
const maxDiagnostics = 50

// clamp keeps every position inside the file: YAML reports an empty
// document after "---" on the line after it, and the two YAML parsers do
// not agree on every exotic line break. A position past the end of a line
// or of the file moves to the end of that line or of the last line.
func (p *parser) clamp(ds Diagnostics) Diagnostics {
	n := len(p.lines)
	for i := range ds {
		pos := &ds[i].Pos
		if pos.Line < 1 || n == 0 {
			continue
		}
		if pos.Line > n {
			pos.Line, pos.Col = n, len(p.runes(n))+1
		}
		if width := len(p.runes(pos.Line)); pos.Col > width+1 {
			pos.Col = width + 1
		}
	}
	return ds
}

// truncated caps ds at maxDiagnostics.
func (p *parser) truncated(ds Diagnostics) Diagnostics {
	if len(ds) <= maxDiagnostics {
		return p.clamp(ds)
	}
	// Only the diagnostics kept are clamped, so that a file with a huge
	// number of problems costs no more than one with fifty.
	out := p.clamp(append(Diagnostics(nil), ds[:maxDiagnostics]...))
	return append(out, Diagnostic{Severity: Error, Pos: out[maxDiagnostics-1].Pos,
		Summary: fmt.Sprintf("… and %d more problems", len(ds)-maxDiagnostics)})
}
