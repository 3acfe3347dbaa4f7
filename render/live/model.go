package live

import (
	"errors"
	"strings"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
	"github.com/chainviz/chainviz/render"
)

// This file builds what the page is sent about one spec: the diagram, the
// graph's structure (so that the page can highlight paths and play the
// steps of the passes) and the diagnostics. Every string in it is plain
// text; the page only ever writes it with textContent.

// specView is the answer to /api/spec.
type specView struct {
	Path  string `json:"path"`
	Name  string `json:"name,omitempty"`
	Title string `json:"title,omitempty"`
	View  string `json:"view"`
	// OK is false when the spec, as it is on disk now, has errors.
	OK bool `json:"ok"`
	// Stale is true when the diagram and graph are those of the last
	// version of the spec that worked, kept while the file is broken.
	Stale bool `json:"stale"`
	// Loss is the output's value, as text.
	Loss        string       `json:"loss,omitempty"`
	SVG         string       `json:"svg,omitempty"`
	Output      int          `json:"output"`
	Nodes       []nodeView   `json:"nodes"`
	Edges       []edgeView   `json:"edges"`
	Diagnostics []diagnostic `json:"diagnostics"`
	// Steps are the steps of the slider, those of render.Steps: the frames
	// of chainviz render --frames, with their captions.
	Steps []stepView `json:"steps"`
}

// nodeView is one node; ID is its position in Nodes, a topological order,
// and the number in its SVG title ("n3").
type nodeView struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	Op   string `json:"op"`
	// Forward says how its value is computed: "z1 = a1 + b1 = 7".
	Forward string `json:"forward"`
	Value   string `json:"value"`
	// Grad is ∂output/∂node, or empty when the node has no gradient.
	Grad string `json:"grad,omitempty"`
}

// edgeView is one input slot, in the order of the annotated JSON; its
// index is the number in the SVG title of its wire ("e4").
type edgeView struct {
	From int `json:"from"`
	To   int `json:"to"`
	Arg  int `json:"arg"`
	// Flows is false when no gradient flows back along the edge: its From
	// is a constant or a grad: false leaf.
	Flows bool `json:"flows"`
}

// stepView is one render.Step: the pass, the node highlighted (its ID, −1
// for none), the edge followed in the backward pass (its index in Edges, −1
// for none), and the caption.
type stepView struct {
	Pass    string `json:"pass"`
	Node    int    `json:"node"`
	Edge    int    `json:"edge"`
	Caption string `json:"caption"`
}

// diagnostic is a graph.Diagnostic for the page.
type diagnostic struct {
	Severity string `json:"severity"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	// Text is the diagnostic as the command line prints it.
	Text string `json:"text"`
}

// maxText is the longest value or gradient written in a caption, in runes.
const maxText = 160

// short returns t as text, cut at maxText runes.
func short(t *graph.Tensor) string {
	if t == nil {
		return ""
	}
	s := t.String()
	if r := []rune(s); len(r) > maxText {
		s = string(r[:maxText-1]) + "…"
	}
	return s
}

// buildView fills the graph part of v from a.
func buildView(v *specView, a *backward.Annotated) {
	g := a.Graph
	v.Name, v.Title = g.Name, g.Title
	v.Output = g.Output.ID
	v.Loss = short(g.Output.Value)
	v.Nodes = make([]nodeView, len(g.Nodes))
	for i, n := range g.Nodes {
		nv := nodeView{ID: n.ID, Name: n.DisplayName(), Kind: n.Kind.String(), Op: n.OpName(), Value: short(n.Value)}
		nv.Forward = nv.Name + " = " + nv.Value
		if n.Op != nil && n.Op.Formula != nil {
			nv.Forward = nv.Name + " = " + n.Op.Formula(n, n.InputNames()) + " = " + nv.Value
		}
		if n.ID < len(a.Grads) && a.Grads[n.ID] != nil {
			nv.Grad = short(a.Grads[n.ID])
		}
		v.Nodes[i] = nv
	}
	v.Edges = make([]edgeView, len(a.Edges))
	for i, e := range a.Edges {
		v.Edges[i] = edgeView{From: e.From.ID, To: e.To.ID, Arg: e.Arg, Flows: e.Grad != nil}
	}
	// The default options are valid, so Steps cannot fail.
	steps, _ := render.Steps(a, render.Options{})
	v.Steps = make([]stepView, len(steps))
	for i, st := range steps {
		v.Steps[i] = stepView{Pass: string(st.Pass), Node: st.Node, Edge: st.Edge, Caption: st.Caption}
	}
}

// diagnostics turns an error of loading, differentiating or rendering into
// diagnostics; an error that is not a graph.Diagnostics becomes one
// without a position, in file.
func diagnostics(err error, file string) []diagnostic {
	var ds graph.Diagnostics
	if !errors.As(err, &ds) {
		ds = graph.Diagnostics{{Severity: graph.Error, Pos: graph.Pos{File: file}, Summary: err.Error()}}
	}
	return toDiagnostics(ds)
}

func toDiagnostics(ds graph.Diagnostics) []diagnostic {
	out := make([]diagnostic, len(ds))
	for i, d := range ds {
		sev := "error"
		if d.Severity == graph.Warning {
			sev = "warning"
		}
		out[i] = diagnostic{Severity: sev, File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col,
			Summary: d.Summary, Detail: d.Detail, Text: strings.TrimSpace(d.String())}
	}
	return out
}
