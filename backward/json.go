package backward

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"

	"github.com/chainviz/chainviz/graph"
)

// Format is the value of the "format" field of annotated JSON v1.
const Format = "chainviz.annotated/v1"

// WriteJSON writes a as annotated JSON v1: one node or edge per line,
// numbers in shortest round-trip form, byte-identical for the same spec.
func WriteJSON(w io.Writer, a *Annotated) error {
	bw := bufio.NewWriter(w)
	j := &jsonWriter{w: bw}
	g := a.Graph
	j.raw("{\n")
	j.field("  ", "format", Format, true)
	j.field("  ", "name", g.Name, true)
	j.field("  ", "title", g.Title, true)
	if g.Description != "" {
		j.field("  ", "description", g.Description, true)
	}
	j.field("  ", "output", g.Output.Name, true)
	j.raw("  \"nodes\": [\n")
	for i, n := range g.Nodes {
		j.node(a, n)
		j.sep(i, len(g.Nodes))
	}
	j.raw("  ],\n  \"edges\": [\n")
	for i, e := range a.Edges {
		j.edge(e)
		j.sep(i, len(a.Edges))
	}
	j.raw("  ]")
	if h := a.Hessian; h != nil {
		j.raw(",\n  \"hessian\": {\"wrt\": [")
		for i, w := range h.Wrt {
			if i > 0 {
				j.raw(", ")
			}
			j.str(w)
		}
		j.raw("], \"matrix\": ")
		j.tensor(h.Matrix)
		j.raw("}")
	}
	if len(a.Warnings) > 0 {
		j.raw(",\n  \"warnings\": [\n")
		for i, d := range a.Warnings {
			j.raw("    {\"line\": " + strconv.Itoa(d.Pos.Line) + ", \"col\": " + strconv.Itoa(d.Pos.Col) + ", \"message\": ")
			j.str(d.Summary)
			j.raw("}")
			j.sep(i, len(a.Warnings))
		}
		j.raw("  ]")
	}
	j.raw("\n}\n")
	return bw.Flush()
}

// JSON returns a's annotated JSON v1 as bytes.
func JSON(a *Annotated) []byte {
	var buf bytes.Buffer
	_ = WriteJSON(&buf, a)
	return buf.Bytes()
}

type jsonWriter struct {
	w *bufio.Writer
}

func (j *jsonWriter) raw(s string) { j.w.WriteString(s) }

// str writes s as a JSON string without escaping <, > and &, which keeps
// formulas readable; the result is still valid JSON.
func (j *jsonWriter) str(s string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	j.w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
}

func (j *jsonWriter) field(indent, key, value string, comma bool) {
	j.raw(indent + "\"" + key + "\": ")
	j.str(value)
	if comma {
		j.raw(",\n")
	}
}

func (j *jsonWriter) sep(i, n int) {
	if i < n-1 {
		j.raw(",\n")
	} else {
		j.raw("\n")
	}
}

// tensor writes a number for rank 0 and nested arrays otherwise; nil is
// written as null.
func (j *jsonWriter) tensor(t *graph.Tensor) {
	if t == nil {
		j.raw("null")
		return
	}
	j.raw(t.Format(graph.FormatNumber))
}

func (j *jsonWriter) shape(s []int) {
	j.raw("[")
	for i, d := range s {
		if i > 0 {
			j.raw(", ")
		}
		j.raw(strconv.Itoa(d))
	}
	j.raw("]")
}

func (j *jsonWriter) node(a *Annotated, n *graph.Node) {
	j.raw("    {\"name\": ")
	j.str(n.Name)
	j.raw(", \"kind\": \"" + n.Kind.String() + "\", \"op\": \"" + n.OpName() + "\", \"shape\": ")
	j.shape(n.Shape)
	j.raw(", \"value\": ")
	j.tensor(n.Value)
	j.raw(", \"grad\": ")
	j.tensor(a.Grads[n.ID])
	if a.Updated != nil && a.Updated[n.ID] != nil {
		j.raw(", \"updated\": ")
		j.tensor(a.Updated[n.ID])
	}
	for k, h := range a.Higher {
		if h[n.ID] != nil {
			j.raw(", \"grad" + strconv.Itoa(k+2) + "\": ")
			j.tensor(h[n.ID])
		}
	}
	if !n.IsLeaf() {
		j.raw(", \"formula\": ")
		j.str(n.Op.Formula(n, n.InputNames()))
		if kw := n.Op.Keyword; kw != nil && n.Attr != nil {
			// The keyword argument, as the spec gives it: "kwargs": {"axis": 0}.
			j.raw(", \"kwargs\": {")
			j.str(kw.Name)
			j.raw(": ")
			if kw.List {
				j.shape(n.Attr)
			} else {
				j.raw(strconv.Itoa(n.Attr[0]))
			}
			j.raw("}")
		}
	}
	// A node made by a formula or a block call says where it comes from.
	if n.Owner != "" {
		j.raw(", \"owner\": ")
		j.str(n.Owner)
	}
	if n.Block != "" {
		j.raw(", \"block\": ")
		j.str(n.Block)
	}
	if n.Expr != "" {
		j.raw(", \"expr\": ")
		j.str(n.Expr)
	}
	if n.Label != "" {
		j.raw(", \"label\": ")
		j.str(n.Label)
	}
	j.raw("}")
}

func (j *jsonWriter) edge(e Edge) {
	j.raw("    {\"from\": ")
	j.str(e.From.Name)
	j.raw(", \"to\": ")
	j.str(e.To.Name)
	j.raw(", \"arg\": " + strconv.Itoa(e.Arg) + ", \"local\": ")
	j.tensor(e.Local)
	j.raw(", \"local_expr\": ")
	j.str(e.LocalExpr)
	j.raw(", \"upstream\": ")
	j.tensor(e.Upstream)
	j.raw(", \"grad\": ")
	j.tensor(e.Grad)
	j.raw("}")
}
