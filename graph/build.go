package graph

import (
	"container/heap"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// build resolves names, orders the nodes topologically, checks shapes and
// evaluates a parsed spec. Problems are added to p.diags.
func (p *parser) build(s *rawSpec) *Graph {
	lits := 0
	for _, rn := range s.nodes {
		for _, a := range rn.args {
			if a.isLit {
				lits++
			}
		}
	}
	// One map holds the names of the leaves and nodes as they are defined
	// (to find duplicates and resolve references); it becomes the graph's
	// index. The anonymous constants are found by number (see Graph.Node).
	g := &Graph{Name: s.name, Title: s.title, Description: s.description, WorkLimit: p.limits.MaxWork, Groups: p.groups,
		byName: make(map[string]*Node, len(s.leaves)+len(s.nodes))}
	p.nodeCtx, p.nodeErrPos = map[*Node]string{}, map[*Node]Pos{}
	define := func(n *Node) bool {
		if prev, dup := g.byName[n.Name]; dup {
			p.errorf(n.Pos, "%q is already defined at line %d, column %d; leaves and nodes share one namespace", n.Name, prev.Pos.Line, prev.Pos.Col)
			return false
		}
		g.byName[n.Name] = n
		return true
	}
	for _, l := range s.leaves {
		n := &Node{Name: l.name, Kind: l.kind, Value: l.value, NoGrad: l.noGrad, Pos: l.pos}
		if define(n) {
			if l.label != "" || l.display != "" {
				n.spec = &nodeSpec{label: l.label, display: l.display}
			}
			if l.value != nil { // A value with errors was reported already.
				n.Shape = l.value.Shape
			}
			g.push(n)
		}
	}
	// Op nodes, their inputs and what the spec says of them are allocated
	// in one block each rather than per node. nodeOf holds the node of
	// each entry of s.nodes, nil for a duplicate definition.
	ops := make([]*Node, 0, len(s.nodes))
	slab := make([]Node, len(s.nodes))
	nodeOf := make([]*Node, len(s.nodes))
	nargs, nspecs := 0, 0
	for _, rn := range s.nodes {
		if rn.hasSpec() {
			nspecs++
		}
	}
	specs := make([]nodeSpec, 0, nspecs)
	for i, rn := range s.nodes {
		nargs += len(rn.args)
		slab[i] = Node{Name: rn.name, Kind: KindOp, Op: rn.op, Pos: rn.pos}
		n := &slab[i]
		if !define(n) {
			continue
		}
		if rn.hasSpec() {
			m := rn.m()
			specs = append(specs, nodeSpec{label: m.label, display: m.display, group: m.innerGroup, owner: m.owner,
				block: m.block, expr: m.expr, keywordPos: m.kw.keyPos})
			n.spec = &specs[len(specs)-1]
		}
		ops, nodeOf[i] = append(ops, n), n
		if m := rn.m(); m.ctx != "" {
			p.nodeCtx[n] = m.ctx
		}
		if m := rn.m(); m.errPos.Line > 0 {
			p.nodeErrPos[n] = m.errPos
		}
	}
	if len(p.diags) > 0 && len(g.byName) == 0 {
		return g
	}
	if len(ops) == 0 {
		return g
	}
	// Literals become anonymous constants, numbered in order of appearance
	// and named #1, #2, … from one string. A node with an error of its own
	// is incomplete: it is still ordered, so that cycles through it are
	// found, but its shape is not inferred. Inputs and constants share one
	// block each too, whose capacity is exact, so that appending never
	// moves them.
	inSlab := make([]*Node, 0, nargs)
	constNames := literalNames(lits)
	consts, constSlab := 0, make([]Node, 0, lits)
	incomplete := map[*Node]bool{}
	undefined, names := 0, []string(nil)
	for i, rn := range s.nodes {
		n := nodeOf[i]
		if n == nil {
			continue // A duplicate definition, already reported.
		}
		if kw := rn.m().kw; kw.present {
			n.Attr = kw.value
		}
		if rn.broken {
			incomplete[n] = true
		}
		k := len(rn.args)
		n.Inputs = inSlab[len(inSlab) : len(inSlab) : len(inSlab)+k]
		inSlab = inSlab[:len(inSlab)+k]
		for _, a := range rn.args {
			if a.isLit {
				constSlab = append(constSlab, Node{Name: constNames[consts], Kind: KindConst, Value: Scalar(a.literal), NoGrad: true, Pos: a.pos})
				consts++
				n.Inputs = append(n.Inputs, g.push(&constSlab[len(constSlab)-1]))
				continue
			}
			ref := g.byName[a.ref]
			if ref == nil {
				// Only the first maxDiagnostics of these errors can be
				// shown (they come in file order), so only those get a
				// suggestion: a file of many undefined names stays linear.
				hint := ""
				if undefined++; undefined <= maxDiagnostics {
					if names == nil {
						names = definedNames(g.byName)
					}
					others := slices.DeleteFunc(slices.Clone(names), func(s string) bool { return s == rn.name })
					hint = didYouMean(a.ref, others)
				}
				p.errorf(a.pos, "undefined name %q used by %s%s%s", a.ref, rn.name, hint, rn.m().ctx)
				incomplete[n] = true
				continue
			}
			if ref == n {
				p.errorf(a.pos, "%s uses itself as an input (a cycle: %s → %s)", n.Name, n.Name, n.Name)
				incomplete[n] = true
				continue
			}
			n.Inputs = append(n.Inputs, ref)
		}
	}
	g.constants = constSlab
	if s.output != "" && g.byName[s.output] == nil {
		p.errorf(s.outputPos, "output: undefined name %q%s", s.output, didYouMean(s.output, definedNames(g.byName)))
	}
	// The graph is ordered and its shapes are checked even after earlier
	// errors, so that every problem of the file is reported at once; it is
	// only evaluated when there are none.
	order := p.topoSort(ops)
	for _, n := range order {
		g.push(n)
	}
	p.buildGroups(g, s)
	// The raw nodes are not needed any more: let the collector have them
	// before shapes and values are computed.
	s.nodes, s.leaves, p.rawSlab, p.argSlab = nil, nil, nil, nil
	if len(order) < len(ops) {
		// Cycles were reported; the shapes of the nodes outside them are
		// still checked.
		p.inferShapes(g, incomplete)
		return g
	}
	g.Output = ops[len(ops)-1]
	if s.output != "" {
		g.Output = g.byName[s.output]
	}
	if !p.inferShapes(g, incomplete) || p.diags.HasErrors() || g.Output == nil {
		return g
	}
	p.evaluate(g)
	p.warnUnreached(g)
	return g
}

// nodeHeap orders ready nodes by their position in the file.
type nodeHeap []*Node

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(i, j int) bool { return h[i].ID < h[j].ID }
func (h nodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(*Node)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

// topoSort orders op nodes so that every node comes after its inputs,
// breaking ties by file order (Kahn's algorithm with a priority queue). It
// reports cycles and then returns only the nodes outside them.
func (p *parser) topoSort(ops []*Node) []*Node {
	// While sorting, ID holds the file index, so a node is one of ops
	// exactly when ops[ID] is the node itself.
	for i, n := range ops {
		n.ID = i
	}
	index := func(n *Node) (int, bool) {
		j := n.ID
		return j, j >= 0 && j < len(ops) && ops[j] == n
	}
	// users[j] lists the nodes that use ops[j]; the lists share one
	// block, sized by a first pass that counts them.
	pending := make([]int, len(ops))
	count := make([]int, len(ops)+1)
	for _, n := range ops {
		for _, in := range n.Inputs {
			if j, ok := index(in); ok {
				count[j+1]++
			}
		}
	}
	for j := range ops {
		count[j+1] += count[j]
	}
	block := make([]*Node, count[len(ops)])
	users := make([][]*Node, len(ops))
	for j := range ops {
		users[j] = block[count[j]:count[j]:count[j+1]]
	}
	for _, n := range ops {
		for _, in := range n.Inputs {
			if j, ok := index(in); ok {
				pending[n.ID]++
				users[j] = append(users[j], n)
			}
		}
	}
	h := &nodeHeap{}
	for _, n := range ops {
		if pending[n.ID] == 0 {
			*h = append(*h, n)
		}
	}
	heap.Init(h)
	order := make([]*Node, 0, len(ops))
	for h.Len() > 0 {
		n := heap.Pop(h).(*Node)
		order = append(order, n)
		for _, u := range users[n.ID] {
			if pending[u.ID]--; pending[u.ID] == 0 {
				heap.Push(h, u)
			}
		}
	}
	if len(order) < len(ops) {
		p.reportCycle(ops, pending, index)
	}
	return order
}

// reportCycle reports every cycle among the nodes left unsorted: one
// diagnostic per strongly connected component, listing a cycle through it
// that starts from its member first in file order. Nodes that only depend on
// a cycle are not reported.
func (p *parser) reportCycle(ops []*Node, pending []int, index func(*Node) (int, bool)) {
	inCycle := func(n *Node) bool {
		_, isOp := index(n)
		return isOp && pending[n.ID] > 0
	}
	for _, comp := range components(ops, inCycle) {
		start := comp[0]
		member := map[*Node]bool{}
		for _, m := range comp {
			member[m] = true
			if m.ID < start.ID {
				start = m
			}
		}
		// Walk backwards through inputs inside the component until a node
		// repeats; the repeated stretch is a cycle.
		seen := map[*Node]int{}
		var path []*Node
		for n := start; ; {
			if at, ok := seen[n]; ok {
				path = path[at:]
				break
			}
			seen[n] = len(path)
			path = append(path, n)
			for _, in := range n.Inputs {
				if member[in] {
					n = in
					break
				}
			}
		}
		// Report in data-flow order, beginning with the member first in
		// the file.
		for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
			path[i], path[j] = path[j], path[i]
		}
		first := 0
		for i, m := range path {
			if m.ID < path[first].ID {
				first = i
			}
		}
		path = append(path[first:], path[:first]...)
		names := make([]string, len(path)+1)
		for i, m := range path {
			names[i] = m.Name
		}
		names[len(path)] = path[0].Name
		p.errorf(path[0].Pos, "cycle: %s (nodes may not depend on themselves)%s", strings.Join(names, " → "), p.nodeCtx[path[0]])
	}
}

// components returns the strongly connected components of more than one
// node among the nodes for which keep is true (Tarjan's algorithm, with
// edges from inputs to their users), in file order of their first node.
func components(ops []*Node, keep func(*Node) bool) [][]*Node {
	index := map[*Node]int{}
	low := map[*Node]int{}
	onStack := map[*Node]bool{}
	var stack []*Node
	var out [][]*Node
	var visit func(n *Node)
	visit = func(n *Node) {
		index[n], low[n] = len(index), len(index)
		stack = append(stack, n)
		onStack[n] = true
		for _, in := range n.Inputs {
			if !keep(in) {
				continue
			}
			if _, seen := index[in]; !seen {
				visit(in)
				low[n] = min(low[n], low[in])
			} else if onStack[in] {
				low[n] = min(low[n], index[in])
			}
		}
		if low[n] == index[n] {
			var comp []*Node
			for {
				m := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[m] = false
				comp = append(comp, m)
				if m == n {
					break
				}
			}
			if len(comp) > 1 {
				out = append(out, comp)
			}
		}
	}
	for _, n := range ops {
		if _, seen := index[n]; !seen && keep(n) {
			visit(n)
		}
	}
	return out
}

// inferShapes computes every op node's shape before anything is evaluated,
// reporting each mismatch at its node. Incomplete nodes, leaves whose value
// had errors and the nodes that depend on them are skipped. It returns false
// on any error.
func (p *parser) inferShapes(g *Graph, incomplete map[*Node]bool) bool {
	ok := true
	known := make([]bool, len(g.Nodes))
	var shapes [][]int // Reused from node to node.
	for _, n := range g.Nodes {
		if n.Op == nil {
			known[n.ID] = n.Value != nil // A leaf, or an op node with errors.
			continue
		}
		if incomplete[n] {
			continue
		}
		shapes = shapes[:0]
		ready := true
		for _, in := range n.Inputs {
			shapes = append(shapes, in.Shape)
			ready = ready && known[in.ID]
		}
		if !ready {
			continue
		}
		shape, err := n.Op.Shape(shapes, n.Attr)
		if err != nil {
			pos := shapeErrorPos(n, err)
			if at, ok := p.nodeErrPos[n]; ok && pos == n.Pos {
				pos = at
			}
			p.errorf(pos, "%s: %s: %v%s", n.Name, n.Op.Name, err, p.nodeCtx[n])
			ok = false
			continue
		}
		if size := Size(shape); size > p.limits.MaxElements {
			p.errorf(n.Pos, "%s: %s gives a %s tensor of %d elements, more than the limit of %d (raise it with --max-elements)",
				n.Name, n.Op.Name, ShapeString(shape), size, p.limits.MaxElements)
			ok = false
			continue
		}
		n.Shape, known[n.ID] = shape, true
		if !p.addWork(g, n, shapes, shape) {
			return false
		}
	}
	return ok
}

// workFactor is the work of evaluating and differentiating a node, in
// units of its forward work: the backward pass costs about twice the
// forward one (a matrix product's gradient is two products).
const workFactor = 3

// addWork adds the forward work of n, whose inputs have the given shapes,
// to g.Work and reports the node at which the work of evaluating and
// differentiating the graph exceeds the limit.
func (p *parser) addWork(g *Graph, n *Node, in [][]int, out []int) bool {
	w := max(Size(out), 1)
	if n.Op.Work != nil {
		w = max(n.Op.Work(in, out), 1)
	} else {
		sum := 0
		for _, s := range in {
			sum += Size(s)
		}
		w = max(w, sum)
	}
	g.Work = min(g.Work+w, math.MaxInt/(4*workFactor))
	if total := workFactor * g.Work; total > p.limits.MaxWork {
		p.errorf(n.Pos, "%s: evaluating and differentiating the spec up to %s takes about %d operations, more than the limit of %d (raise it with --max-work)",
			n.Name, n.Name, total, p.limits.MaxWork)
		return false
	}
	return true
}

// evaluate runs the forward pass, reporting the first node whose value is
// not finite together with its inputs' values.
func (p *parser) evaluate(g *Graph) {
	p.diags = append(p.diags, g.evaluateAll(p.nodeCtx)...)
}

// Evaluate recomputes every op node's value from the current leaf values, in
// topological order; a caller may change leaf values and evaluate again. It
// returns a diagnostic for the first node whose value is not finite, naming
// its inputs' values, or nil.
func (g *Graph) Evaluate() *Diagnostic {
	if ds := g.evaluateAll(nil); len(ds) > 0 {
		return &ds[0]
	}
	return nil
}

// evaluateAll recomputes every op node's value and reports every node whose
// value is not finite although its inputs are; the nodes that depend on it
// are not reported again. ctx, which may be nil, holds the block call
// that nodes were expanded for, appended to their messages.
func (g *Graph) evaluateAll(ctx map[*Node]string) Diagnostics {
	var ds Diagnostics
	var vals []*Tensor // Reused from node to node.
	for _, n := range g.Nodes {
		if n.IsLeaf() {
			continue
		}
		vals = vals[:0]
		inputsFinite := true
		for _, in := range n.Inputs {
			vals = append(vals, in.Value)
			inputsFinite = inputsFinite && in.Value.Finite()
		}
		if n.Op.Check != nil && inputsFinite {
			if err := n.Op.Check(n, vals); err != nil {
				ds = append(ds, Diagnostic{Severity: Error, Pos: n.Pos, Summary: fmt.Sprintf("%s = %s: %v%s", n.Name, n.Op.Formula(n, inputNames(n)), err, ctx[n])})
				n.Value = Full(n.Shape, math.NaN())
				continue
			}
		}
		n.Value = n.Op.Forward(vals, n.Attr)
		if inputsFinite && !n.Value.Finite() {
			e := &EvalError{Op: n.Op.Name, Inputs: slices.Clone(vals)}
			ds = append(ds, Diagnostic{Severity: Error, Pos: n.Pos, Summary: fmt.Sprintf("%s = %s is %s, not a finite number: %s%s",
				n.Name, n.Op.Formula(n, inputNames(n)), summarize(n.Value), e.InputsText(inputNames(n)), ctx[n])})
		}
	}
	return ds
}

// inputNames returns the display names of n's inputs; anonymous constants
// show their value.
func inputNames(n *Node) []string {
	names := make([]string, len(n.Inputs))
	for i, in := range n.Inputs {
		names[i] = in.DisplayName()
	}
	return names
}

// DisplayName returns the name to show for n in formulas: the value of an
// anonymous constant, otherwise its name.
func (n *Node) DisplayName() string {
	if n.Kind == KindConst && (n.Name == "" || n.Name[0] == '#') {
		return FormatNumber(n.Value.Item())
	}
	return n.Name
}

// InputNames returns the display names of n's inputs.
func (n *Node) InputNames() []string { return inputNames(n) }

// warnUnreached warns about every named node that the output does not
// depend on: its gradient is zero.
func (p *parser) warnUnreached(g *Graph) {
	reach := make([]bool, len(g.Nodes))
	reach[g.Output.ID] = true
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		if !reach[i] {
			continue
		}
		for _, in := range g.Nodes[i].Inputs {
			reach[in.ID] = true
		}
	}
	for _, n := range g.Nodes {
		if reach[n.ID] || n.Kind == KindConst || n.Owner() != "" {
			// A node of a formula or a block call is covered by the warning
			// about its owner.
			continue
		}
		p.diags = append(p.diags, Diagnostic{Severity: Warning, Pos: n.Pos, Code: "unreachable", Node: n.Name,
			Summary: fmt.Sprintf("%s does not reach the output %s; its gradient is 0", n.Name, g.Output.Name)})
	}
}

// definedNames returns the names the spec defines (the anonymous
// constants are not in the map) in sorted order, so that suggestions do
// not depend on map iteration order.
func definedNames(m map[string]*Node) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// literalNames returns the names #1 … #n of a spec's n anonymous
// constants, cut from one string.
func literalNames(n int) []string {
	size := 0
	for i, w := 1, 1; i <= n; w++ {
		// The numbers of w digits run from i to 10i − 1.
		top := min(10*i-1, n)
		size += (top - i + 1) * (w + 1)
		i *= 10
	}
	buf := make([]byte, 0, size)
	ends := make([]int, n)
	for i := range ends {
		buf = append(buf, '#')
		buf = strconv.AppendInt(buf, int64(i+1), 10)
		ends[i] = len(buf)
	}
	all := string(buf)
	names := make([]string, n)
	start := 0
	for i, end := range ends {
		names[i], start = all[start:end], end
	}
	return names
}
