package graph

import (
	"strings"
	"testing"
)

// TestGroups checks that declared groups fill Graph.Groups (each after its
// parent) and Node.Group (the innermost group), for leaves, nodes, group
// keys, titles, nesting and anonymous constants.
func TestGroups(t *testing.T) {
	src := `name: g
inputs: {x: 2}
params:
  w: 3
  b: {value: 1, group: layer1}
nodes:
  a: mul(w, x)
  z: {op: add, in: [a, b]}
  h: {op: relu, in: [z], group: act}
  L: mul(h, 0.5)
groups:
  net: {title: "The net", members: [layer1]}
  layer1: [w, a, z, inner]
  inner: [act]
`
	g, err := Load("g.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, gr := range g.Groups {
		order = append(order, gr.Name+"<"+gr.Parent)
	}
	if got, want := strings.Join(order, " "), "net< layer1<net inner<layer1 act<inner"; got != want {
		t.Errorf("groups %q, want %q", got, want)
	}
	if g.Groups[0].Title != "The net" || g.Groups[1].Title != "layer1" || g.Groups[0].Kind != GroupUser {
		t.Errorf("titles or kind wrong: %+v %+v", g.Groups[0], g.Groups[1])
	}
	for name, want := range map[string]string{"w": "layer1", "b": "layer1", "a": "layer1", "z": "layer1", "h": "act", "x": "", "L": "", "#1": ""} {
		if got := g.Node(name).Group(); got != want {
			t.Errorf("%s is in group %q, want %q", name, got, want)
		}
	}
	if g.Groups[3].Pos.Line != 9 {
		t.Errorf("act is declared at %v, want line 9 (its first group key)", g.Groups[3].Pos)
	}
}

// TestGroupErrors checks each mistake in groups is an error at its
// position, with what was expected.
func TestGroupErrors(t *testing.T) {
	head := "name: g\ninputs: {x: 2}\nnodes:\n  a: neg(x)\n  z: {op: add, in: [a, x], group: p}\n"
	for _, c := range []struct{ name, groups, want string }{
		{"unknown member", "groups:\n  p: [zz]\n", `g.yaml:7:7: groups.p: undefined name "zz" (expected a leaf, a node or a group); did you mean "z"?`},
		{"node in two groups", "groups:\n  p: [a]\n  q: [a]\n", `g.yaml:8:7: a is already in group p (line 7, column 7); a node belongs to one group (nest groups instead)`},
		{"group key and map", "groups:\n  q: [z]\n", `g.yaml:7:7: z is already in group p (line 5, column 35)`},
		{"two parents", "groups:\n  p: [a]\n  q: [r]\n  s: [r]\n  r: [x]\n", `g.yaml:9:7: group r is already in group q (line 8, column 7); a group has one parent`},
		{"cycle", "groups:\n  p: [q]\n  q: [p]\n", `groups nest in a cycle: p ⊂ q ⊂ p (a group cannot contain itself)`},
		{"name of a node", "groups:\n  a: [x]\n", `g.yaml:7:3: group "a" has the name of the node defined at line 4, column 3`},
		{"empty list", "groups:\n  p: []\n", `g.yaml:7:6: groups.p: expected a non-empty list of leaves, nodes and groups, found a list`},
		{"not a name", "groups:\n  p: [1]\n", `g.yaml:7:7: groups.p[0]: expected a name`},
		{"not a mapping", "groups: [a]\n", `g.yaml:6:9: groups: expected a mapping from group names to lists of members, found a list`},
		{"missing members", "groups:\n  p: {title: P}\n", `g.yaml:7:6: groups.p: missing required key "members"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load("g.yaml", []byte(head+c.groups))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
}
