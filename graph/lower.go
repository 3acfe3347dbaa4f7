package graph

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// This file turns a parsed formula into nodes. Every operator and every
// call is a node of its own: the node that owns the formula keeps its name
// and computes the outermost operation, and each inner sub-expression is
// named owner.1, owner.2, … in evaluation order. A call of a block expands
// into the block's nodes (see block.go).

// scope is where a formula is lowered: at the top level of the spec or
// inside the expansion of a block call.
type scope struct {
	// subst maps a block's argument and node names to what they stand for
	// in this call; it is nil at the top level.
	subst map[string]rawArg
	// ctx is appended to diagnostics: " (in call h2 at spec.yaml:14:7)".
	ctx string
	// group is the enclosing group of the nodes made here.
	group string
	// call and block name the block call being expanded, if any.
	call, block string
	// depth is the number of block calls being expanded.
	depth int
}

// lowering lowers one node's formula.
type lowering struct {
	p  *parser
	s  *rawSpec
	sc *scope
	// src is the formula's text and at maps a byte offset of it to a
	// position in the file.
	src string
	at  func(off int) Pos
	// owner is the owning node's full name; its sub-expressions are
	// named base.1, base.2, … (base is owner but for the output node of a
	// block call, whose inner name stays in base: h2.z.1 for h2).
	owner, base string
	count       int
	// fgroup is the owner's formula group, "" when it has none.
	fgroup string
}

// offsets returns a function that maps a byte offset in the string value v
// to its position in the file. Offsets map to columns only when the value
// stands on one line exactly as written (no escapes, no folded lines);
// otherwise every position is the start of the value.
func (p *parser) offsets(v *yaml.Node) func(int) Pos {
	src := v.Value
	base := p.pos(v)
	if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		base.Col++
	}
	exact := p.sourceHas(base, src)
	return func(off int) Pos {
		if !exact {
			return p.pos(v)
		}
		off = min(max(off, 0), len(src))
		return Pos{File: base.File, Line: base.Line, Col: base.Col + utf8.RuneCountInString(src[:off])}
	}
}

// isSimpleCall reports whether src is a call in the v1 short form,
// op(arg, …) whose arguments are names, numbers or a keyword argument. Such
// a value is read by shortForm exactly as before formulas existed, so that
// every v1 spec keeps its meaning and its messages.
func (p *parser) isSimpleCall(src string) bool {
	i := skipSpace(src, 0)
	j := i
	for j < len(src) && isIdentByte(src[j]) {
		j++
	}
	if j == i || src[i] >= '0' && src[i] <= '9' {
		return false
	}
	open := skipSpace(src, j)
	end := len(strings.TrimRight(src, " \t"))
	if open >= len(src) || src[open] != '(' || end == 0 || src[end-1] != ')' || end-1 <= open {
		return false
	}
	body := src[open+1 : end-1]
	if strings.ContainsAny(body, "()") {
		return false
	}
	if strings.TrimSpace(body) == "" {
		return false
	}
	p.parts, p.offs = splitArgs(body, p.parts[:0], p.offs[:0])
	for _, part := range p.parts {
		tok := strings.TrimSpace(part)
		if eq := strings.IndexByte(tok, '='); eq > 0 && isIdent(strings.TrimSpace(tok[:eq])) {
			continue
		}
		if _, ok := parseArg(tok, Pos{}); !ok {
			return false
		}
	}
	return true
}

// callName returns the name before the first "(" of src, trimmed.
func callName(src string) string {
	if i := strings.IndexByte(src, '('); i >= 0 {
		return strings.TrimSpace(src[:i])
	}
	return ""
}

// formulaNode reads the formula of the top-level node n from the YAML
// string v, adding n and its sub-expression nodes to s.
func (p *parser) formulaNode(s *rawSpec, n *rawNode, v *yaml.Node) {
	at := p.offsets(v)
	e, err := parseFormula(v.Value)
	if err != nil {
		fe := err.(*formulaError)
		p.errorf(at(fe.off), "nodes.%s: %s", n.name, fe.msg)
		n.broken = true
		s.nodes = append(s.nodes, n)
		return
	}
	if e.kind == eName || e.kind == eNum {
		p.errorf(at(e.start), "nodes.%s: expected an op call like add(a, b) or a formula like a + b, found %q", n.name, truncate(v.Value, 40))
		n.broken = true
		s.nodes = append(s.nodes, n)
		return
	}
	p.lowerTop(s, &scope{}, n.name, n.name, true, n.pos, n.m().label, e, v.Value, at)
}

// lowerTop lowers the formula e of the node name declared at pos, in scope
// sc. Its sub-expressions are named base.1, base.2, …; with frame, they
// are drawn in a frame named base (a one-formula block's frame is the
// call's).
func (p *parser) lowerTop(s *rawSpec, sc *scope, name, base string, frame bool, pos Pos, label string, e *expr, src string, at func(int) Pos) {
	l := &lowering{p: p, s: s, sc: sc, src: src, at: at, owner: name, base: base}
	gi := len(p.groups)
	topBlock := l.isBlockCall(e)
	frame = frame && !topBlock
	if frame {
		p.groups = append(p.groups, &Group{Name: base, Title: name + " = " + e.text(src), Parent: sc.group, Kind: GroupFormula, Pos: at(e.start)})
		l.fgroup = base
	} else {
		l.fgroup = sc.group
	}
	top := l.apply(e, name, pos)
	if frame && l.count == 0 {
		// A single call or operation: no frame.
		p.groups = append(p.groups[:gi], p.groups[gi+1:]...)
		l.fgroup = sc.group
	}
	if top != nil && label != "" {
		top.edit().label = label
	}
	if top != nil && !topBlock {
		if l.fgroup != "" {
			top.edit().innerGroup = l.fgroup
		}
		if l.count > 0 {
			top.edit().expr = e.text(src)
		}
		if sc.call != "" && name != sc.call {
			top.edit().owner = sc.call
		}
		if sc.block != "" {
			top.edit().block = sc.block
		}
	}
}

// isBlockCall reports whether e calls a block (an op of the same name
// cannot exist: block names are checked against the op table).
func (l *lowering) isBlockCall(e *expr) bool {
	return e.kind == eCall && l.p.blocks[e.name] != nil
}

// operand lowers e to an argument of its parent: a name, a literal, or the
// name of the node that computes it.
func (l *lowering) operand(e *expr) (rawArg, bool) {
	switch e.kind {
	case eName:
		pos := l.at(e.off)
		if l.sc.subst != nil {
			a, ok := l.sc.subst[e.name]
			if !ok {
				return rawArg{}, false // Reported when the block was read.
			}
			if a.pos == (Pos{}) || a.isLit {
				a.pos = pos
			}
			return a, true
		}
		return rawArg{ref: e.name, pos: pos}, true
	case eNum:
		return rawArg{literal: e.num, isLit: true, pos: l.at(e.off)}, true
	}
	n := l.apply(e, "", Pos{})
	if n == nil {
		return rawArg{}, false
	}
	return rawArg{ref: n.name, pos: l.at(e.off)}, true
}

// apply lowers the operation or call e into a node named name (declared at
// pos), or into the next sub-expression node when name is "". It returns
// the node, or nil when the node limit is exceeded.
func (l *lowering) apply(e *expr, name string, pos Pos) *rawNode {
	p := l.p
	var args []rawArg
	ok := true
	for _, a := range e.args {
		arg, good := l.operand(a)
		if good {
			args = append(args, arg)
		}
		ok = ok && good
	}
	sub := name == ""
	if sub {
		// The numbers of a base are drawn from one counter for the whole
		// spec, so that a call's arguments and the formula of its block's
		// output, both numbered after the call, never share a name.
		l.count++
		p.counters[l.base]++
		name = fmt.Sprintf("%s.%d", l.base, p.counters[l.base])
		pos = l.at(e.off)
		if !p.countNode(pos) {
			return nil
		}
	}
	if b := p.blocks[e.name]; e.kind == eCall && b != nil {
		return l.expand(b, e, name, name, pos, args, ok, sub)
	}
	rn := &rawNode{name: name, pos: pos, opPos: l.at(e.off)}
	m := rn.edit()
	m.errPos, m.ctx, m.block = l.at(e.off), l.sc.ctx, l.sc.block
	if sub {
		m.owner, m.innerGroup, m.expr = l.owner, l.fgroup, e.text(l.src)
	}
	opName := e.name
	switch e.kind {
	case eBinary:
		opName = binaryOps[e.name]
	case eNeg:
		opName = "neg"
	}
	known := true
	if e.kind == eCall {
		known = p.lookupCall(rn, e.name, rn.opPos)
	} else {
		rn.op = p.ops.Lookup(opName)
	}
	rn.args = args
	if e.kw != nil && known {
		kw := *e.kw
		kw.keyPos = l.at(e.kwOff)
		ok = p.checkKeyword(rn, kw, l.at(e.kwValOff)) && ok
	}
	rn.broken = !(known && ok && p.checkArity(rn, rn.opPos) && p.checkRequired(rn, rn.opPos))
	l.s.nodes = append(l.s.nodes, rn)
	return rn
}

// lookupCall resolves the function of a call: an op (case-insensitively),
// with a suggestion among the ops and blocks when it is unknown.
func (p *parser) lookupCall(n *rawNode, name string, pos Pos) bool {
	if op := p.ops.Lookup(name); op != nil {
		n.op = op
		return true
	}
	names := append(p.ops.Names(), p.blockNames()...)
	hint := didYouMean(name, names)
	if hint == "" {
		hint = " (the ops are " + strings.Join(p.ops.Names(), ", ") + ")"
	}
	p.errorf(pos, "unknown op or block %q%s", truncate(name, 40), hint)
	return false
}

// countNode counts one more node made by a formula or a block call and
// reports when the spec exceeds the node limit (once).
func (p *parser) countNode(pos Pos) bool {
	if p.count > p.limits.MaxNodes {
		return false
	}
	p.count++
	if p.count > p.limits.MaxNodes {
		p.errorf(pos, "the spec expands to more than %d inputs, params and nodes, the limit (raise it with --max-nodes)", p.limits.MaxNodes)
		return false
	}
	return true
}
