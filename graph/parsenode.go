package graph

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// nodes reads the nodes mapping: each entry is a short form such as
// "add(a1, b1)" or a mapping {op: add, in: [a1, b1], label: "…"}.
func (p *parser) nodes(s *rawSpec, v *yaml.Node) {
	if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
		found := describe(v)
		if v.Kind == yaml.MappingNode {
			found = "an empty mapping"
		}
		p.errorf(p.pos(v), "nodes: expected a non-empty mapping from node names to ops, found %s", found)
		return
	}
	p.mapping(v, "nodes", nil, func(name string, k, val *yaml.Node) { p.nodeEntry(s, name, k, val) })
}

// nodeEntry reads the entry name: val of the nodes mapping, whose key is k.
func (p *parser) nodeEntry(s *rawSpec, name string, k, val *yaml.Node) {
	if !isIdent(name) {
		p.badName(p.pos(k), "nodes", name)
		return
	}
	n := p.newRawNode()
	n.name, n.pos = name, p.pos(k)
	switch {
	case val.Kind == yaml.ScalarNode && val.Tag == "!!str" && (!p.isSimpleCall(val.Value) || p.blocks[callName(val.Value)] != nil):
		p.formulaNode(s, n, val)
		return
	case val.Kind == yaml.ScalarNode && val.Tag == "!!str":
		n.broken = !p.shortForm(n, val)
	case val.Kind == yaml.MappingNode:
		n.broken = !p.longForm(n, val)
	default:
		p.errorf(p.pos(val), "nodes.%s: expected an op call like add(a, b) or a mapping {op: …, in: […]}, found %s", name, describe(val))
		n.broken = true
	}
	s.nodes = append(s.nodes, n)
}

// longForm reads {op: name, in: [args], label: text}.
func (p *parser) longForm(n *rawNode, v *yaml.Node) bool {
	var haveOp, haveIn, ok = false, false, true
	what := "nodes." + n.name
	type kwEntry struct {
		kw  rawKeyword
		val Pos
	}
	var kws []kwEntry
	// Keyword arguments are read apart, so that the other keys are checked
	// as before.
	rest := *v
	rest.Content = nil
	names := p.ops.keywordNames()
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, x := v.Content[i], v.Content[i+1]
		if k.Kind == yaml.ScalarNode && contains(names, k.Value) {
			vals, isList, good := yamlKeywordValue(x)
			kws = append(kws, kwEntry{rawKeyword{name: k.Value, value: vals, isList: isList, keyPos: p.pos(k), bad: !good}, p.pos(x)})
			continue
		}
		rest.Content = append(rest.Content, k, x)
	}
	p.mapping(&rest, what, []string{"op", "in", "label", "group", "display"}, func(key string, _, x *yaml.Node) {
		switch key {
		case "op":
			haveOp = true
			name, good := p.str(x, what+".op")
			if !good {
				ok = false
				return
			}
			n.opPos = p.pos(x)
			ok = p.lookupOp(n, name, n.opPos) && ok
		case "in":
			haveIn = true
			if x.Kind != yaml.SequenceNode {
				p.errorf(p.pos(x), "%s.in: expected a list of input names or numbers, found %s", what, describe(x))
				ok = false
				return
			}
			for i, e := range x.Content {
				arg, good := p.argNode(e, fmt.Sprintf("%s.in[%d]", what, i))
				ok = ok && good
				if good {
					n.args = append(n.args, arg)
				}
			}
		case "label":
			if label, _ := p.str(x, what+".label"); label != "" {
				n.edit().label = label
			}
		case "group":
			if ref := p.groupRef(x, what+".group"); ref != (rawGroupRef{}) {
				n.edit().group = ref
			}
		case "display":
			if d := p.display(x, what+".display"); d != "" {
				n.edit().display = d
			}
		}
	})
	for _, e := range kws {
		ok = p.checkKeyword(n, e.kw, e.val) && ok
	}
	if !haveOp {
		p.missing(v, what, "op", "")
		return false
	}
	if !haveIn {
		p.missing(v, what, "in", " (the list of inputs)")
		return false
	}
	return ok && p.checkArity(n, p.pos(v)) && p.checkRequired(n, n.opPos)
}

// argNode reads one entry of an in list.
func (p *parser) argNode(e *yaml.Node, what string) (rawArg, bool) {
	pos := p.pos(e)
	if e.Kind != yaml.ScalarNode {
		p.errorf(pos, "%s: expected an input name or a number, found %s", what, describe(e))
		return rawArg{}, false
	}
	if e.Tag == "!!int" || e.Tag == "!!float" {
		x, ok := p.number(e, what)
		return rawArg{literal: x, isLit: true, pos: pos}, ok
	}
	if !isIdent(e.Value) {
		p.errorf(pos, "%s: expected an input name or a number, found %s", what, describe(e))
		return rawArg{}, false
	}
	return rawArg{ref: e.Value, pos: pos}, true
}

// lookupOp resolves an op name case-insensitively, with a suggestion when it
// is unknown.
func (p *parser) lookupOp(n *rawNode, name string, pos Pos) bool {
	op := p.ops.Lookup(name)
	if op == nil {
		hint := didYouMean(name, p.ops.Names())
		if hint == "" {
			hint = " (the ops are " + strings.Join(p.ops.Names(), ", ") + ")"
		}
		p.errorf(pos, "unknown op %q%s", truncate(name, 40), hint)
		return false
	}
	n.op = op
	return true
}

// checkArity reports an op called with the wrong number of inputs.
func (p *parser) checkArity(n *rawNode, pos Pos) bool {
	k := len(n.args)
	if k < n.op.MinArgs || n.op.MaxArgs >= 0 && k > n.op.MaxArgs {
		p.errorf(pos, "%s takes %s, found %d", n.op.Name, n.op.arityText(), k)
		return false
	}
	return true
}

// shortForm reads "op(arg, arg, …)". Positions inside the string are exact
// for plain and quoted scalars written on one line.
func (p *parser) shortForm(n *rawNode, v *yaml.Node) bool {
	src := v.Value
	base := p.pos(v)
	if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		base.Col++
	}
	// Offsets map to columns only when the value stands on one line exactly
	// as written (no escapes, no folded lines); otherwise every problem is
	// reported at the start of the value.
	exact := p.sourceHas(base, src)
	// Columns are counted from the last offset asked for, not from the
	// start of the value, so that many problems on one line cost time
	// linear in its length.
	lastOff, lastCol := 0, base.Col
	at := func(off int) Pos {
		if !exact {
			return p.pos(v)
		}
		if off < lastOff {
			lastOff, lastCol = 0, base.Col
		}
		lastCol += utf8.RuneCountInString(src[lastOff:off])
		lastOff = off
		return Pos{File: base.File, Line: base.Line, Col: lastCol}
	}
	i := skipSpace(src, 0)
	j := i
	for j < len(src) && (isIdentByte(src[j])) {
		j++
	}
	open := skipSpace(src, j)
	if j == i || open >= len(src) || src[open] != '(' {
		p.errorf(at(i), "nodes.%s: expected an op call like add(a, b), found %q", n.name, truncate(src, 40))
		return false
	}
	n.opPos = at(i)
	// An unknown op is reported, and its arguments are still read so that
	// their problems (an undefined name, say) are reported too.
	known := p.lookupOp(n, src[i:j], n.opPos)
	closeAt := strings.LastIndexByte(src, ')')
	if closeAt < open || strings.TrimSpace(src[closeAt+1:]) != "" {
		p.errorf(at(len(src)), "nodes.%s: expected \")\" to close %s(", n.name, src[i:j])
		return false
	}
	ok := true
	body := src[open+1 : closeAt]
	if k := strings.IndexByte(body, '('); k >= 0 {
		// A call inside a call: point at the inner op's name and suggest
		// making it a node of its own.
		start := k
		for start > 0 && isIdentByte(body[start-1]) {
			start--
		}
		p.errorf(at(open+1+start), "nodes.%s: nested calls are not supported; define %s as a node of its own and use its name", n.name, truncate(strings.TrimSpace(body[start:]), 40))
		return false
	}
	if strings.TrimSpace(body) != "" {
		p.parts, p.offs = splitArgs(body, p.parts[:0], p.offs[:0])
		parts, offs := p.parts, p.offs
		n.args = p.newArgs(len(parts))
		for i, part := range parts {
			lead := skipSpace(part, 0)
			tok := strings.TrimSpace(part)
			pos := at(open + 1 + offs[i] + lead)
			if eq := strings.IndexByte(tok, '='); eq >= 0 {
				// A keyword argument, key=value.
				key := strings.TrimSpace(tok[:eq])
				valOff := open + 1 + offs[i] + lead + eq + 1
				valOff = skipSpace(src, valOff)
				if !isIdent(key) {
					p.errorf(pos, "%s: expected a keyword name before \"=\", found %q", "nodes."+n.name, truncate(key, 40))
					ok = false
					continue
				}
				vals, isList, good := parseKeywordValue(tok[eq+1:])
				kw := rawKeyword{name: key, value: vals, isList: isList, keyPos: pos, bad: !good}
				if known {
					ok = p.checkKeyword(n, kw, at(valOff)) && ok
				}
				continue
			}
			if kw := n.m().kw; kw.present {
				p.errorf(pos, "%s: an input after the keyword argument %s; write the inputs first", "nodes."+n.name, kw.name)
				ok = false
				continue
			}
			arg, good := parseArg(tok, pos)
			if arg.tooLarge {
				p.errorf(pos, "nodes.%s: %s is too large for a float64 (values must be finite)", n.name, truncate(tok, 40))
				ok = false
				continue
			}
			if !good {
				p.errorf(pos, "nodes.%s: expected an input name or a number, found %q", n.name, truncate(tok, 40))
				ok = false
				continue
			}
			n.args = append(n.args, arg)
		}
	}
	return known && ok && p.checkArity(n, n.opPos) && p.checkRequired(n, n.opPos)
}

// sourceHas reports whether text appears in the source at pos, on one line.
func (p *parser) sourceHas(pos Pos, text string) bool {
	if pos.Line < 1 || pos.Line > len(p.lines) || strings.ContainsRune(text, '\n') {
		return false
	}
	if line := p.lines[pos.Line-1]; len(line) <= shortLine {
		// A short line is walked from its start, without a copy.
		for i := range line {
			if pos.Col--; pos.Col == 0 {
				return strings.HasPrefix(line[i:], text)
			}
		}
		return pos.Col == 1 && text == ""
	}
	line := p.runes(pos.Line)
	if pos.Col < 1 || pos.Col-1 > len(line) {
		return false
	}
	rest := line[pos.Col-1:]
	for _, r := range text {
		if len(rest) == 0 || rest[0] != r {
			return false
		}
		rest = rest[1:]
	}
	return true
}

// shortLine is the longest line sourceHas walks from its start; a longer
// one, which may hold many values, is converted to characters once.
const shortLine = 256

// runes returns the characters of source line n (from 1), converting each
// line once however many values stand on it.
func (p *parser) runes(n int) []rune {
	if p.runeLine != n {
		p.runeLine, p.runeText = n, []rune(p.lines[n-1])
	}
	return p.runeText
}

// parseArg reads a name or a finite numeric literal from the short form.
func parseArg(tok string, pos Pos) (rawArg, bool) {
	if isIdent(tok) {
		return rawArg{ref: tok, pos: pos}, true
	}
	x, err := strconv.ParseFloat(tok, 64)
	if errors.Is(err, strconv.ErrRange) && math.IsInf(x, 0) {
		return rawArg{pos: pos, tooLarge: true}, false
	}
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || strings.ContainsAny(tok, "xXpP_") {
		return rawArg{}, false
	}
	if strings.EqualFold(strings.TrimLeft(tok, "+-"), "inf") || strings.EqualFold(strings.TrimLeft(tok, "+-"), "infinity") {
		return rawArg{}, false
	}
	return rawArg{literal: x, isLit: true, pos: pos}, true
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
