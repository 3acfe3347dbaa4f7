package graph

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file reads blocks, named sub-graphs that nodes call like ops:
//
//	blocks:
//	  dense:
//	    args: [x, W, b]
//	    nodes:
//	      z: W @ x + b
//	      h: relu(z)
//	    output: h
//	nodes:
//	  h1: dense(x, W1, b1)
//
// A call expands into the block's nodes, named after the call (h1.z); the
// block's output node takes the call's own name (h1). A block sees only its
// arguments and its own nodes.

// rawBlock is a block as written.
type rawBlock struct {
	name   string
	pos    Pos
	args   []string
	nodes  []*blockNode
	output string
	// outExpr is the output of a one-formula block.
	outExpr *blockNode
	broken  bool
}

// blockNode is one formula of a block.
type blockNode struct {
	name string
	pos  Pos
	e    *expr
	src  string
	at   func(int) Pos
}

// blockKeys are the keys of a block.
var blockKeys = []string{"args", "nodes", "output"}

// blockNames returns the names of the blocks, sorted.
func (p *parser) blockNames() []string {
	names := make([]string, 0, len(p.blocks))
	for name := range p.blocks {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// readBlocks reads the blocks mapping, then checks the names each block
// uses and that no block calls itself, directly or through others.
func (p *parser) readBlocks(v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		p.errorf(p.pos(v), "blocks: expected a mapping from block names to {args, nodes, output}, found %s", describe(v))
		return
	}
	var order []*rawBlock
	p.mapping(v, "blocks", nil, func(name string, k, val *yaml.Node) {
		if !isIdent(name) {
			p.badName(p.pos(k), "blocks", name)
			return
		}
		if p.ops.Lookup(name) != nil {
			p.errorf(p.pos(k), "blocks: %q is the name of an op; give the block another name", name)
			return
		}
		b := p.readBlock(name, k, val)
		p.blocks[name] = b
		order = append(order, b)
	})
	for _, b := range order {
		p.checkBlockNames(b)
	}
	p.checkRecursion(order)
}

// readBlock reads one block's mapping.
func (p *parser) readBlock(name string, k, v *yaml.Node) *rawBlock {
	b := &rawBlock{name: name, pos: p.pos(k)}
	what := "blocks." + name
	if v.Kind != yaml.MappingNode {
		p.errorf(p.pos(v), "%s: expected a mapping {args: […], nodes: {…}, output: …}, found %s", what, describe(v))
		b.broken = true
		return b
	}
	var haveArgs, haveOutput bool
	var outNode *yaml.Node
	p.mapping(v, what, blockKeys, func(key string, _, x *yaml.Node) {
		switch key {
		case "args":
			haveArgs = true
			if x.Kind != yaml.SequenceNode {
				p.errorf(p.pos(x), "%s.args: expected a list of argument names, found %s", what, describe(x))
				b.broken = true
				return
			}
			for _, a := range x.Content {
				if a.Kind != yaml.ScalarNode || !isIdent(a.Value) {
					p.errorf(p.pos(a), "%s.args: expected an argument name (an identifier: %s), found %s", what, identifierSyntax, describe(a))
					b.broken = true
					continue
				}
				if contains(b.args, a.Value) {
					p.errorf(p.pos(a), "%s.args: argument %q is listed twice", what, a.Value)
					b.broken = true
					continue
				}
				b.args = append(b.args, a.Value)
			}
		case "nodes":
			if x.Kind != yaml.MappingNode {
				p.errorf(p.pos(x), "%s.nodes: expected a mapping from node names to formulas, found %s", what, describe(x))
				b.broken = true
				return
			}
			p.mapping(x, what+".nodes", nil, func(nname string, nk, nv *yaml.Node) {
				if !isIdent(nname) {
					p.badName(p.pos(nk), what+".nodes", nname)
					b.broken = true
					return
				}
				bn := p.blockFormula(what+".nodes."+nname, nname, p.pos(nk), nv)
				if bn == nil {
					b.broken = true
					return
				}
				b.nodes = append(b.nodes, bn)
			})
		case "output":
			haveOutput = true
			outNode = x
		}
	})
	if !haveArgs {
		p.missing(v, what, "args", " (the list of argument names)")
		b.broken = true
	}
	if !haveOutput {
		p.missing(v, what, "output", " (the name of the node the call gives, or a formula)")
		b.broken = true
		return b
	}
	p.blockOutput(b, what, outNode)
	return b
}

// blockOutput reads a block's output: the name of one of its nodes, or a
// formula.
func (p *parser) blockOutput(b *rawBlock, what string, x *yaml.Node) {
	if x.Kind != yaml.ScalarNode || x.Tag != "!!str" {
		p.errorf(p.pos(x), "%s.output: expected a node name or a formula, found %s", what, describe(x))
		b.broken = true
		return
	}
	if isIdent(x.Value) {
		for _, bn := range b.nodes {
			if bn.name == x.Value {
				b.output = x.Value
				return
			}
		}
		p.errorf(p.pos(x), "%s.output: %q is not a node of the block%s (write a node name or a formula)", what, x.Value, didYouMean(x.Value, b.nodeNames()))
		b.broken = true
		return
	}
	bn := p.blockFormula(what+".output", "output", p.pos(x), x)
	if bn == nil {
		b.broken = true
		return
	}
	b.outExpr = bn
}

// blockFormula parses one formula of a block.
func (p *parser) blockFormula(what, name string, pos Pos, v *yaml.Node) *blockNode {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
		p.errorf(p.pos(v), "%s: expected a formula such as W @ x + b or relu(z), found %s", what, describe(v))
		return nil
	}
	at := p.offsets(v)
	e, err := parseFormula(v.Value)
	if err != nil {
		fe := err.(*formulaError)
		p.errorf(at(fe.off), "%s: %s", what, fe.msg)
		return nil
	}
	if e.kind == eName || e.kind == eNum {
		p.errorf(at(e.start), "%s: expected an op call or a formula, found %q", what, truncate(v.Value, 40))
		return nil
	}
	return &blockNode{name: name, pos: pos, e: e, src: v.Value, at: at}
}

func (b *rawBlock) nodeNames() []string {
	names := make([]string, len(b.nodes))
	for i, bn := range b.nodes {
		names[i] = bn.name
	}
	return names
}

// formulas returns the block's formulas, the output formula last.
func (b *rawBlock) formulas() []*blockNode {
	if b.outExpr == nil {
		return b.nodes
	}
	return append(append([]*blockNode(nil), b.nodes...), b.outExpr)
}

// checkBlockNames reports names a block's formulas use that are neither
// its arguments nor its nodes, node names that repeat an argument, and
// calls of unknown functions.
func (p *parser) checkBlockNames(b *rawBlock) {
	what := "blocks." + b.name
	known := append(append([]string(nil), b.args...), b.nodeNames()...)
	for _, bn := range b.nodes {
		if contains(b.args, bn.name) {
			p.errorf(bn.pos, "%s.nodes: %q is also an argument of the block", what, bn.name)
			b.broken = true
		}
	}
	for _, bn := range b.formulas() {
		walk(bn.e, func(e *expr) {
			switch {
			case e.kind == eName && !contains(known, e.name):
				p.errorf(bn.at(e.off), "%s: undefined name %q (a block sees only its arguments and its nodes: %s)%s", what, e.name, strings.Join(known, ", "), didYouMean(e.name, known))
				b.broken = true
			case e.kind == eName && e.name == bn.name:
				p.errorf(bn.at(e.off), "%s: %s uses itself as an input (a cycle: %s → %s)", what, bn.name, bn.name, bn.name)
				b.broken = true
			case e.kind == eCall && p.blocks[e.name] == nil && p.ops.Lookup(e.name) == nil:
				names := append(p.ops.Names(), p.blockNames()...)
				p.errorf(bn.at(e.off), "%s: unknown op or block %q%s", what, truncate(e.name, 40), didYouMean(e.name, names))
				b.broken = true
			}
		})
	}
}

// walk calls f on e and every sub-expression, in source order.
func walk(e *expr, f func(*expr)) {
	f(e)
	for _, a := range e.args {
		walk(a, f)
	}
}

// checkRecursion reports every block that calls itself, directly or
// through other blocks, listing the cycle at the call that closes it.
func (p *parser) checkRecursion(order []*rawBlock) {
	state := map[string]int{} // 0 new, 1 on the stack, 2 done
	var stack []string
	var visit func(b *rawBlock)
	visit = func(b *rawBlock) {
		state[b.name] = 1
		stack = append(stack, b.name)
		for _, bn := range b.formulas() {
			walk(bn.e, func(e *expr) {
				c := p.blocks[e.name]
				if e.kind != eCall || c == nil {
					return
				}
				switch state[c.name] {
				case 0:
					visit(c)
				case 1:
					i := len(stack) - 1
					for stack[i] != c.name {
						i--
					}
					cycle := append(append([]string(nil), stack[i:]...), c.name)
					p.errorf(bn.at(e.off), "blocks.%s: recursive block call: %s (a block may not call itself)", b.name, strings.Join(cycle, " → "))
					for _, name := range stack[i:] {
						p.blocks[name].broken = true
					}
				}
			})
		}
		stack = stack[:len(stack)-1]
		state[b.name] = 2
	}
	for _, b := range order {
		if state[b.name] == 0 {
			visit(b)
		}
	}
}

// maxBlockDepth bounds the nesting of block calls.
const maxBlockDepth = 32

// expand lowers a call of block b: its nodes are named prefix.<node> and
// its output node outName. args are the call's lowered arguments; ok is
// false when one of them had errors. It returns the output node.
func (l *lowering) expand(b *rawBlock, e *expr, prefix, outName string, pos Pos, args []rawArg, ok, nested bool) *rawNode {
	p := l.p
	callPos := l.at(e.off)
	// The output node stands for the call when the call cannot be
	// expanded, so that references to it are not reported again.
	placeholder := func() *rawNode {
		rn := &rawNode{name: outName, pos: pos, broken: true}
		if l.sc.group != "" {
			rn.edit().innerGroup = l.sc.group
		}
		l.s.nodes = append(l.s.nodes, rn)
		return rn
	}
	switch {
	case e.kw != nil:
		p.errorf(l.at(e.kwOff), "block %s takes no keyword arguments, found %s%s", b.name, e.kw.name, l.sc.ctx)
		return placeholder()
	case len(e.args) != len(b.args):
		p.errorf(callPos, "block %s takes %s (%s), found %d%s", b.name, plural(len(b.args), "argument"), strings.Join(b.args, ", "), len(e.args), l.sc.ctx)
		return placeholder()
	case b.broken || !ok:
		return placeholder()
	case l.sc.depth >= maxBlockDepth:
		p.errorf(callPos, "block calls are nested more than %d deep%s", maxBlockDepth, l.sc.ctx)
		return placeholder()
	}
	parent := l.sc.group
	if nested {
		parent = l.fgroup
	}
	p.groups = append(p.groups, &Group{Name: prefix, Title: outName + " = " + e.text(l.src), Parent: parent, Kind: GroupBlock, Block: b.name, Pos: callPos})
	sub := &scope{
		subst: map[string]rawArg{},
		ctx:   fmt.Sprintf(" (in call %s at %s:%d:%d)%s", outName, callPos.File, callPos.Line, callPos.Col, l.sc.ctx),
		group: prefix, call: outName, block: b.name, depth: l.sc.depth + 1,
	}
	for i, a := range b.args {
		sub.subst[a] = args[i]
	}
	for _, bn := range b.nodes {
		full := prefix + "." + bn.name
		if bn.name == b.output {
			full = outName
		}
		sub.subst[bn.name] = rawArg{ref: full}
	}
	var out *rawNode
	for _, bn := range b.formulas() {
		full := prefix + "." + bn.name
		if bn == b.outExpr || bn.name == b.output {
			full = outName
		}
		if !p.countNode(bn.pos) {
			return out
		}
		n := len(l.s.nodes)
		if c := p.blocks[bn.e.name]; bn.e.kind == eCall && c != nil && full == outName {
			// The output is itself a block call: its nodes are named after
			// this node's place in the block, its output is the call's.
			inner := &lowering{p: p, s: l.s, sc: sub, src: bn.src, at: bn.at, owner: full, base: prefix + "." + bn.name, fgroup: sub.group}
			var cargs []rawArg
			cok := true
			for _, a := range bn.e.args {
				arg, good := inner.operand(a)
				if good {
					cargs = append(cargs, arg)
				}
				cok = cok && good
			}
			r := inner.expand(c, bn.e, prefix+"."+bn.name, full, bn.pos, cargs, cok, false)
			if r != nil {
				r.edit().owner, r.edit().block = "", b.name
			}
		} else {
			base := prefix + "." + bn.name
			if bn == b.outExpr {
				base = outName
			}
			p.lowerTop(l.s, sub, full, base, bn != b.outExpr, bn.pos, "", bn.e, bn.src, bn.at)
		}
		for _, rn := range l.s.nodes[n:] {
			if rn.name == outName {
				out = rn
			}
		}
	}
	if out == nil {
		return placeholder()
	}
	return out
}
