package graph_test

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/graph"
)

// badCase is one invalid spec and the exact diagnostics graph.Load must
// report for it, each as "FILE:LINE:COL: message", sorted by position.
type badCase struct {
	name string
	src  string
	want []string
	// tok, when set, is the source text that must start exactly at the
	// position of the first diagnostic: it pins the column to the
	// offending token (and guards the table against miscounted columns).
	tok string
	// skip, when set, marks behaviour the engine does not have yet; the
	// expectations are what it should report once fixed. Run the pending
	// cases anyway with CHAINVIZ_PENDING=1 go test -run TestBadInputTable.
	skip string
}

// badCases is the bad-input catalogue. Positions were checked by hand
// against each source; tok double-checks them mechanically.
var badCases = []badCase{
	// --- Malformed YAML and non-text input ---------------------------
	{
		name: "empty file",
		src:  "",
		want: []string{`bad.yaml:1:1: the spec is empty; expected a mapping with the keys name and nodes`},
	},
	{
		name: "only whitespace",
		src:  "   \n\n",
		want: []string{`bad.yaml:1:1: the spec is empty; expected a mapping with the keys name and nodes`},
	},
	{
		name: "binary garbage starting with NUL",
		src:  "\x00\x01\xff\xfe garbage \x89PNG\r\n",
		want: []string{`bad.yaml:1:1: invalid YAML: control characters are not allowed`},
		tok:  "\x00",
	},
	{
		name: "binary garbage: PNG header (invalid UTF-8)",
		src:  "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		want: []string{`bad.yaml:1:1: invalid UTF-8 (byte 0x89); a spec must be UTF-8 text`},
	},
	{
		name: "invalid UTF-8 in the middle of the file",
		src:  "name: t\nnodes:\n  z: neg(\xff\xfex)\n",
		want: []string{`bad.yaml:3:10: invalid UTF-8 (byte 0xff); a spec must be UTF-8 text`},
	},
	{
		name: "control character in the middle of the file",
		src:  "name: t\ninputs:\n  x: 1\nnodes:\n  z: neg(\x01x)\n",
		want: []string{`bad.yaml:5:10: invalid YAML: control characters are not allowed`},
		tok:  "\x01",
	},
	{
		name: "tab indenting a top-level key",
		src:  "name: t\n\tnodes:\n",
		want: []string{`bad.yaml:2:1: invalid YAML: found a tab character that violates indentation`},
		tok:  "\tnodes",
	},
	{
		name: "tab indenting an entry of a mapping",
		src:  "name: t\ninputs:\n\tx: 1\nnodes:\n  y: neg(x)\n",
		want: []string{`bad.yaml:3:1: invalid YAML: found a tab character that violates indentation`},
		tok:  "\tx: 1",
	},
	{
		name: "tab after spaces in indentation",
		src:  "name: t\ninputs:\n  x: 1\n  \ty: 2\nnodes:\n  z: neg(x)\n",
		want: []string{`bad.yaml:4:3: invalid YAML: found a tab character that violates indentation`},
		tok:  "\ty: 2",
	},
	{
		name: "unclosed [",
		src: `name: t
inputs:
  x: [1, 2
nodes:
  y: sum(x)
`,
		want: []string{`bad.yaml:3:6: invalid YAML: did not find expected ',' or ']'`},
		tok:  "[1, 2",
	},
	{
		name: "bad indentation",
		src: `name: t
nodes:
  y: neg(x)
 z: neg(y)
`,
		want: []string{`bad.yaml:4:2: invalid YAML: did not find expected key`},
		tok:  "z: neg(y)",
	},
	{
		name: "colon inside a plain value",
		src: `name: t
nodes:
  y: a: b
`,
		want: []string{`bad.yaml:3:7: invalid YAML: mapping values are not allowed in this context`},
		tok:  ": b",
	},
	{
		name: "unterminated quoted string",
		src:  "name: t\nnodes:\n  y: \"neg(x)\n",
		want: []string{`bad.yaml:3:6: invalid YAML: found unexpected end of stream`},
		tok:  `"neg(x)`,
	},
	{
		name: "two YAML documents",
		src: `name: t
inputs:
  x: 1
nodes:
  y: neg(x)
---
name: u
`,
		want: []string{`bad.yaml:6:1: expected one YAML document, found a second one`},
		tok:  "---",
	},

	// --- Wrong types and structure -----------------------------------
	{
		name: "top level is a list",
		src:  "- name: t\n- nodes: {}\n",
		want: []string{`bad.yaml:1:1: expected a mapping with the keys name and nodes at the top of the spec, found a list`},
		tok:  "- name",
	},
	{
		name: "top level is a scalar",
		src:  "hello\n",
		want: []string{`bad.yaml:1:1: expected a mapping with the keys name and nodes at the top of the spec, found the string "hello"`},
		tok:  "hello",
	},
	{
		name: "top level is an empty mapping",
		src:  "{}\n",
		want: []string{
			`bad.yaml:1:1: missing required key "name" (an identifier; output files are named after it)`,
			`bad.yaml:1:1: missing required key "nodes" (a mapping from node names to ops)`,
		},
		tok: "{}",
	},
	{
		name: "missing name",
		src: `inputs:
  x: 1
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:1:1: missing required key "name" (an identifier; output files are named after it)`},
	},
	{
		name: "name without a value",
		src: `name:
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:1:6: name: expected a string, found nothing`, `bad.yaml:3:10: undefined name "x" used by y`},
	},
	{
		name: "missing nodes",
		src: `name: t
inputs:
  x: 1
`,
		want: []string{`bad.yaml:1:1: missing required key "nodes" (a mapping from node names to ops)`},
	},
	{
		name: "nodes is an empty mapping",
		src: `name: t
inputs:
  x: 1
nodes: {}
`,
		want: []string{`bad.yaml:4:8: nodes: expected a non-empty mapping from node names to ops, found an empty mapping`},
		tok:  "{}",
	},
	{
		name: "nodes without a value",
		src: `name: t
inputs:
  x: 1
nodes:
`,
		want: []string{`bad.yaml:4:7: nodes: expected a non-empty mapping from node names to ops, found nothing`},
	},
	{
		name: "nodes is a list",
		src: `name: t
nodes: [a, b]
`,
		want: []string{`bad.yaml:2:8: nodes: expected a non-empty mapping from node names to ops, found a list`},
		tok:  "[a, b]",
	},
	{
		name: "version 2",
		src: `version: 2
name: t
inputs:
  x: 1
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:1:10: version: expected 1 (the only spec version so far), found 2`},
		tok:  "2",
	},
	{
		name: "output is a list",
		src: `name: t
inputs:
  x: 1
nodes:
  y: neg(x)
output: [y]
`,
		want: []string{`bad.yaml:6:9: output: expected a string, found a list`},
		tok:  "[y]",
	},
	{
		name: "node is a number",
		src: `name: t
inputs:
  a: 1
nodes:
  z: 3
`,
		want: []string{`bad.yaml:5:6: nodes.z: expected an op call like add(a, b) or a mapping {op: …, in: […]}, found 3`},
		tok:  "3",
	},
	{
		name: "node is not an op call",
		src: `name: t
inputs:
  a: 1
nodes:
  z: a
`,
		want: []string{`bad.yaml:5:6: nodes.z: expected an op call like add(a, b) or a formula like a + b, found "a"`},
		tok:  "a",
	},
	{
		name: "unclosed parenthesis in the short form",
		src: `name: t
inputs:
  a: 1
nodes:
  z: add(a, a
`,
		want: []string{`bad.yaml:5:9: nodes.z: "(" of add is never closed; expected ")"`},
	},
	{
		name: "long form without op",
		src: `name: t
inputs:
  a: 1
nodes:
  z: {in: [a]}
`,
		want: []string{`bad.yaml:5:6: nodes.z: missing required key "op"`},
		tok:  "{in:",
	},
	{
		name: "in is not a list",
		src: `name: t
inputs:
  a: 1
nodes:
  z: {op: neg, in: a}
`,
		want: []string{`bad.yaml:5:20: nodes.z.in: expected a list of input names or numbers, found the string "a"`},
		tok:  "a}",
	},
	{
		name: "nested list inside in",
		src: `name: t
inputs:
  x: 1
nodes:
  y: {op: neg, in: [[x]]}
`,
		want: []string{`bad.yaml:5:21: nodes.y.in[0]: expected an input name or a number, found a list`},
		tok:  "[x]]",
	},
	{
		name: "label is not a string",
		src: `name: t
inputs:
  x: 1
nodes:
  y: {op: neg, in: [x], label: [1]}
`,
		want: []string{`bad.yaml:5:32: nodes.y.label: expected a string, found a list`},
		tok:  "[1]}",
	},
	{
		name: `grad: "no" is not a boolean`,
		src: `name: t
inputs:
  x: {value: 1, grad: "no"}
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:3:23: inputs.x.grad: expected true or false, found the string "no"`},
		tok:  `"no"`,
	},
	{
		name: "grad: 1 is not a boolean",
		src: `name: t
params:
  w: {value: 1, grad: 1}
nodes:
  y: neg(w)
`,
		want: []string{`bad.yaml:3:23: params.w.grad: expected true or false, found 1`},
		tok:  "1}",
	},
	{
		name: "long-form leaf without value",
		src: `name: t
inputs:
  x: {grad: false}
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:3:6: inputs.x: missing required key "value"`},
		tok:  "{grad",
	},

	// --- Duplicates ---------------------------------------------------
	{
		name: "duplicate top-level key",
		src: `name: t
inputs:
  x: 1
nodes:
  y: neg(x)
name: u
`,
		want: []string{`bad.yaml:6:1: spec: duplicate key "name" (first at line 1, column 1)`},
		tok:  "name: u",
	},
	{
		name: "duplicate key inside a block node",
		src: `name: t
inputs:
  x: 1
nodes:
  y:
    op: neg
    in: [x]
    op: exp
`,
		want: []string{`bad.yaml:8:5: nodes.y: duplicate key "op" (first at line 6, column 5)`},
		tok:  "op: exp",
	},
	{
		name: "duplicate key inside a flow node, same line",
		src: `name: t
inputs:
  x: 1
nodes:
  y: {op: neg, in: [x], op: exp}
`,
		want: []string{`bad.yaml:5:25: nodes.y: duplicate key "op" (first at line 5, column 7)`},
		tok:  "op: exp",
	},
	{
		name: "duplicate node name",
		src: `name: t
inputs:
  x: 1
nodes:
  y: neg(x)
  y: exp(x)
`,
		want: []string{`bad.yaml:6:3: nodes: duplicate key "y" (first at line 5, column 3)`},
		tok:  "y: exp",
	},
	{
		name: "same name as an input and a node",
		src: `name: t
inputs:
  x: 1
nodes:
  x: neg(x)
`,
		want: []string{`bad.yaml:5:3: "x" is already defined at line 3, column 3; leaves and nodes share one namespace`},
		tok:  "x: neg",
	},
	{
		name: "same name as an input and a param",
		src: `name: t
inputs:
  w: 1
params:
  w: 2
nodes:
  y: neg(w)
`,
		want: []string{`bad.yaml:5:3: "w" is already defined at line 3, column 3; leaves and nodes share one namespace`},
		tok:  "w: 2",
	},

	// --- Unknown keys and ops -----------------------------------------
	{
		name: "unknown top-level key nodse",
		src: `name: t
inputs:
  x: 1
nodse:
  y: neg(x)
`,
		want: []string{`bad.yaml:4:1: spec: unknown key "nodse"; did you mean "nodes"? (expected one of: version, name, title, description, inputs, params, blocks, nodes, output, groups)`},
		tok:  "nodse",
	},
	{
		name: "unknown top-level key titel",
		src: `name: t
titel: hi
inputs:
  x: 1
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:2:1: spec: unknown key "titel"; did you mean "title"? (expected one of: version, name, title, description, inputs, params, blocks, nodes, output, groups)`},
		tok:  "titel",
	},
	{
		name: "unknown key inn in a long-form node",
		src: `name: t
inputs:
  x: 1
nodes:
  y: {op: neg, inn: [x]}
`,
		want: []string{`bad.yaml:5:16: nodes.y: unknown key "inn"; did you mean "in"? (expected one of: op, in, label, group, display)`},
		tok:  "inn",
	},
	{
		name: "unknown key lable in a long-form node",
		src: `name: t
inputs:
  x: 1
nodes:
  y: {op: neg, in: [x], lable: "n"}
`,
		want: []string{`bad.yaml:5:25: nodes.y: unknown key "lable"; did you mean "label"? (expected one of: op, in, label, group, display)`},
		tok:  "lable",
	},
	{
		name: "unknown key grd in a long-form leaf",
		src: `name: t
inputs:
  x: {value: 1, grd: false}
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:3:17: inputs.x: unknown key "grd"; did you mean "grad"? (expected one of: value, grad, label, group, display)`},
		tok:  "grd",
	},
	{
		name: "unknown op in the short form",
		src: `name: t
inputs:
  x: 1
nodes:
  y: mull(x, x)
`,
		want: []string{`bad.yaml:5:6: unknown op "mull"; did you mean "mul"?`},
		tok:  "mull",
	},
	{
		name: "unknown op in the long form",
		src: `name: t
inputs:
  x: 1
nodes:
  y: {op: mull, in: [x, x]}
`,
		want: []string{`bad.yaml:5:11: unknown op "mull"; did you mean "mul"?`},
		tok:  "mull",
	},

	// --- Arity --------------------------------------------------------
	{
		name: "relu with two inputs",
		src: `name: t
inputs:
  a: 1
  b: 2
nodes:
  y: relu(a, b)
`,
		want: []string{`bad.yaml:6:6: relu takes 1 input, found 2`},
		tok:  "relu",
	},
	{
		name: "sub with one input",
		src: `name: t
inputs:
  a: 1
nodes:
  y: sub(a)
`,
		want: []string{`bad.yaml:5:6: sub takes 2 inputs, found 1`},
		tok:  "sub",
	},
	{
		name: "sub with one input, long block form",
		src: `name: t
inputs:
  a: 1
nodes:
  y:
    op: sub
    in: [a]
`,
		want: []string{`bad.yaml:6:5: sub takes 2 inputs, found 1`},
		tok:  "op: sub",
	},
	{
		name: "add with one input",
		src: `name: t
inputs:
  a: 1
nodes:
  y: add(a)
`,
		want: []string{`bad.yaml:5:6: add takes 2 or more inputs, found 1`},
		tok:  "add",
	},
	{
		name: "neg with no input",
		src: `name: t
inputs:
  a: 1
nodes:
  y: neg()
`,
		want: []string{`bad.yaml:5:6: neg takes 1 input, found 0`},
		tok:  "neg",
	},
	{
		name: "empty argument",
		src: `name: t
inputs:
  a: 1
nodes:
  z: add(a, , a)
`,
		want: []string{`bad.yaml:5:13: nodes.z: expected an argument, found ","`},
		tok:  ", a)",
	},

	// --- Names and references -----------------------------------------
	{
		name: "undefined reference",
		src: `name: t
inputs:
  a: 1
nodes:
  z: add(a, qq)
`,
		want: []string{`bad.yaml:5:13: undefined name "qq" used by z`},
		tok:  "qq",
	},
	{
		name: "undefined reference with a suggestion",
		src: `name: t
inputs:
  alpha: 1
nodes:
  z: add(alpha, alpah)
`,
		want: []string{`bad.yaml:5:17: undefined name "alpah" used by z; did you mean "alpha"?`},
		tok:  "alpah",
	},
	{
		name: "undefined references inside quoted short forms",
		src: `name: t
inputs:
  a: 1
nodes:
  z: "add(a, qq)"
  w: 'mul(a,   rr)'
`,
		want: []string{
			`bad.yaml:5:14: undefined name "qq" used by z`,
			`bad.yaml:6:16: undefined name "rr" used by w`,
		},
		tok: "qq",
	},
	{
		name: "output names an undefined node",
		src: `name: t
inputs:
  x: 1
nodes:
  y: neg(x)
output: yy
`,
		want: []string{`bad.yaml:6:9: output: undefined name "yy"; did you mean "y"?`},
		tok:  "yy",
	},
	{
		name: "output names an anonymous constant",
		src: `name: t
inputs:
  x: 1
nodes:
  y: mul(x, 3)
output: "#1"
`,
		want: []string{`bad.yaml:6:9: output: "#1" is not a valid name (expected an identifier: [A-Za-z_][A-Za-z0-9_]*)`},
		tok:  `"#1"`,
	},
	{
		name: "spec name is a path",
		src: `name: ../../x
inputs:
  x: 1
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:1:7: name: "../../x" is not an identifier ([A-Za-z_][A-Za-z0-9_]*); output files are named after it`},
		tok:  "../../x",
	},
	{
		name: "node name is not an identifier",
		src: `name: t
inputs:
  x: 1
nodes:
  my-node: neg(x)
`,
		want: []string{`bad.yaml:5:3: nodes: "my-node" is not a valid name (expected an identifier: [A-Za-z_][A-Za-z0-9_]*)`},
		tok:  "my-node",
	},
	{
		name: "input name is not an identifier",
		src: `name: t
inputs:
  x y: 1
nodes:
  z: neg(x)
`,
		want: []string{`bad.yaml:3:3: inputs: "x y" is not a valid name (expected an identifier: [A-Za-z_][A-Za-z0-9_]*)`, `bad.yaml:5:10: undefined name "x" used by z`},
		tok:  "x y",
	},
	{
		name: "YAML alias",
		src: `name: t
inputs:
  x: &v [1, 2]
  y: *v
nodes:
  z: add(x, y)
`,
		want: []string{`bad.yaml:4:6: YAML aliases (*v) are not allowed in a spec; write the value out`},
		tok:  "*v",
	},
	{
		name: "YAML merge key through an alias",
		src: `name: t
inputs:
  x: 1
nodes:
  base: &b {op: neg, in: [x]}
  y:
    <<: *b
`,
		want: []string{`bad.yaml:7:9: YAML aliases (*b) are not allowed in a spec; write the value out`},
		tok:  "*b",
	},

	// --- Graph structure ----------------------------------------------
	{
		name: "cycle of two",
		src: `name: t
inputs:
  x: 1
nodes:
  a: add(b, x)
  b: mul(a, x)
`,
		want: []string{`bad.yaml:5:3: cycle: a → b → a (nodes may not depend on themselves)`},
		tok:  "a: add",
	},
	{
		name: "cycle of three beside a good node",
		src: `name: t
inputs:
  x: 1
nodes:
  a: add(c, x)
  b: neg(a)
  c: exp(b)
  d: neg(x)
`,
		want: []string{`bad.yaml:5:3: cycle: a → b → c → a (nodes may not depend on themselves)`},
		tok:  "a: add",
	},
	{
		name: "self-reference",
		src: `name: t
inputs:
  x: 1
nodes:
  a: add(a, x)
`,
		want: []string{`bad.yaml:5:10: a uses itself as an input (a cycle: a → a)`},
		tok:  "a, x)",
	},

	// --- Values -------------------------------------------------------
	{
		name: "ragged matrix",
		src: `name: t
params:
  W:
    - [1, 2, 3]
    - [4, 5]
    - [6, 7, 8]
nodes:
  y: sum(W)
`,
		want: []string{`bad.yaml:5:7: params.W[1]: ragged matrix: row has 2 elements, row 0 has 3`},
		tok:  "[4, 5]",
	},
	{
		name: "ragged matrix with a one-element row",
		src: `name: t
inputs:
  M: [[1, 2], [3]]
nodes:
  y: sum(M)
`,
		want: []string{`bad.yaml:3:15: inputs.M[1]: ragged matrix: row has 1 element, row 0 has 2`},
		tok:  "[3]",
	},
	{
		name: "rank-3 value",
		src: `name: t
inputs:
  a: [[[1]]]
nodes:
  z: sum(a)
`,
		want: []string{`bad.yaml:3:8: inputs.a[0][0]: expected a number, found a list (values have rank 0, 1 or 2)`},
		tok:  "[1]",
	},
	{
		name: "empty list value",
		src: `name: t
inputs:
  a: []
nodes:
  z: sum(a)
`,
		want: []string{`bad.yaml:3:6: inputs.a: expected a non-empty list`},
		tok:  "[]",
	},
	{
		name: "non-numeric value",
		src: `name: t
inputs:
  x: abc
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:3:6: inputs.x: expected a number, found the string "abc"`},
		tok:  "abc",
	},
	{
		name: "NaN value",
		src: `name: t
inputs:
  x: .nan
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:3:6: inputs.x: values must be finite, found .nan`},
		tok:  ".nan",
	},
	{
		name: "-Inf inside a vector",
		src: `name: t
inputs:
  x: [1, -.inf]
nodes:
  y: sum(x)
`,
		want: []string{`bad.yaml:3:10: inputs.x[1]: values must be finite, found -.inf`},
		tok:  "-.inf",
	},
	{
		name: "Inf literal in a long-form in list",
		src: `name: t
inputs:
  x: 1
nodes:
  y: {op: mul, in: [x, .inf]}
`,
		want: []string{`bad.yaml:5:24: nodes.y.in[1]: values must be finite, found .inf`},
		tok:  ".inf",
	},
	{
		name: "huge number 1e400 as a value",
		src: `name: t
inputs:
  x: 1e400
nodes:
  y: neg(x)
`,
		want: []string{`bad.yaml:3:6: inputs.x: 1e400 is too large for a float64 (values must be finite)`},
		tok:  "1e400",
	},
	{
		name: "huge number 1e400 as a short-form literal",
		src: `name: t
inputs:
  x: 1
nodes:
  y: mul(x, 1e400)
`,
		want: []string{`bad.yaml:5:13: nodes.y: 1e400 is too large for a float64 (values must be finite)`},
		tok:  "1e400",
	},

	// --- Shapes -------------------------------------------------------
	{
		name: "matmul inner dimensions differ",
		src: `name: t
inputs:
  A: [[1, 2, 3], [4, 5, 6]]
  v: [1, 2]
nodes:
  y: matmul(A, v)
`,
		want: []string{`bad.yaml:6:3: y: matmul: [2,3]·[2]: inner dimensions 3 and 2 differ`},
		tok:  "y: matmul",
	},
	{
		name: "add of vectors that do not broadcast",
		src: `name: t
inputs:
  a: [1, 2]
  b: [1, 2, 3]
nodes:
  y: add(a, b)
`,
		want: []string{`bad.yaml:6:3: y: add: shapes [2] and [3] cannot be broadcast`},
		tok:  "y: add",
	},
	{
		name: "transpose of a vector",
		src: `name: t
inputs:
  v: [1, 2]
nodes:
  y: transpose(v)
`,
		want: []string{`bad.yaml:5:3: y: transpose: [2]: the operand must be a matrix (rank 2)`},
		tok:  "y: transpose",
	},
	{
		name: "two shape errors in one file",
		src: `name: t
inputs:
  a: [1, 2]
  b: [1, 2, 3]
  v: [1, 2]
nodes:
  p: add(a, b)
  q: transpose(v)
  r: mul(a, a)
`,
		want: []string{
			`bad.yaml:7:3: p: add: shapes [2] and [3] cannot be broadcast`,
			`bad.yaml:8:3: q: transpose: [2]: the operand must be a matrix (rank 2)`,
		},
		tok: "p: add",
	},

	// --- Evaluation ---------------------------------------------------
	{
		name: "log of a negative number",
		src: `name: t
inputs:
  x: -2
nodes:
  y: log(x)
`,
		want: []string{`bad.yaml:5:3: y = ln(x) is NaN, not a finite number: x = -2`},
		tok:  "y: log",
	},
	{
		name: "division by a zero input",
		src: `name: t
inputs:
  a: 1
  b: 0
nodes:
  y: div(a, b)
`,
		want: []string{`bad.yaml:6:3: y = a / b is +Inf, not a finite number: a = 1, b = 0`},
		tok:  "y: div",
	},
	{
		name: "division by a zero literal",
		src: `name: t
inputs:
  a: 1
nodes:
  y: div(a, 0)
`,
		want: []string{`bad.yaml:5:3: y = a / 0 is +Inf, not a finite number: a = 1`},
		tok:  "y: div",
	},
	{
		name: "exp overflow",
		src: `name: t
inputs:
  a: 1000
nodes:
  z: exp(a)
`,
		want: []string{`bad.yaml:5:3: z = exp(a) is +Inf, not a finite number: a = 1000`},
		tok:  "z: exp",
	},

	// --- Several errors at once ---------------------------------------
	{
		name: "several errors, sorted by position",
		src: `version: 3
name: t
inputs:
  x: [1, zz]
nodes:
  a: mull(x, x)
  b-c: neg(x)
  d: {op: neg, in: [x], lable: q}
`,
		want: []string{
			`bad.yaml:1:10: version: expected 1 (the only spec version so far), found 3`,
			`bad.yaml:4:10: inputs.x[1]: expected a number, found the string "zz"`,
			`bad.yaml:6:6: unknown op "mull"; did you mean "mul"?`,
			`bad.yaml:7:3: nodes: "b-c" is not a valid name (expected an identifier: [A-Za-z_][A-Za-z0-9_]*)`,
			`bad.yaml:8:25: nodes.d: unknown key "lable"; did you mean "label"? (expected one of: op, in, label, group, display)`,
		},
		tok: "3",
	},
	{
		// The missing name is found last but belongs first.
		name: "several errors, reported sorted by position",
		src: `nodes:
  y: neg(x)
  z: {op: exp, in: [y], lable: q}
inputs:
  x: .nan
title: [x]
version: 1.5
`,
		want: []string{
			`bad.yaml:1:1: missing required key "name" (an identifier; output files are named after it)`,
			`bad.yaml:3:25: nodes.z: unknown key "lable"; did you mean "label"? (expected one of: op, in, label, group, display)`,
			`bad.yaml:5:6: inputs.x: values must be finite, found .nan`,
			`bad.yaml:6:8: title: expected a string, found a list`,
			`bad.yaml:7:10: version: expected 1 (the only spec version so far), found 1.5`,
		},
		tok: "nodes:",
	},
	{
		name: "parse errors and undefined names together",
		src: `name: t
inputs:
  x: 1
nodes:
  a: mull(x, x)
  b: add(a, qq)
  c: neg(b)
output: zz
`,
		want: []string{
			`bad.yaml:5:6: unknown op "mull"; did you mean "mul"?`,
			`bad.yaml:6:13: undefined name "qq" used by b`,
			`bad.yaml:8:9: output: undefined name "zz"`,
		},
		tok: "mull",
	},
	{
		name: "errors of every stage at once: names, shapes, self-reference, cycle",
		src: `name: st
inputs: {u: [1, 2], v: [1, 2, 3]}
nodes:
  a: add(u, zz)
  b: add(u, v)
  c: matmul(u, v)
  d: add(d, u)
  e: relu(f)
  f: neg(e)
`,
		want: []string{
			`bad.yaml:4:13: undefined name "zz" used by a`,
			`bad.yaml:5:3: b: add: shapes [2] and [3] cannot be broadcast`,
			`bad.yaml:6:3: c: matmul: [2]·[3]: inner dimensions 2 and 3 differ`,
			`bad.yaml:7:10: d uses itself as an input (a cycle: d → d)`,
			`bad.yaml:8:3: cycle: e → f → e (nodes may not depend on themselves)`,
		},
		tok: "zz",
	},
	{
		name: "an unknown name inside a nested call",
		src: `name: t
inputs: {d: [1, 2]}
nodes:
  f: mean(mul(d, e))
`,
		want: []string{`bad.yaml:4:18: undefined name "e" used by f.1`},
		tok:  "e))",
	},
	{
		name: "unknown op with no near match lists the ops",
		src: `name: t
inputs: {d: [1, 2]}
nodes:
  g: outer(d, d)
`,
		want: []string{`bad.yaml:4:6: unknown op "outer" (the ops are abs, add, bce_with_logits, binary_cross_entropy, clip, cos, cross_entropy, div, exp, flatten, huber, log, log_softmax, logsumexp, matmul, max, maximum, mean, minimum, mse, mul, neg, nll, onehot, pow, relu, reshape, sigmoid, sin, softmax, sqrt, square, squared_error, step, sub, sum, tanh, transpose, var)`},
		tok:  "outer",
	},
	{
		name: "two separate cycles",
		src: `name: c
inputs: {x: 1}
nodes:
  a: relu(b)
  b: add(a, x)
  p: relu(q)
  q: add(p, x)
  u: neg(q)
`,
		want: []string{
			`bad.yaml:4:3: cycle: a → b → a (nodes may not depend on themselves)`,
			`bad.yaml:6:3: cycle: p → q → p (nodes may not depend on themselves)`,
		},
		tok: "a: relu(b)",
	},
	{
		name: "two values that are not finite, and a node depending on both",
		src: `name: nan
inputs: {x: -1, z: 0}
nodes:
  a: log(x)
  b: div(x, z)
  c: add(a, b)
`,
		want: []string{
			`bad.yaml:4:3: a = ln(x) is NaN, not a finite number: x = -1`,
			`bad.yaml:5:3: b = x / z is -Inf, not a finite number: x = -1, z = 0`,
		},
		tok: "a: log(x)",
	},
}

var posRE = regexp.MustCompile(`^bad\.yaml:(\d+):(\d+): (.+)$`)

// parsePos splits "bad.yaml:L:C: message".
func parsePos(t *testing.T, d string) (line, col int) {
	t.Helper()
	m := posRE.FindStringSubmatch(d)
	if m == nil {
		t.Fatalf("table entry %q is not of the form bad.yaml:LINE:COL: message", d)
	}
	line, _ = strconv.Atoi(m[1])
	col, _ = strconv.Atoi(m[2])
	return line, col
}

// atPos returns the source text from 1-based line:col (col counted in
// characters) to the end of the line; ok is false when the position lies
// outside the source.
func atPos(src string, line, col int) (string, bool) {
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		return "", line == 1 && col == 1
	}
	r := []rune(lines[line-1])
	if col < 1 || col > len(r)+1 {
		return "", false
	}
	return string(r[col-1:]), true
}

func TestBadInputTable(t *testing.T) {
	// The catalogue must stay big enough to be worth its name, counting
	// only the cases that actually run.
	names := map[string]bool{}
	srcs := map[string]string{}
	active := 0
	for _, c := range badCases {
		if names[c.name] {
			t.Errorf("duplicate case name %q", c.name)
		}
		names[c.name] = true
		if prev, dup := srcs[c.src]; dup {
			t.Errorf("cases %q and %q have the same source", prev, c.name)
		}
		srcs[c.src] = c.name
		if len(c.want) == 0 {
			t.Errorf("case %q expects no diagnostic", c.name)
		}
		if c.skip == "" {
			active++
		}
	}
	if active < 30 {
		t.Errorf("only %d active bad-input cases; want at least 30", active)
	}

	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) {
			// Check the table itself before the engine: every expected
			// position lies inside the source and the first one points at
			// tok. This runs for skipped cases too.
			for _, w := range c.want {
				line, col := parsePos(t, w)
				if _, ok := atPos(c.src, line, col); !ok {
					t.Fatalf("table: %q points outside the source", w)
				}
			}
			if c.tok != "" {
				line, col := parsePos(t, c.want[0])
				if at, _ := atPos(c.src, line, col); !strings.HasPrefix(at, c.tok) {
					t.Fatalf("table: %d:%d is at %q, not at %q", line, col, at, c.tok)
				}
			}
			if c.skip != "" && os.Getenv("CHAINVIZ_PENDING") == "" {
				t.Skip(c.skip)
			}
			checkBad(t, c.src, c.want)
		})
	}
}

// checkBad loads src and compares the error with want, exactly.
func checkBad(t *testing.T, src string, want []string) {
	t.Helper()
	g, err := graph.Load("bad.yaml", []byte(src))
	if err == nil {
		t.Fatalf("Load succeeded (graph %q with %d nodes); want errors:\n%s", g.Name, g.Len(), strings.Join(want, "\n"))
	}
	if g != nil {
		t.Errorf("Load returned a graph together with an error")
	}
	var ds graph.Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("error is a %T, not graph.Diagnostics: %v", err, err)
	}
	if got, wantS := err.Error(), strings.Join(want, "\n"); got != wantS {
		t.Errorf("diagnostics differ\ngot:\n%s\nwant:\n%s", got, wantS)
	}
	if len(ds) != len(want) {
		t.Errorf("got %d diagnostics, want %d", len(ds), len(want))
	}
	for _, d := range ds {
		if d.Severity != graph.Error {
			t.Errorf("diagnostic %q has severity %v, want Error", d, d.Severity)
		}
		if d.Pos.File != "bad.yaml" || d.Pos.Line < 1 || d.Pos.Col < 1 {
			t.Errorf("diagnostic %q has position %+v", d, d.Pos)
		}
	}
}

// TestBadInputNeverPanics feeds every catalogue source (the skipped ones
// too) and some truncations of it to Load: whatever the verdict, it is
// either a graph or Diagnostics with in-file positions, never a panic.
func TestBadInputNeverPanics(t *testing.T) {
	for _, c := range badCases {
		for _, cut := range []int{len(c.src), len(c.src) / 2, len(c.src) / 3} {
			src := c.src[:cut]
			g, err := graph.Load("bad.yaml", []byte(src))
			if err == nil {
				if g == nil {
					t.Errorf("%s [:%d]: Load returned neither a graph nor an error", c.name, cut)
				}
				continue
			}
			var ds graph.Diagnostics
			if !errors.As(err, &ds) || len(ds) == 0 {
				t.Errorf("%s [:%d]: error %T %v is not non-empty Diagnostics", c.name, cut, err, err)
				continue
			}
			for _, d := range ds {
				if strings.Contains(d.Summary, "internal error") {
					t.Errorf("%s [:%d]: %s", c.name, cut, d)
				}
				if _, ok := atPos(src, d.Pos.Line, d.Pos.Col); !ok {
					t.Errorf("%s [:%d]: %s: position outside the source", c.name, cut, d)
				}
			}
		}
	}
}

// TestOpNamesAreCaseInsensitive is the positive twin of the unknown-op
// cases: ReLU, SQUARE and Sigmoid are relu, square and sigmoid.
func TestOpNamesAreCaseInsensitive(t *testing.T) {
	src := `name: t
inputs:
  a: -1.5
  b: 2
nodes:
  y: ReLU(b)
  z: {op: SQUARE, in: [y]}
  w: Sigmoid(a)
  v: ADD(z, w)
`
	g, err := graph.Load("ok.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(g.Warnings) != 0 {
		t.Errorf("unexpected warnings: %v", g.Warnings)
	}
	for name, op := range map[string]string{"y": "relu", "z": "square", "w": "sigmoid", "v": "add"} {
		n := g.Node(name)
		if n == nil {
			t.Fatalf("node %s missing", name)
		}
		if n.OpName() != op {
			t.Errorf("%s: op %q, want %q", name, n.OpName(), op)
		}
	}
	// y = relu(2) = 2, z = 4, w = σ(-1.5), v = z + w.
	if got, want := g.Node("z").Value.Item(), 4.0; got != want {
		t.Errorf("z = %v, want %v", got, want)
	}
	if got := g.Node("w").Value.Item(); fmt.Sprintf("%.6f", got) != "0.182426" {
		t.Errorf("w = %v, want σ(-1.5) ≈ 0.182426", got)
	}
	if g.Output != g.Node("v") {
		t.Errorf("output is %v, want v (the last node)", g.Output.Name)
	}
}

// TestUnreachableNodeIsAWarning checks that a node that does not reach the
// output is reported, but does not make the spec invalid.
func TestUnreachableNodeIsAWarning(t *testing.T) {
	src := `name: t
inputs:
  x: 1
nodes:
  u: neg(x)
  y: exp(x)
`
	g, err := graph.Load("ok.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := "ok.yaml:5:3: warning: u does not reach the output y; its gradient is 0"
	if got := g.Warnings.Error(); got != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
	}
	if len(g.Warnings) != 1 || g.Warnings[0].Severity != graph.Warning {
		t.Errorf("want one diagnostic of severity Warning, got %#v", g.Warnings)
	}
}
