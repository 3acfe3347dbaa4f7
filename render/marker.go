package render

import (
	"strings"

	"github.com/chainviz/chainviz/graph"
)

// warnMark is the marker drawn before the name of a node with a warning.
const warnMark = "⚠"

// nodeWarnings returns, by node ID (for IDs below size), the summaries of
// the warnings about each node: a warning is about the node declared at its
// position. Nodes without a position, such as anonymous constants, get none.
// The result is nil when no warning is about a node.
func nodeWarnings(nodes []*graph.Node, ws graph.Diagnostics, size int) [][]string {
	at := map[graph.Pos]int{}
	for _, n := range nodes {
		if n.Pos.Line > 0 {
			at[n.Pos] = n.ID
		}
	}
	var out [][]string
	for _, w := range ws {
		id, ok := at[w.Pos]
		if w.Severity != graph.Warning || !ok || id >= size {
			continue
		}
		if out == nil {
			out = make([][]string, size)
		}
		out[id] = append(out[id], w.Summary)
	}
	return out
}

// warnings returns the summaries of the warnings about n.
func (d *diagram) warnings(n *graph.Node) []string {
	if n.ID < len(d.warns) {
		return d.warns[n.ID]
	}
	return nil
}

// warnStyle returns how a node with a warning stands out: the marker to
// write before its name, and its border colour and width in place of the
// given ones. A node without warnings keeps them, with no marker.
func (d *diagram) warnStyle(n *graph.Node, color, width string) (mark, border, bwidth string) {
	if len(d.warnings(n)) == 0 {
		return "", color, width
	}
	if width == "1" {
		width = "2"
	}
	return font(warnMark+nbsp, d.pal.Warn, sizeText+1), d.pal.Warn, width
}

// tooltip returns the DOT tooltip attribute of a node with warnings, their
// summaries one per line followed by ", ", or "" for other nodes. SVG
// viewers show it when the pointer rests on the node.
func (d *diagram) tooltip(n *graph.Node) string {
	ws := d.warnings(n)
	if len(ws) == 0 {
		return ""
	}
	return "tooltip=" + quoteDOT(warnMark+" "+strings.Join(ws, "\n"+warnMark+" ")) + ", "
}
