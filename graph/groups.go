package graph

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file reads the groups a spec declares and fills Graph.Groups and
// Node.Group with them. A group is declared in one of two ways:
//
//   - the top-level groups map, group name → list of members, where a
//     member is a leaf, a node or another group (which then nests inside
//     it); or group name → {title: …, members: […]};
//   - a group key on a node's long form or a leaf's mapping form
//     ({op: add, in: [a, b], group: layer1}), which puts that node in the
//     group and declares the group at the top level if the map does not.
//
// A node belongs to at most one group, and a group to at most one parent;
// group names share no name with leaves and nodes, and nesting has no
// cycles. Every violation is an error at the position that causes it.

// rawGroup is one entry of the groups map.
type rawGroup struct {
	name, title string
	pos         Pos
	members     []rawGroupRef
}

// rawGroupRef is a name written where a group or a member is expected,
// with its position.
type rawGroupRef struct {
	name string
	pos  Pos
}

// groupsMap reads the top-level groups map.
func (p *parser) groupsMap(v *yaml.Node) []*rawGroup {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.errorf(p.pos(v), "groups: expected a mapping from group names to lists of members, found %s", describe(v))
		return nil
	}
	if len(v.Content)/2 > p.limits.MaxNodes {
		p.errorf(p.pos(v), "groups: more than %d groups, the limit (raise it with --max-nodes)", p.limits.MaxNodes)
		return nil
	}
	var out []*rawGroup
	p.mapping(v, "groups", nil, func(name string, k, val *yaml.Node) {
		if !isIdent(name) {
			p.badName(p.pos(k), "groups", name)
			return
		}
		what := "groups." + name
		g := &rawGroup{name: name, pos: p.pos(k)}
		list := val
		if val.Kind == yaml.MappingNode {
			list = nil
			p.mapping(val, what, []string{"title", "members"}, func(key string, _, x *yaml.Node) {
				switch key {
				case "title":
					g.title, _ = p.str(x, what+".title")
				case "members":
					list = x
				}
			})
			if list == nil {
				p.missing(val, what, "members", " (a list of leaves, nodes and groups)")
				return
			}
		}
		if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
			p.errorf(p.pos(list), "%s: expected a non-empty list of leaves, nodes and groups, found %s", what, describe(list))
			return
		}
		if len(list.Content) > p.limits.MaxNodes {
			p.errorf(p.pos(list), "%s: more than %d members, the limit (raise it with --max-nodes)", what, p.limits.MaxNodes)
			return
		}
		for i, e := range list.Content {
			if r := p.groupRef(e, fmt.Sprintf("%s[%d]", what, i)); r.name != "" {
				g.members = append(g.members, r)
			}
		}
		out = append(out, g)
	})
	return out
}

// groupRef reads a name, the value of a group key or a member of a group.
func (p *parser) groupRef(v *yaml.Node, what string) rawGroupRef {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!str" || !isIdent(v.Value) {
		p.errorf(p.pos(v), "%s: expected a name (%s), found %s", what, identifierSyntax, describe(v))
		return rawGroupRef{}
	}
	return rawGroupRef{name: v.Value, pos: p.pos(v)}
}

// declaredGroup is a group being resolved by buildGroups.
type declaredGroup struct {
	Group
	// parentPos is where the group is put in its parent.
	parentPos Pos
}

// buildGroups resolves the spec's groups against the graph's nodes, adds
// them to g.Groups (each after its parent, in declaration order) and sets
// Node.Group. Groups made by the loader itself (formulas, blocks) whose
// owner lies in a declared group are nested in it.
func (p *parser) buildGroups(g *Graph, s *rawSpec) {
	groups := map[string]*declaredGroup{}
	var order []*declaredGroup
	declare := func(name, title string, pos Pos) *declaredGroup {
		if n := g.byName[name]; n != nil {
			what := "node"
			if n.IsLeaf() {
				what = "leaf"
			}
			p.errorf(pos, "group %q has the name of the %s defined at line %d, column %d; groups, leaves and nodes share one namespace",
				name, what, n.Pos.Line, n.Pos.Col)
			return nil
		}
		if title == "" {
			title = name
		}
		dg := &declaredGroup{Group: Group{Name: name, Title: title, Kind: GroupUser, Pos: pos}}
		groups[name] = dg
		order = append(order, dg)
		return dg
	}
	for _, rg := range s.groups {
		declare(rg.name, rg.title, rg.pos)
	}
	// in records where each node was put in a group.
	in := map[*Node]rawGroupRef{}
	put := func(n *Node, group string, at Pos) {
		if prev, ok := in[n]; ok {
			p.errorf(at, "%s is already in group %s (line %d, column %d); a node belongs to one group (nest groups instead)",
				n.Name, prev.name, prev.pos.Line, prev.pos.Col)
			return
		}
		in[n] = rawGroupRef{name: group, pos: at}
		n.specOf().group = group
	}
	keyed := func(n *Node, r rawGroupRef) {
		if r.name == "" || n == nil {
			return
		}
		if groups[r.name] == nil && declare(r.name, "", r.pos) == nil {
			return
		}
		put(n, r.name, r.pos)
	}
	// Only the few entries with a group key are looked up.
	for _, l := range s.leaves {
		if l.group.name == "" {
			continue
		}
		if n := g.byName[l.name]; n != nil && n.Pos == l.pos {
			keyed(n, l.group)
		}
	}
	for _, rn := range s.nodes {
		if rn.m().group.name == "" {
			continue
		}
		if n := g.byName[rn.name]; n != nil && n.Pos == rn.pos {
			keyed(n, rn.m().group)
		}
	}
	for _, rg := range s.groups {
		parent := groups[rg.name]
		if parent == nil || parent.Pos != rg.pos {
			continue
		}
		for _, m := range rg.members {
			if child := groups[m.name]; child != nil {
				if child.Parent != "" {
					p.errorf(m.pos, "group %s is already in group %s (line %d, column %d); a group has one parent",
						m.name, child.Parent, child.parentPos.Line, child.parentPos.Col)
					continue
				}
				child.Parent, child.parentPos = rg.name, m.pos
				continue
			}
			n := g.byName[m.name]
			if n == nil {
				names := make([]string, 0, len(g.Nodes)+len(groups))
				for _, x := range g.Nodes {
					names = append(names, x.Name)
				}
				for name := range groups {
					names = append(names, name)
				}
				sort.Strings(names)
				p.errorf(m.pos, "groups.%s: undefined name %q (expected a leaf, a node or a group)%s", rg.name, m.name, didYouMean(m.name, names))
				continue
			}
			put(n, rg.name, m.pos)
		}
	}
	if !p.checkGroupCycles(groups, order) {
		return
	}
	// An anonymous constant is drawn with the node that uses it.
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in.Kind == KindConst && in.Group() == "" && n.Group() != "" && strings.HasPrefix(in.Name, "#") {
				in.specOf().group = n.Group()
			}
		}
	}
	// Groups the loader made for formulas and blocks nest in the declared
	// group of their owner.
	for _, lg := range g.Groups {
		if owner := g.byName[lg.Name]; lg.Parent == "" && owner != nil && groups[owner.Group()] != nil {
			lg.Parent = owner.Group()
		}
	}
	children := map[string][]*declaredGroup{}
	for _, dg := range order {
		children[dg.Parent] = append(children[dg.Parent], dg)
	}
	var walk func(parent string)
	walk = func(parent string) {
		for _, dg := range children[parent] {
			grp := dg.Group
			g.Groups = append(g.Groups, &grp)
			walk(dg.Name)
		}
	}
	walk("")
	g.Groups = parentsFirst(g.Groups)
}

// checkGroupCycles reports a cycle of nested groups, once, at the position
// where its first group is put in its parent.
func (p *parser) checkGroupCycles(groups map[string]*declaredGroup, order []*declaredGroup) bool {
	ok := true
	reported := map[string]bool{}
	for _, dg := range order {
		seen := map[string]bool{}
		path := []string{}
		for cur := dg; cur != nil && !reported[cur.Name]; cur = groups[cur.Parent] {
			if seen[cur.Name] {
				i := 0
				for path[i] != cur.Name {
					i++
				}
				cycle := append(path[i:], cur.Name)
				for _, name := range cycle {
					reported[name] = true
				}
				at := groups[cycle[0]].parentPos
				p.errorf(at, "groups nest in a cycle: %s (a group cannot contain itself)", strings.Join(cycle, " ⊂ "))
				ok = false
				break
			}
			seen[cur.Name] = true
			path = append(path, cur.Name)
		}
	}
	return ok
}

// parentsFirst orders groups so that each comes after its parent, keeping
// the given order otherwise.
func parentsFirst(gs []*Group) []*Group {
	byName := map[string]*Group{}
	for _, g := range gs {
		byName[g.Name] = g
	}
	done := map[string]bool{}
	out := make([]*Group, 0, len(gs))
	var emit func(g *Group, depth int)
	emit = func(g *Group, depth int) {
		if done[g.Name] || depth > len(gs) {
			return
		}
		if parent := byName[g.Parent]; parent != nil {
			emit(parent, depth+1)
		}
		if !done[g.Name] {
			done[g.Name] = true
			out = append(out, g)
		}
	}
	for _, g := range gs {
		emit(g, 0)
	}
	return out
}
