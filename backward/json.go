package backward

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/chainviz/chainviz/graph"
)

// Format is the value of the "format" field of annotated JSON v1.
const Format = "chainviz.annotated/v1"

// WriteJSON writes a as annotated JSON v1: one node or edge per line,
// numbers in shortest round-trip form, byte-identical for the same spec.
//
// Every number must be finite, since JSON has no NaN or infinity: a value
// that is not is an error, returned before anything is written.
func WriteJSON(w io.Writer, a *Annotated) error {
	if err := a.checkFinite(); err != nil {
		return err
	}
	// A large graph's JSON runs to tens of megabytes: 64 KiB writes take a
	// sixteenth of the system calls of bufio's default 4 KiB.
	bw := bufio.NewWriterSize(w, 64<<10)
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
			// Added after v1's three fields, for tools that filter warnings.
			code := d.Code
			if code == "" {
				code = "other"
			}
			j.raw(", \"code\": ")
			j.str(code)
			j.raw(", \"severity\": \"warning\", \"node\": ")
			if d.Node == "" {
				j.raw("null")
			} else {
				j.str(d.Node)
			}
			j.raw("}")
			j.sep(i, len(a.Warnings))
		}
		j.raw("  ]")
	}
	j.raw("\n}\n")
	return bw.Flush()
}

// checkFinite returns an error when a tensor the JSON would hold is not
// finite. Values, gradients and edges are checked when they are computed;
// this catches what was added afterwards.
func (a *Annotated) checkFinite() error {
	var ts []*graph.Tensor
	ts = append(ts, a.Updated...)
	for _, h := range a.Higher {
		ts = append(ts, h...)
	}
	if a.Hessian != nil {
		ts = append(ts, a.Hessian.Matrix)
	}
	for _, t := range ts {
		if t != nil && !t.Finite() {
			return fmt.Errorf("the annotated JSON would hold %s, which JSON cannot write; every number must be finite", t)
		}
	}
	return nil
}

// JSON returns a's annotated JSON v1 as bytes.
func JSON(a *Annotated) []byte {
	var buf bytes.Buffer
	_ = WriteJSON(&buf, a)
	return buf.Bytes()
}

// jsonWriter writes annotated JSON through a scratch buffer, so that a
// node costs no allocation beyond its formula.
type jsonWriter struct {
	w   *bufio.Writer
	buf []byte
	// names is reused for the input names a formula is written with.
	names []string
}

func (j *jsonWriter) raw(s string) { j.w.WriteString(s) }

// str writes s as a JSON string without escaping <, > and &, which keeps
// formulas readable; the result is still valid JSON. It escapes what
// encoding/json does with SetEscapeHTML(false): quotes, backslashes,
// control characters (\n, \r, \t or \u00XX), U+2028 and U+2029, and
// writes invalid UTF-8 as U+FFFD.
func (j *jsonWriter) str(s string) {
	w := j.w
	w.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			w.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				w.WriteByte('\\')
				w.WriteByte(c)
			case '\n':
				w.WriteString(`\n`)
			case '\r':
				w.WriteString(`\r`)
			case '\t':
				w.WriteString(`\t`)
			default:
				w.WriteString(`\u00`)
				w.WriteByte(hexDigits[c>>4])
				w.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			w.WriteString(s[start:i])
			switch r {
			case utf8.RuneError:
				w.WriteString(`\ufffd`)
			case '\u2028':
				w.WriteString(`\u2028`)
			default:
				w.WriteString(`\u2029`)
			}
			start = i + size
		}
		i += size
	}
	w.WriteString(s[start:])
	w.WriteByte('"')
}

const hexDigits = "0123456789abcdef"

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
	j.buf = graph.AppendTensor(j.buf[:0], t)
	j.w.Write(j.buf)
}

// int writes an integer.
func (j *jsonWriter) int(v int) {
	j.buf = strconv.AppendInt(j.buf[:0], int64(v), 10)
	j.w.Write(j.buf)
}

func (j *jsonWriter) shape(s []int) {
	j.raw("[")
	for i, d := range s {
		if i > 0 {
			j.raw(", ")
		}
		j.int(d)
	}
	j.raw("]")
}

func (j *jsonWriter) node(a *Annotated, n *graph.Node) {
	j.raw("    {\"name\": ")
	j.str(n.Name)
	j.raw(", \"kind\": \"")
	j.raw(n.Kind.String())
	j.raw("\", \"op\": \"")
	j.raw(n.OpName())
	j.raw("\", \"shape\": ")
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
			j.raw(", \"grad")
			j.int(k + 2)
			j.raw("\": ")
			j.tensor(h[n.ID])
		}
	}
	if !n.IsLeaf() {
		j.raw(", \"formula\": ")
		j.names = j.names[:0]
		for _, in := range n.Inputs {
			j.names = append(j.names, in.DisplayName())
		}
		j.str(n.Op.Formula(n, j.names))
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
	if n.Owner() != "" {
		j.raw(", \"owner\": ")
		j.str(n.Owner())
	}
	if n.Block() != "" {
		j.raw(", \"block\": ")
		j.str(n.Block())
	}
	if n.Expr() != "" {
		j.raw(", \"expr\": ")
		j.str(n.Expr())
	}
	if n.Label() != "" {
		j.raw(", \"label\": ")
		j.str(n.Label())
	}
	// The key is written only when the spec uses it, so that the JSON of
	// every spec without it stays as it was.
	if n.Display() != "" {
		j.raw(", \"display\": ")
		j.str(n.Display())
	}
	j.raw("}")
}

func (j *jsonWriter) edge(e Edge) {
	j.raw("    {\"from\": ")
	j.str(e.From.Name)
	j.raw(", \"to\": ")
	j.str(e.To.Name)
	j.raw(", \"arg\": ")
	j.int(e.Arg)
	j.raw(", \"local\": ")
	j.tensor(e.Local)
	j.raw(", \"local_expr\": ")
	j.str(e.LocalExpr)
	j.raw(", \"upstream\": ")
	j.tensor(e.Upstream)
	j.raw(", \"grad\": ")
	j.tensor(e.Grad)
	j.raw("}")
}
