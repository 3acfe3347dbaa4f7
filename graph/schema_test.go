package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/chainviz/chainviz/graph"
)

// schemaCommand regenerates the committed schema; it is quoted when the
// committed copy is stale.
const schemaCommand = "go run ./cmd/chainviz schema > specs/chainviz.schema.json"

// compileSchema compiles graph.JSONSchema with a real JSON Schema
// validator, which also checks it against the draft 2020-12 meta-schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(graph.JSONSchema()))
	if err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(graph.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(graph.SchemaID)
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return sch
}

// yamlToJSON converts a spec's YAML into the JSON value an editor's YAML
// language server validates. Mapping keys that are not strings become
// their text, as YAML-to-JSON converters do.
func yamlToJSON(src []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		return nil, err
	}
	data, err := json.Marshal(normalize(v))
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}

func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = normalize(x)
		}
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[fmt.Sprint(k)] = normalize(x)
		}
		return m
	case []any:
		for i, x := range v {
			v[i] = normalize(x)
		}
		return v
	}
	return v
}

func TestSchemaCommitted(t *testing.T) {
	path := filepath.Join("..", "specs", "chainviz.schema.json")
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; generate it with\n\t%s", err, schemaCommand)
	}
	if !bytes.Equal(committed, graph.JSONSchema()) {
		t.Fatalf("specs/chainviz.schema.json is stale; regenerate it with\n\t%s", schemaCommand)
	}
}

// TestSchemaAcceptsGoodSpecs validates every spec of specs/, and every spec
// in the repository's test data that chainviz loads, against the schema:
// the schema must never reject a spec chainviz accepts.
func TestSchemaAcceptsGoodSpecs(t *testing.T) {
	sch := compileSchema(t)
	specs, _ := filepath.Glob(filepath.Join("..", "specs", "*.yaml"))
	if len(specs) < 5 {
		t.Fatalf("found %d specs in specs/", len(specs))
	}
	sources := map[string][]byte{}
	for _, p := range specs {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := graph.Load(p, src); err != nil {
			t.Errorf("%s does not load: %v", p, err)
		}
		sources[p] = src
	}
	more, _ := filepath.Glob(filepath.Join("..", "*", "testdata", "*.yaml"))
	for _, p := range more {
		if src, err := os.ReadFile(p); err == nil {
			sources[p] = src
		}
	}
	scripts, _ := filepath.Glob(filepath.Join("..", "cmd", "chainviz", "testdata", "script", "*.txtar"))
	for _, p := range scripts {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if strings.HasSuffix(f.Name, ".yaml") || strings.HasSuffix(f.Name, ".yml") {
				sources[p+":"+f.Name] = f.Data
			}
		}
	}
	checked := 0
	for name, src := range sources {
		if _, err := graph.Load(name, src); err != nil {
			continue // A bad spec of the tests.
		}
		checked++
		inst, err := yamlToJSON(src)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s loads, but the schema rejects it: %v", name, err)
		}
	}
	t.Logf("%d specs that load validated against the schema", checked)
	if checked < len(specs)+5 {
		t.Errorf("checked only %d good specs", checked)
	}
}

// TestSchemaRejectsStructuralErrors checks that the schema rejects, as the
// loader does, specs whose structure is wrong: unknown or missing keys,
// wrong types, bad names, unknown ops and malformed short forms. Errors
// that need the whole graph (an unknown reference, a cycle, a shape
// mismatch) are beyond a schema.
func TestSchemaRejectsStructuralErrors(t *testing.T) {
	sch := compileSchema(t)
	const nodes = "nodes:\n  y: neg(x)\n"
	const ins = "inputs:\n  x: 1\n"
	cases := []struct{ name, src string }{
		{"unknown top-level key", "name: t\n" + ins + "nodse:\n  y: neg(x)\n"},
		{"extra top-level key", "name: t\n" + ins + nodes + "colour: red\n"},
		{"missing name", ins + nodes},
		{"missing nodes", "name: t\n" + ins},
		{"name not an identifier", "name: 1abc\n" + ins + nodes},
		{"name of the wrong type", "name: [a]\n" + ins + nodes},
		{"version 2", "version: 2\nname: t\n" + ins + nodes},
		{"title of the wrong type", "name: t\ntitle: {a: 1}\n" + ins + nodes},
		{"output of the wrong type", "name: t\n" + ins + nodes + "output: [y]\n"},
		{"nodes as a list", "name: t\n" + ins + "nodes:\n  - neg(x)\n"},
		{"nodes empty", "name: t\n" + ins + "nodes: {}\n"},
		{"node name not an identifier", "name: t\n" + ins + "nodes:\n  a-b: neg(x)\n"},
		{"node as a number", "name: t\n" + ins + "nodes:\n  y: 3\n"},
		{"short form unknown op", "name: t\n" + ins + "nodes:\n  y: mull(x, x)\n"},
		{"short form without parentheses", "name: t\n" + ins + "nodes:\n  y: neg x\n"},
		{"short form empty argument", "name: t\n" + ins + "nodes:\n  y: add(x,, x)\n"},
		{"short form bad argument", "name: t\n" + ins + "nodes:\n  y: neg(x-)\n"},
		{"long form unknown op", "name: t\n" + ins + "nodes:\n  y: {op: mull, in: [x, x]}\n"},
		{"long form missing op", "name: t\n" + ins + "nodes:\n  y: {in: [x]}\n"},
		{"long form missing in", "name: t\n" + ins + "nodes:\n  y: {op: neg}\n"},
		{"long form unknown key", "name: t\n" + ins + "nodes:\n  y: {op: neg, inn: [x]}\n"},
		{"in not a list", "name: t\n" + ins + "nodes:\n  y: {op: neg, in: x}\n"},
		{"in entry a list", "name: t\n" + ins + "nodes:\n  y: {op: neg, in: [[x]]}\n"},
		{"in entry a boolean", "name: t\n" + ins + "nodes:\n  y: {op: neg, in: [true]}\n"},
		{"op of the wrong type", "name: t\n" + ins + "nodes:\n  y: {op: [neg], in: [x]}\n"},
		{"inputs as a list", "name: t\ninputs:\n  - x\n" + nodes},
		{"input a string", "name: t\ninputs:\n  x: two\n" + nodes},
		{"input an empty list", "name: t\ninputs:\n  x: []\n" + nodes},
		{"input of rank 3", "name: t\ninputs:\n  x: [[[1]]]\n" + nodes},
		{"input a list of strings", "name: t\ninputs:\n  x: [a, b]\n" + nodes},
		{"leaf missing value", "name: t\ninputs:\n  x: {grad: false}\n" + nodes},
		{"leaf unknown key", "name: t\ninputs:\n  x: {value: 1, gard: false}\n" + nodes},
		{"grad not a boolean", "name: t\ninputs:\n  x: {value: 1, grad: \"no\"}\n" + nodes},
		{"param name not an identifier", "name: t\n" + ins + "params:\n  2w: 1\n" + nodes},
		{"top level a list", "- name: t\n"},
		{"formula ending in an operator", "name: t\n" + ins + "nodes:\n  y: x +\n"},
		{"formula with two operands in a row", "name: t\n" + ins + "nodes:\n  y: 1 2\n"},
		{"formula with a doubled operator", "name: t\n" + ins + "nodes:\n  y: x @@ x\n"},
		{"formula calling an unknown op", "name: t\n" + ins + "nodes:\n  y: mull(x) + 1\n"},
		{"formula that is a bare name", "name: t\n" + ins + "nodes:\n  y: x\n"},
		{"blocks as a list", "name: t\n" + ins + "blocks: [f]\n" + nodes},
		{"block missing args", "name: t\n" + ins + "blocks:\n  f: {output: neg(a)}\n" + nodes},
		{"block missing output", "name: t\n" + ins + "blocks:\n  f: {args: [a]}\n" + nodes},
		{"block unknown key", "name: t\n" + ins + "blocks:\n  f: {args: [a], output: neg(a), nodse: {}}\n" + nodes},
		{"block named like an op", "name: t\n" + ins + "blocks:\n  relu: {args: [a], output: neg(a)}\n" + nodes},
		{"block argument not a name", "name: t\n" + ins + "blocks:\n  f: {args: [1a], output: neg(a)}\n" + nodes},
		{"block node in the long form", "name: t\n" + ins + "blocks:\n  f: {args: [a], nodes: {b: {op: neg, in: [a]}}, output: b}\n" + nodes},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := graph.Load("bad.yaml", []byte(c.src)); err == nil {
				t.Fatalf("the loader accepts it; the case is not bad:\n%s", c.src)
			}
			inst, err := yamlToJSON([]byte(c.src))
			if err != nil {
				t.Fatalf("not YAML: %v", err)
			}
			if err := sch.Validate(inst); err == nil {
				t.Errorf("the schema accepts:\n%s", c.src)
			}
		})
	}
}

// TestSchemaOpNamesAnyCase checks that op names are accepted in any case,
// in both node forms, as the loader accepts them.
func TestSchemaOpNamesAnyCase(t *testing.T) {
	sch := compileSchema(t)
	for _, op := range []string{"relu", "ReLU", "RELU", "Squared_Error"} {
		arity := "x"
		if strings.EqualFold(op, "squared_error") {
			arity = "x, 1.5e0"
		}
		for _, node := range []string{op + "(" + arity + ")", "{op: " + op + ", in: [" + arity + "]}"} {
			src := "name: t\ninputs:\n  x: [1, -2]\nnodes:\n  y: " + node + "\n"
			if _, err := graph.Load("t.yaml", []byte(src)); err != nil {
				t.Fatalf("%s: the loader rejects it: %v", node, err)
			}
			inst, _ := yamlToJSON([]byte(src))
			if err := sch.Validate(inst); err != nil {
				t.Errorf("%s: %v", node, err)
			}
		}
	}
}

// TestSchemaKeywordArguments checks the keyword forms the loader accepts,
// in both node forms, and rejects the malformed ones as the loader does.
func TestSchemaKeywordArguments(t *testing.T) {
	sch := compileSchema(t)
	const head = "name: t\ninputs:\n  X: [[1, 2, 3], [4, 5, 6]]\n  y: {value: [1, 0], grad: false}\nnodes:\n  s: "
	good := []string{
		"sum(X, axis=0)", "mean(X,axis = 1)", "reshape(X, shape=[3, 2])", "reshape(X, shape=[6])", "onehot(y, classes=3)",
		"{op: sum, in: [X], axis: 1}", "{op: reshape, in: [X], shape: [3, 2]}", "{op: onehot, in: [y], classes: 2}",
	}
	for _, node := range good {
		src := head + node + "\n"
		if _, err := graph.Load("t.yaml", []byte(src)); err != nil {
			t.Fatalf("%s: the loader rejects it: %v", node, err)
		}
		inst, _ := yamlToJSON([]byte(src))
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: %v", node, err)
		}
	}
	bad := []string{
		"sum(X, axis=zero)", "sum(axis=0, X)", "reshape(X, shape=[3, x])",
		"{op: sum, in: [X], axis: zero}", "{op: reshape, in: [X], shape: [a]}", "{op: sum, in: [X], axs: 0}",
	}
	for _, node := range bad {
		src := head + node + "\n"
		if _, err := graph.Load("t.yaml", []byte(src)); err == nil {
			t.Fatalf("%s: the loader accepts it; the case is not bad", node)
		}
		inst, _ := yamlToJSON([]byte(src))
		if err := sch.Validate(inst); err == nil {
			t.Errorf("the schema accepts %s", node)
		}
	}
}

// TestSchemaFormulasAndBlocks checks that the schema accepts formulas and
// block calls that the loader accepts.
func TestSchemaFormulasAndBlocks(t *testing.T) {
	sch := compileSchema(t)
	for _, src := range []string{
		"name: t\ninputs: {x: [1, 2], y: 1}\nnodes:\n  L: 0.5 * (sum(x, axis=0) - y)^2 + -x @ x\n",
		"name: t\ninputs: {x: 1}\nblocks:\n  f:\n    args: [a]\n    nodes:\n      b: a * a\n    output: b\nnodes:\n  y: f(x)\n  z: 1 + f(y)\n",
		"name: t\ninputs: {x: 1}\nblocks:\n  f: {args: [a], output: tanh(2 * a)}\nnodes:\n  y: f(f(x))\n",
	} {
		if _, err := graph.Load("ok.yaml", []byte(src)); err != nil {
			t.Fatalf("the loader rejects it: %v", err)
		}
		inst, err := yamlToJSON([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("the schema rejects:\n%s\n%v", src, err)
		}
	}
}
