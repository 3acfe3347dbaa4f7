package explain

import (
	"fmt"
	"strings"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// This file lays an Explanation out as a document of headings, prose,
// equations and tables that does not depend on the output format; the
// writers in write.go turn it into text, Markdown or LaTeX.

// blockKind tells what a block of a document is.
type blockKind int

const (
	bHeading blockKind = iota
	bPara
	bEq
	bList
	bTable
	bComment
	// bTitle is the spec's title: user text, a paragraph in text and md,
	// a comment in tex (it is Unicode that LaTeX's text fonts may lack).
	bTitle
)

// span is a piece of prose: plain text, or a formula when m is set.
type span struct {
	text string
	m    *mexpr
}

// equation is lhs = rhs[0] = rhs[1] = …, with an optional note after it.
// A split equation is written over several lines: text and tex put each
// right-hand side after the first on its own line, md puts them in a
// second $$ block, as the note writes its worked example.
type equation struct {
	lhs   mexpr
	rhs   []mexpr
	note  *mexpr
	split bool
}

// block is one element of a document: a heading or paragraph (spans),
// equations (eqs; bList aligns them as a list), a table (head, rows) or a
// comment (spans; a warning).
type block struct {
	kind  blockKind
	level int
	spans []span
	eqs   []equation
	head  []mexpr
	rows  [][]mexpr
}

// txt is a span of prose, mth a formula within prose, para a paragraph.
func txt(s string) span     { return span{text: s} }
func mth(m mexpr) span      { return span{m: &m} }
func para(sp ...span) block { return block{kind: bPara, spans: sp} }

// layout builds the document of e.
func (e *Explanation) layout() []block {
	st := newStyle(e.Options, e.Annotated.Graph)
	a := e.Annotated
	g := a.Graph
	doc := []block{{kind: bHeading, level: 1, spans: []span{txt(g.Name)}}}
	if g.Title != "" {
		doc = append(doc, block{kind: bTitle, spans: []span{txt(g.Title)}})
	}
	if len(a.Warnings) > 0 {
		doc = append(doc, block{kind: bHeading, level: 2, spans: []span{txt("Warnings")}})
		for _, w := range a.Warnings {
			doc = append(doc, block{kind: bComment, spans: []span{txt(fmt.Sprintf("line %d, column %d: %s", w.Pos.Line, w.Pos.Col, w.Summary))}})
		}
	}
	doc = append(doc, block{kind: bHeading, level: 2, spans: []span{txt("Forward pass")}}, st.forward(g))
	for _, d := range e.Derivations {
		doc = append(doc, block{kind: bHeading, level: 2, spans: []span{mth(st.partial(d.Of, d.Wrt))}})
		doc = append(doc, d.layout()...)
	}
	if e.Losses != nil {
		doc = append(doc, e.descentLayout()...)
	}
	return doc
}

// forward lists each op node's formula, the formula with its inputs'
// values, and its value: a1 = W1·x = 3·2 = 6.
func (st style) forward(g *graph.Graph) block {
	b := block{kind: bList}
	for _, n := range g.Nodes {
		if n.IsLeaf() {
			continue
		}
		eq := equation{lhs: st.name(n), rhs: []mexpr{st.formulaOf(n.Op.Formula(n, n.InputNames()), n.Op)}}
		small, allConst := true, true
		for _, in := range n.Inputs {
			small = small && in.Value.Size() <= maxShown
			allConst = allConst && in.Kind == graph.KindConst
		}
		if small && !allConst {
			eq.rhs = append(eq.rhs, st.formulaOf(st.substitute(n), n.Op))
		}
		eq.rhs = append(eq.rhs, st.tensor(n.Value))
		b.eqs = append(b.eqs, eq)
	}
	return b
}

// substitute writes n's formula with its inputs' values in place of their
// names: 3·2 for W1·x. The formula is built with placeholder names, which
// are plain identifiers, so that only negative numbers get parentheses and
// vectors keep their bare brackets.
func (st style) substitute(n *graph.Node) string {
	names := make([]string, len(n.Inputs))
	var pairs []string
	for i, in := range n.Inputs {
		names[i] = fmt.Sprintf("QvalQ%dQ", i)
		v := in.Value.Format(st.numText)
		// A negative number gets parentheses, unless the formula already
		// encloses it, as in tanh(x).
		pairs = append(pairs, "("+names[i]+")", "("+v+")")
		if in.Value.IsScalar() && in.Value.Item() < 0 {
			v = "(" + v + ")"
		}
		pairs = append(pairs, names[i], v)
	}
	return strings.NewReplacer(pairs...).Replace(n.Op.Formula(n, names))
}

// layout writes one derivation.
func (d *Derivation) layout() []block {
	st := d.st
	var doc []block
	wrt, of := st.name(d.Wrt), st.name(d.Of)
	val := mCat(wrt, mText(" = ", " = "), st.tensor(d.Wrt.Value))
	switch {
	case d.PathCount == 0:
		doc = append(doc, para(mth(wrt), txt(" does not reach "), mth(of), txt(", so its gradient is 0.")))
		return doc
	case d.Wrt == d.Of:
		doc = append(doc, block{kind: bEq, eqs: []equation{{lhs: st.partial(d.Of, d.Wrt), rhs: []mexpr{st.num(1)}}}})
		return doc
	}
	if !d.UseDelta {
		doc = append(doc, d.pathsPara(val))
	}
	switch {
	case d.UseDelta && d.PathCount <= int64(d.MaxPaths): // Asked for (Delta).
		delta := mText("δ", `\delta`)
		doc = append(doc, para(txt("The backward recursion "), mth(st.deltaDef(d.Of)), txt(" (--delta), from the output down: each "), mth(delta),
			txt(" is the "), mth(delta), txt(" above it times one local derivative, computed once and reused by every gradient below it:")))
		doc = append(doc, d.deltaLayout()...)
	case d.UseDelta:
		doc = append(doc, para(mth(val), txt(" reaches "), mth(of), txt(fmt.Sprintf(" along %s paths, more than the limit of %d (--max-paths). Instead of one product per path, here is the backward recursion ", countText(d.PathCount), d.MaxPaths)),
			mth(st.deltaDef(d.Of)), txt(" from the output down, which visits each edge once:")))
		doc = append(doc, d.deltaLayout()...)
	case d.Scalar:
		doc = append(doc, d.scalarLayout()...)
	default:
		doc = append(doc, d.tensorPaths())
		doc = append(doc, para(txt("Backward in matrix form, "), mth(st.deltaDef(d.Of)), txt(" with its shape:")))
		doc = append(doc, d.deltaLayout()...)
	}
	if len(d.Folded) > 0 {
		doc = append(doc, d.foldedPara())
	}
	if d.Second != nil {
		doc = append(doc, d.secondLayout()...)
	}
	if d.Update != nil {
		doc = append(doc, para(txt("One step of gradient descent:")), block{kind: bEq, eqs: []equation{st.updateEq(*d.Update)}})
	}
	return doc
}

// deltaDef is δ_v = ∂L/∂v for the output L.
func (st style) deltaDef(of *graph.Node) mexpr {
	v := &graph.Node{Name: "v"}
	return mCat(st.delta(v), mText(" = ", " = "), st.partial(of, v))
}

// countText writes a path count, which saturates at the largest int64.
func countText(n int64) string {
	if n == 1<<63-1 {
		return "more than 9×10¹⁸"
	}
	return fmt.Sprint(n)
}

// pathsPara names the paths: W1 = 3 reaches L along 1 path: L ← z2 ← … ← W1.
func (d *Derivation) pathsPara(val mexpr) block {
	st := d.st
	noun := "paths"
	if len(d.Paths) == 1 {
		noun = "path"
	}
	sp := []span{mth(val), txt(" reaches "), mth(st.name(d.Of)), txt(fmt.Sprintf(" along %d %s: ", len(d.Paths), noun))}
	for i, p := range d.Paths {
		if i > 0 {
			sp = append(sp, txt(", "))
		}
		nodes := []mexpr{st.name(d.Of)}
		for _, e := range p.Edges {
			nodes = append(nodes, st.name(e.From))
		}
		sp = append(sp, mth(mJoin(mText(" ← ", ` \leftarrow `), nodes)))
	}
	return para(append(sp, txt("."))...)
}

// chain is a path's symbolic product ∂L/∂z2 · ∂z2/∂h1 · ….
func (st style) chain(p Path) mexpr {
	var fs []mexpr
	for _, f := range p.Factors {
		fs = append(fs, st.partial(f.Num, f.Den))
	}
	return mJoin(opCdot, fs)
}

// localList lists the distinct factors of the paths with their formulas
// and, for scalars, their values.
func (d *Derivation) localList(values bool) block {
	st := d.st
	b := block{kind: bList}
	seen := map[[3]int]bool{}
	for _, p := range d.Paths {
		for _, f := range p.Factors {
			last := f.Edges[len(f.Edges)-1]
			key := [3]int{f.Num.ID, last.To.ID, last.Arg}
			if seen[key] {
				continue
			}
			seen[key] = true
			eq := equation{lhs: st.partial(f.Num, f.Den), rhs: []mexpr{st.formulaOf(f.Expr, last.To.Op)}}
			if values && f.Value != nil {
				if v := st.tensor(f.Value); v.u != f.Expr {
					eq.rhs = append(eq.rhs, v)
				}
			}
			b.eqs = append(b.eqs, eq)
		}
	}
	return b
}

// scalarLayout writes the paths of a scalar derivation: the local
// derivatives, then one product per path and their sum.
func (d *Derivation) scalarLayout() []block {
	st := d.st
	doc := []block{para(txt("Local derivatives:")), d.localList(true)}
	lhs := st.partial(d.Of, d.Wrt)
	if len(d.Paths) == 1 {
		p := d.Paths[0]
		if len(p.Factors) == 1 {
			// One factor: the local derivative is the whole derivative.
			return []block{{kind: bEq, eqs: d.localList(true).eqs}}
		}
		eq := equation{lhs: lhs, rhs: []mexpr{st.chain(p), st.numbers(p), st.num(d.Grad.Item())}, split: true}
		return append(doc, para(txt("Chain rule:")), block{kind: bEq, eqs: []equation{eq}})
	}
	doc = append(doc, para(txt("One product per path, then their sum:")))
	list := block{kind: bList}
	var sum []mexpr
	for i, p := range d.Paths {
		label := mText(fmt.Sprintf("path %d: ", i+1), fmt.Sprintf(`\text{path %d:}\quad `, i+1))
		list.eqs = append(list.eqs, equation{lhs: mCat(label, st.chain(p)), rhs: []mexpr{st.numbers(p), st.num(p.Product.Item())}})
		v := p.Product.Item()
		switch {
		case i == 0:
			sum = append(sum, st.num(v))
		case v < 0:
			sum = append(sum, opMinus, st.num(-v))
		default:
			sum = append(sum, opPlus, st.num(v))
		}
	}
	total := equation{lhs: lhs, rhs: []mexpr{mCat(sum...), st.num(d.Grad.Item())}}
	return append(doc, list, block{kind: bEq, eqs: []equation{total}})
}

// numbers is a scalar path's product of values: 18 × 2 × 1 × 2.
func (st style) numbers(p Path) mexpr {
	var vs []mexpr
	for _, f := range p.Factors {
		vs = append(vs, st.tensorFactor(f.Value))
	}
	return mJoin(opTimes, vs)
}

// tensorPaths writes the symbolic chain of each path of a tensor
// derivation and the local derivatives' formulas.
func (d *Derivation) tensorPaths() block {
	st := d.st
	b := block{kind: bList}
	for i, p := range d.Paths {
		lhs := st.partial(d.Of, d.Wrt)
		if len(d.Paths) > 1 {
			lhs = mCat(mText(fmt.Sprintf("path %d: ", i+1), fmt.Sprintf(`\text{path %d:}\quad `, i+1)), lhs)
		}
		b.eqs = append(b.eqs, equation{lhs: lhs, rhs: []mexpr{st.chain(p)}})
	}
	for _, eq := range d.localList(false).eqs {
		if eq.lhs != b.eqs[0].lhs {
			b.eqs = append(b.eqs, eq)
		}
	}
	return b
}

// deltaLayout writes the δ recursion. For scalars, when a single edge
// leads from Wrt towards the output, Wrt gets no δ line of its own: its
// gradient is written as the note writes ∂L/∂W1 = δ1 × ∂h1/∂W1, the δ
// above it times the local derivative.
func (d *Derivation) deltaLayout() []block {
	st := d.st
	list := block{kind: bList}
	deltas := d.Deltas
	var total equation
	if last := deltas[len(deltas)-1]; d.Scalar && last.Node == d.Wrt && len(last.Terms) == 1 {
		deltas = deltas[:len(deltas)-1]
		t := last.Terms[0]
		total = equation{lhs: st.partial(d.Of, d.Wrt), rhs: []mexpr{
			mCat(st.delta(t.Via), opCdot, st.partial(t.Via, t.Edge.From)),
			mCat(st.tensorFactor(t.Edge.Upstream), opTimes, st.tensorFactor(t.Edge.Local)),
			st.tensor(d.Grad)}}
	} else {
		total = equation{lhs: st.partial(d.Of, d.Wrt), rhs: []mexpr{st.delta(d.Wrt), st.tensor(d.Grad)}}
	}
	for _, dl := range deltas {
		eq := equation{lhs: st.delta(dl.Node)}
		if len(dl.Terms) == 0 {
			eq.rhs = []mexpr{st.partial(dl.Node, dl.Node), st.num(1)}
			if !dl.Value.IsScalar() {
				eq.rhs = []mexpr{st.tensor(dl.Value)}
			}
			list.eqs = append(list.eqs, eq)
			continue
		}
		var sym, num []mexpr
		var shapes []string
		for _, t := range dl.Terms {
			if d.Scalar {
				sym = append(sym, mCat(st.delta(t.Via), opCdot, st.partial(t.Via, t.Edge.From)))
				num = append(num, mCat(st.tensorFactor(t.Edge.Upstream), opTimes, st.tensorFactor(t.Edge.Local)))
				continue
			}
			f, sh := st.vjpForm(t, st.delta(t.Via))
			sym = append(sym, f)
			if sh != "" {
				shapes = append(shapes, sh)
			}
		}
		eq.rhs = append(eq.rhs, mSum(sym))
		if d.Scalar {
			eq.rhs = append(eq.rhs, mJoin(opPlus, num))
		}
		eq.rhs = append(eq.rhs, st.tensor(dl.Value))
		if len(shapes) == 0 && len(dl.Node.Shape) > 0 {
			shapes = []string{graph.ShapeString(dl.Node.Shape)}
		}
		// A scalar's shape, [], tells nothing: only tensors get the note.
		if !d.Scalar && len(shapes) > 0 {
			n := mCat(mText("   (", `\qquad (`), st.formula(strings.Join(shapes, ", ")), mText(")", ")"))
			eq.note = &n
		}
		list.eqs = append(list.eqs, eq)
	}
	return []block{list, {kind: bEq, eqs: []equation{total}}}
}

// foldedPara says which identity edges were folded and what the factors
// they were folded into stand for.
func (d *Derivation) foldedPara() block {
	st := d.st
	list := func(sp []span, xs []mexpr, sep string) []span {
		for i, x := range xs {
			switch {
			case i == 0:
			case i == len(xs)-1:
				sp = append(sp, txt(sep))
			default:
				sp = append(sp, txt(", "))
			}
			sp = append(sp, mth(x))
		}
		return sp
	}
	var ones []mexpr
	for _, e := range d.Folded {
		ones = append(ones, mCat(st.partial(e.To, e.From), mText(" = 1", " = 1")))
	}
	sp := list([]span{txt("Folded: ")}, ones, " and ")
	sp = append(sp, txt(" (an add passes its gradient through unchanged), so "))
	var means []mexpr
	if d.UseDelta {
		for _, dl := range d.Deltas {
			for _, e := range dl.folded {
				means = append(means, mCat(st.delta(e.From), mText(" = ", " = "), st.delta(dl.Node)))
			}
		}
		sp = list(sp, means, " and ")
		return para(append(sp, txt(". --full shows every edge."))...)
	}
	seen := map[string]bool{}
	for _, p := range d.Paths {
		for _, f := range p.Factors {
			if len(f.Edges) < 2 {
				continue
			}
			m := mCat(st.partial(f.Num, f.Den), mText(" stands for ", `\text{ stands for }`), st.partial(f.Edges[len(f.Edges)-1].To, f.Den))
			if !seen[m.u] {
				seen[m.u] = true
				means = append(means, m)
			}
		}
	}
	sp = list(sp, means, " and ")
	return para(append(sp, txt(". --full shows every edge."))...)
}

// secondLayout writes the second derivative.
func (d *Derivation) secondLayout() []block {
	st := d.st
	s := d.Second
	eq := equation{lhs: st.partial2(d.Of, d.Wrt)}
	if s.First != "" {
		w := st.name(d.Wrt)
		dd := mText("∂/∂"+w.u+" ", `\frac{\partial}{\partial `+w.t+`}`)
		eq.rhs = append(eq.rhs, mCat(dd, mParen(st.formula(s.First))))
	}
	if s.Second != "" {
		eq.rhs = append(eq.rhs, st.formula(s.Second))
	}
	eq.rhs = append(eq.rhs, st.tensor(s.Value))
	intro := "Second derivative, the derivative of the first derivative:"
	if !d.Wrt.Value.IsScalar() {
		intro = "Second derivative, elementwise (the diagonal of the Hessian):"
	}
	return []block{para(txt(intro)), {kind: bEq, eqs: []equation{eq}}}
}

// updateEq is W1_new = W1 − 0.01 × ∂L/∂W1 = 3 − 0.01 × 72 = 2.28.
func (st style) updateEq(u backward.Update) equation {
	n := st.name(u.Node)
	lhs := mText(n.u+"_new", n.t+`^{\mathrm{new}}`)
	lr := st.num(u.LR)
	sym := mCat(n, opMinus, lr, opTimes, st.partial(u.Of, u.Node))
	num := mCat(st.tensor(u.Old), opMinus, lr, opTimes, st.tensorFactor(u.Grad))
	return equation{lhs: lhs, rhs: []mexpr{sym, num, st.tensor(u.New)}}
}

// descentLayout writes the loss table of gradient descent.
func (e *Explanation) descentLayout() []block {
	st := newStyle(e.Options, e.Annotated.Graph)
	out := e.Annotated.Graph.Output
	doc := []block{{kind: bHeading, level: 2, spans: []span{txt("Gradient descent")}},
		para(txt(fmt.Sprintf("%d steps with learning rate %s; ", e.Options.Steps, st.numText(e.Options.LR))), mth(st.name(out)), txt(" after each step:"))}
	t := block{kind: bTable, head: []mexpr{mText("step", `\text{step}`), st.name(out)}}
	for i, l := range e.Losses {
		t.rows = append(t.rows, []mexpr{st.num(float64(i)), st.num(l)})
	}
	doc = append(doc, t)
	if e.DescentErr != nil {
		doc = append(doc, block{kind: bComment, spans: []span{txt(e.DescentErr.Error())}})
	}
	return doc
}
