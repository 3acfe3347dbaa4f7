package backward

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/chainviz/chainviz/graph"
)

// Mismatch is one difference between a golden annotated JSON document and a
// fresh one.
type Mismatch struct {
	// Where names the node or edge (`node "W1"`, `edge W1→a1 arg 0`) or the
	// top-level field.
	Where string
	// Field is the field within it, and Index the element inside a tensor
	// ("[0][1]"), empty for scalars.
	Field, Index string
	Want, Got    string
	// RelErr is the relative error of a numeric mismatch, or NaN.
	RelErr float64
}

// String formats m for a report.
func (m Mismatch) String() string {
	s := m.Where
	if m.Field != "" {
		s += " " + m.Field
	}
	s += m.Index + ": want " + m.Want + ", got " + m.Got
	if !math.IsNaN(m.RelErr) {
		s += fmt.Sprintf(" (relative error %.2g)", m.RelErr)
	}
	return s
}

// Tolerance bounds how far numbers may drift: |got − want| ≤ Atol +
// Rtol·|want|.
type Tolerance struct{ Rtol, Atol float64 }

// CompareJSON compares two annotated JSON documents: structure, names and
// strings exactly, numbers within tol. It returns every mismatch, or an
// error when either document is not JSON.
func CompareJSON(want, got []byte, tol Tolerance) ([]Mismatch, error) {
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		return nil, fmt.Errorf("golden file: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return nil, fmt.Errorf("annotation: %v", err)
	}
	c := &comparer{tol: tol}
	c.value("document", "", "", w, g)
	return c.out, nil
}

type comparer struct {
	tol Tolerance
	out []Mismatch
}

func (c *comparer) add(where, field, index string, want, got any, rel float64) {
	c.out = append(c.out, Mismatch{Where: where, Field: field, Index: index, Want: show(want), Got: show(got), RelErr: rel})
}

// show formats a JSON value briefly.
func show(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case float64:
		return fmtNum(v)
	case string:
		return fmt.Sprintf("%q", v)
	case []any:
		return fmt.Sprintf("a list of %d", len(v))
	case map[string]any:
		return "an object"
	}
	return fmt.Sprint(v)
}

func fmtNum(v float64) string { return graph.FormatNumber(v) }

// value compares want and got found at where/field/index.
func (c *comparer) value(where, field, index string, want, got any) {
	switch w := want.(type) {
	case float64:
		g, ok := got.(float64)
		if !ok {
			c.add(where, field, index, want, got, math.NaN())
			return
		}
		if d := math.Abs(g - w); d > c.tol.Atol+c.tol.Rtol*math.Abs(w) {
			c.add(where, field, index, want, got, d/math.Max(math.Abs(w), math.SmallestNonzeroFloat64))
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			c.add(where, field, index, want, got, math.NaN())
			return
		}
		switch {
		case where == "document" && field == "nodes":
			for i := range w {
				c.object(label("node", w[i], g[i]), w[i], g[i])
			}
		case where == "document" && field == "edges":
			for i := range w {
				c.object(label("edge", w[i], g[i]), w[i], g[i])
			}
		default:
			for i := range w {
				c.value(where, field, fmt.Sprintf("%s[%d]", index, i), w[i], g[i])
			}
		}
	case map[string]any:
		if where == "document" && field == "" {
			c.fields("document", w, got)
			return
		}
		c.object(where+" "+field+index, w, got)
	default:
		if want != got {
			c.add(where, field, index, want, got, math.NaN())
		}
	}
}

// object compares a node or edge object field by field.
func (c *comparer) object(where string, want, got any) {
	c.fields(where, want, got)
}

func (c *comparer) fields(where string, want, got any) {
	w, _ := want.(map[string]any)
	g, ok := got.(map[string]any)
	if !ok || w == nil {
		c.add(where, "", "", want, got, math.NaN())
		return
	}
	keys := make([]string, 0, len(w)+len(g))
	for k := range w {
		keys = append(keys, k)
	}
	for k := range g {
		if _, seen := w[k]; !seen {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := keyRank(keys[i]), keyRank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		wv, inW := w[k]
		gv, inG := g[k]
		switch {
		case !inW:
			c.out = append(c.out, Mismatch{Where: where, Field: k, Want: "(absent)", Got: show(gv), RelErr: math.NaN()})
		case !inG:
			c.out = append(c.out, Mismatch{Where: where, Field: k, Want: show(wv), Got: "(absent)", RelErr: math.NaN()})
		default:
			fieldWhere := where
			if where == "document" {
				c.value("document", k, "", wv, gv)
				continue
			}
			c.value(fieldWhere, k, "", wv, gv)
		}
	}
}

// keyOrder is the order of fields in annotated JSON, so that differences
// are reported in the order a reader of the file meets them.
var keyOrder = []string{"format", "name", "title", "description", "output", "nodes", "edges",
	"from", "to", "arg", "kind", "op", "shape", "value", "grad", "local", "local_expr", "upstream"}

func keyRank(k string) int {
	for i, o := range keyOrder {
		if o == k {
			return i
		}
	}
	return len(keyOrder)
}

// label names a node or edge from the golden side, falling back to the
// fresh side.
func label(kind string, want, got any) string {
	m, _ := want.(map[string]any)
	if m == nil {
		m, _ = got.(map[string]any)
	}
	if kind == "node" {
		return fmt.Sprintf("node %q", m["name"])
	}
	return fmt.Sprintf("edge %v→%v arg %v", m["from"], m["to"], m["arg"])
}
