package graph

import (
	"bytes"
	"encoding/json"
	"strings"
)

// SchemaID is the $id of the JSON Schema of spec format v1: where the
// committed copy, specs/chainviz.schema.json, is published.
const SchemaID = "https://raw.githubusercontent.com/chainviz/chainviz/main/specs/chainviz.schema.json"

// JSONSchema returns a JSON Schema (draft 2020-12) of spec format v1, for
// editors (yaml-language-server) to complete and check specs as they are
// typed. It describes the structure the loader checks: the keys, their
// types, identifiers, value forms and op names (case-insensitively, in
// both node forms). What needs the whole graph (references, cycles, shapes,
// arity, rectangular matrices) is left to the loader. The output is
// deterministic and ends with a newline.
func JSONSchema() []byte {
	ident := obj{{"type", "string"}, {"pattern", "^" + identifierSyntax + "$"}}
	ops := OpNames()
	opAlt := caseInsensitiveAlternation(ops)
	number := `[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?`
	arg := `(?:` + identifierSyntax + `|` + number + `)`
	ref := func(name string) obj { return obj{{"$ref", "#/$defs/" + name}} }
	described := func(o obj, desc string) obj { return append(obj{{"description", desc}}, o...) }
	// A keyword argument comes last: axis=0, shape=[2, 3].
	kw := identifierSyntax + `\s*=\s*(?:[+-]?[0-9]+|\[\s*(?:[+-]?[0-9]+(?:\s*,\s*[+-]?[0-9]+)*)?\s*\])`
	short := `^[ \t]*(?:` + opAlt + `)[ \t]*\(\s*` + arg + `(?:\s*,\s*` + arg + `)*(?:\s*,\s*` + kw + `)?\s*\)\s*$`
	// A formula's outer shape: operands (names, numbers, keyword
	// arguments) between infix operators or commas, each after any number
	// of unary signs, "(" and call openers, and before any number of ")".
	// Whether the parentheses balance is left to the loader. Without
	// blocks, only ops can be called; with blocks, any name.
	formula := func(callee string) string {
		prefix := `(?:[-+(]|(?:` + callee + `)[ \t]*\()[ \t]*`
		// An operand and the ")" after it; a keyword argument ends a call.
		operand := `(?:(?:` + identifierSyntax + `|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.)(?:[ \t]*\))*|` + kw + `(?:[ \t]*\))+)`
		unit := `(?:` + prefix + `)*` + operand
		bin := `[ \t]*[-+*/@^,][ \t]*`
		// At least one operator or call: a bare name is not a node.
		return `^[ \t]*(?:(?:` + prefix + `)+` + operand + `(?:` + bin + unit + `)*|` + unit + `(?:` + bin + unit + `)+)[ \t]*$`
	}
	opFormula, anyFormula := formula(opAlt), formula(identifierSyntax)
	longProps := obj{
		{"op", ref("op")},
		{"in", described(obj{{"type", "array"}, {"items", obj{{"anyOf", []obj{ref("identifier"), {{"type", "number"}}}}}}},
			"The inputs in order: names of inputs, params or nodes, or numbers (anonymous constants).")},
		{"label", described(ref("text"), "A display label.")},
		{"group", described(ref("identifier"), "The group the node is drawn in (see the top-level groups).")},
		{"display", described(ref("displayText"), "Text shown verbatim instead of the node's name in diagrams and explain (no subscripts): display: \"w2\".")},
	}
	for _, k := range builtin.keywords() {
		t := obj{{"type", "integer"}}
		if k.List {
			t = obj{{"type", "array"}, {"items", obj{{"type", "integer"}}}}
		}
		longProps = append(longProps, kv{k.Name, described(t, "The keyword argument of "+strings.Join(builtin.opsWithKeyword(k.Name), ", ")+", as in "+k.Hint+".")})
	}

	defs := obj{
		{"identifier", described(ident, "A name: a letter or underscore, then letters, digits or underscores.")},
		{"text", obj{{"type", []string{"string", "number", "boolean"}}}},
		{"displayText", obj{{"type", []string{"string", "number", "boolean"}}, {"minLength", 1}, {"maxLength", 32}}},
		{"value", described(obj{{"anyOf", []obj{
			{{"type", "number"}},
			{{"type", "array"}, {"minItems", 1}, {"items", obj{{"type", "number"}}}},
			{{"type", "array"}, {"minItems", 1}, {"items", obj{
				{"type", "array"}, {"minItems", 1}, {"items", obj{{"type", "number"}}}}}},
		}}}, "A finite number (scalar), a list of numbers (vector) or a list of equally long lists of numbers (matrix).")},
		{"leaf", obj{{"anyOf", []obj{
			ref("value"),
			{{"type", "object"}, {"additionalProperties", false}, {"required", []string{"value"}}, {"properties", obj{
				{"value", ref("value")},
				{"grad", described(obj{{"type", "boolean"}}, "false makes the leaf a constant: no gradient is computed or drawn.")},
				{"label", described(ref("text"), "A display label.")},
				{"group", described(ref("identifier"), "The group the leaf is drawn in (see the top-level groups).")},
				{"display", described(ref("displayText"), "Text shown verbatim instead of the leaf's name in diagrams and explain (no subscripts): display: \"w2\".")},
			}}},
		}}}},
		{"leaves", obj{
			{"type", []string{"object", "null"}},
			{"propertyNames", ref("identifier")},
			{"additionalProperties", ref("leaf")},
		}},
		{"op", described(obj{{"anyOf", []obj{
			{{"enum", ops}},
			{{"type", "string"}, {"pattern", "^(?:" + opAlt + ")$"}},
		}}}, "An op name, in any case: "+strings.Join(ops, ", ")+".")},
		{"node", obj{{"anyOf", []obj{
			described(obj{{"type", "string"}, {"pattern", short}}, "The short form: an op call such as add(a1, b1) or sum(X, axis=0); inputs are names or numbers, and a keyword argument comes last."),
			described(obj{{"type", "string"}, {"pattern", opFormula}}, "A formula: W1 @ x + b1, 0.5 * (z - y)^2, mean(square(p - y)), with + - * / @ ^, unary minus, parentheses, numbers and op calls."),
			described(obj{{"type", "object"}, {"additionalProperties", false}, {"required", []string{"op", "in"}}, {"properties", longProps}},
				"The long form: {op: add, in: [a1, b1], label: …}, with a keyword argument as a key: {op: sum, in: [X], axis: 0}."),
		}}}},
		{"nodeWithBlocks", described(obj{{"anyOf", []obj{
			ref("node"),
			{{"type", "string"}, {"pattern", anyFormula}},
		}}}, "A node of a spec with blocks: as node, and a formula may call the blocks.")},
		{"formula", described(obj{{"type", "string"}, {"pattern", anyFormula}}, "A formula, which may call ops and blocks.")},
		{"block", described(obj{
			{"type", "object"}, {"additionalProperties", false}, {"required", []string{"args", "output"}},
			{"properties", obj{
				{"args", described(obj{{"type", "array"}, {"uniqueItems", true}, {"items", ref("identifier")}}, "The argument names, in call order.")},
				{"nodes", described(obj{
					{"type", "object"}, {"propertyNames", ref("identifier")}, {"additionalProperties", ref("formula")},
				}, "The block's nodes: name → formula; they see only the arguments and each other.")},
				{"output", described(obj{{"anyOf", []obj{ref("identifier"), ref("formula")}}}, "The node the call gives, or a formula of its own.")},
			}},
		}, "A block: a sub-graph called like an op, h1: dense(x, W1, b1); its nodes are named h1.z, its output h1.")},
	}
	schema := obj{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", SchemaID},
		{"title", "chainviz spec, format v1"},
		{"description", "A computation graph for chainviz: leaves (inputs and params) and op nodes. " +
			"References, cycles, shapes and arity are checked by chainviz itself."},
		{"type", "object"},
		{"additionalProperties", false},
		{"required", []string{"name", "nodes"}},
		{"properties", obj{
			{"version", described(obj{{"enum", []any{1, "1"}}}, "The spec format version; 1 is the only one so far.")},
			{"name", described(ref("identifier"), "The graph's name; output files are named after it.")},
			{"title", described(ref("text"), "A caption for the diagram.")},
			{"description", described(ref("text"), "Free text about the graph.")},
			{"inputs", described(ref("leaves"), "Leaves whose values are given: name → value or {value, grad, label}.")},
			{"params", described(ref("leaves"), "Trainable leaves: name → value or {value, grad, label}; an update step applies to these.")},
			{"blocks", described(obj{
				{"type", "object"},
				{"propertyNames", obj{{"allOf", []obj{ref("identifier"), {{"not", obj{{"pattern", "^(?:" + opAlt + ")$"}}}}}}}},
				{"additionalProperties", ref("block")},
			}, "Named sub-graphs that nodes call like ops: name → {args, nodes, output}.")},
			{"nodes", described(obj{
				{"type", "object"}, {"minProperties", 1},
				{"propertyNames", ref("identifier")},
				{"additionalProperties", ref("nodeWithBlocks")},
			}, "The op nodes: name → add(a, b), a formula such as W @ x + b, or {op: add, in: [a, b], label: …}. References may point forward.")},
			{"output", described(ref("identifier"), "The node the gradients are taken of; default: the last node.")},
			{"groups", described(obj{
				{"type", []string{"object", "null"}},
				{"propertyNames", ref("identifier")},
				{"additionalProperties", obj{{"anyOf", []obj{
					{{"type", "array"}, {"minItems", 1}, {"items", ref("identifier")}},
					{{"type", "object"}, {"additionalProperties", false}, {"required", []string{"members"}}, {"properties", obj{
						{"title", ref("text")},
						{"members", obj{{"type", "array"}, {"minItems", 1}, {"items", ref("identifier")}}},
					}}},
				}}}},
			}, "Groups drawn as titled frames: name → [members] or {title, members}; a member is a leaf, a node or another group, which nests inside.")},
		}},
		// Without blocks, a formula can call only ops.
		{"if", obj{{"not", obj{{"required", []string{"blocks"}}}}}},
		{"then", obj{{"properties", obj{{"nodes", obj{{"additionalProperties", ref("node")}}}}}}},
		{"$defs", defs},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(schema); err != nil {
		panic("graph: the JSON Schema does not encode: " + err.Error()) // A bug in this file.
	}
	return buf.Bytes()
}

// caseInsensitiveAlternation returns a regular expression alternation that
// matches each name in any case ("add" becomes "[Aa][Dd][Dd]"), since JSON
// Schema patterns have no case-insensitive flag.
func caseInsensitiveAlternation(names []string) string {
	alts := make([]string, len(names))
	for i, name := range names {
		var b strings.Builder
		for _, r := range name {
			lo, up := strings.ToLower(string(r)), strings.ToUpper(string(r))
			if lo == up {
				b.WriteString(lo)
			} else {
				b.WriteString("[" + up + lo + "]")
			}
		}
		alts[i] = b.String()
	}
	return strings.Join(alts, "|")
}

// obj is a JSON object that keeps its keys in order, so that the schema
// reads top-down: $schema first, definitions last.
type obj []kv

type kv struct {
	k string
	v any
}

// MarshalJSON writes the object's entries in order.
func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(e.k)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := marshalNoEscape(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshalNoEscape encodes v without escaping <, > and &, which the
// patterns and descriptions use.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
