package render

import (
	"github.com/chainviz/chainviz/graph"
	"strconv"
)

// This file decides what a diagram draws of a graph with groups, a
// collapse or a focus: which groups are frames, which are folded into one
// box, which nodes are left out, and where a stub says that the graph goes
// on. The DOT text is written from this plan in groups.go.

// drawPlan is what a diagram draws.
type drawPlan struct {
	// groups lists the graph's groups; index is a group's position in it,
	// by name.
	groups []*graph.Group
	index  map[string]int
	// children lists, by group index (the last entry for the top level),
	// the indices of the groups directly inside.
	children [][]int
	// chain holds, by node ID, the indices of the groups around the node,
	// innermost first.
	chain [][]int
	// folded holds, by node ID, the index of the outermost collapsed group
	// around the node, or −1.
	folded []int
	// collapsed marks the groups drawn as a box, by index.
	collapsed []bool
	// shown marks, by node ID, the nodes a focus keeps; nil without focus.
	shown []bool
	// stubsIn and stubsOut count, by node ID, the inputs and consumers of
	// a shown node that the focus leaves out.
	stubsIn, stubsOut []int
	// rolls are the rolled calls (see roll.go); rollOf holds, by group
	// index, the roll drawn as the group's box, or −1. Both are nil
	// without Options.Roll.
	rolls  []roll
	rollOf []int
}

// active reports whether the plan changes anything in the drawing.
func (p *drawPlan) active() bool { return p != nil && (len(p.groups) > 0 || p.shown != nil) }

// newPlan returns the plan for the graph of d and its options.
func (d *diagram) newPlan() *drawPlan {
	g := d.a.Graph
	size := len(d.names)
	p := &drawPlan{groups: g.Groups, index: map[string]int{}, folded: make([]int, size), chain: make([][]int, size)}
	for i, gr := range g.Groups {
		p.index[gr.Name] = i
	}
	top := len(g.Groups)
	p.children = make([][]int, top+1)
	parent := make([]int, len(g.Groups))
	for i, gr := range g.Groups {
		parent[i] = top
		if j, ok := p.index[gr.Parent]; ok && j != i {
			parent[i] = j
		}
		p.children[parent[i]] = append(p.children[parent[i]], i)
	}
	p.collapsed = make([]bool, len(g.Groups))
	for _, name := range d.o.Collapse {
		for i, gr := range g.Groups {
			if name == gr.Name || name == "all" && parent[i] == top {
				p.collapsed[i] = true
			}
		}
	}
	for _, n := range g.Nodes {
		p.folded[n.ID] = -1
		i, ok := p.index[n.Group()]
		for steps := 0; ok && steps <= len(g.Groups); steps++ {
			p.chain[n.ID] = append(p.chain[n.ID], i)
			if p.collapsed[i] {
				p.folded[n.ID] = i // The outermost one wins.
			}
			if parent[i] == top {
				break
			}
			i = parent[i]
		}
	}
	if d.o.Roll {
		p.roll(g)
	}
	if d.o.Focus != "" {
		if f := g.Node(d.o.Focus); f != nil {
			p.focus(d, f)
		}
	}
	return p
}

// focus keeps the nodes at most d.o.Depth edges up- or downstream of f and
// counts, for each, the neighbours left out.
func (p *drawPlan) focus(d *diagram, f *graph.Node) {
	size := len(d.names)
	p.shown = make([]bool, size)
	p.stubsIn, p.stubsOut = make([]int, size), make([]int, size)
	consumers := make([][]*graph.Node, size)
	for _, e := range d.a.Edges {
		consumers[e.From.ID] = append(consumers[e.From.ID], e.To)
	}
	p.shown[f.ID] = true
	for _, dir := range []bool{true, false} {
		frontier := []*graph.Node{f}
		seen := map[*graph.Node]bool{f: true}
		for k := 0; k < d.o.Depth && len(frontier) > 0; k++ {
			var next []*graph.Node
			for _, n := range frontier {
				nbrs := n.Inputs
				if !dir {
					nbrs = consumers[n.ID]
				}
				for _, m := range nbrs {
					if !seen[m] {
						seen[m] = true
						p.shown[m.ID] = true
						next = append(next, m)
					}
				}
			}
			frontier = next
		}
	}
	for _, n := range d.a.Graph.Nodes {
		if !p.shown[n.ID] {
			continue
		}
		for _, in := range n.Inputs {
			if !p.shown[in.ID] && !isAnonymous(in) {
				p.stubsIn[n.ID]++
			}
		}
		for _, c := range consumers[n.ID] {
			if !p.shown[c.ID] {
				p.stubsOut[n.ID]++
			}
		}
	}
	// An anonymous constant is drawn with the node that uses it.
	for _, n := range d.a.Graph.Nodes {
		if p.shown[n.ID] {
			for _, in := range n.Inputs {
				if isAnonymous(in) {
					p.shown[in.ID] = true
				}
			}
		}
	}
}

// visible reports whether n is drawn as a node of its own.
func (p *drawPlan) visible(n *graph.Node) bool {
	if p == nil {
		return true
	}
	return (p.shown == nil || p.shown[n.ID]) && p.folded[n.ID] < 0
}

// hidden reports whether n is left out by the focus.
func (p *drawPlan) hidden(n *graph.Node) bool {
	return p != nil && p.shown != nil && !p.shown[n.ID]
}

// endpoint returns the DOT name n is drawn as: its own node or the box of
// the collapsed group around it.
func (p *drawPlan) endpoint(n *graph.Node) string {
	if p != nil && p.folded[n.ID] >= 0 {
		return boxID(p.folded[n.ID])
	}
	return nodeID(n)
}

// boxID returns the DOT name of the box of the collapsed group i.
func boxID(i int) string { return "g" + strconv.Itoa(i) }

// nodeID returns the DOT name of n's node.
func nodeID(n *graph.Node) string { return "n" + strconv.Itoa(n.ID) }

// members returns the IDs of the nodes folded into the collapsed group i,
// in topological order.
func (d *diagram) members(i int) []*graph.Node {
	var out []*graph.Node
	for _, n := range d.a.Graph.Nodes {
		if d.plan.folded[n.ID] == i {
			out = append(out, n)
		}
	}
	return out
}
