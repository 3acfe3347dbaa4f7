package backward

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/chainviz/chainviz/graph"
)

// compileAnnotatedSchema compiles AnnotatedSchema.
func compileAnnotatedSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(AnnotatedSchema()))
	if err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(AnnotatedSchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(AnnotatedSchemaID)
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return sch
}

func validateJSON(t *testing.T, sch *jsonschema.Schema, name string, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s: not JSON: %v", name, err)
		return
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s does not match the annotated schema: %v", name, err)
	}
}

// TestAnnotatedSchemaValidatesOut validates every annotated JSON of out/
// and of the goldens against the schema, and checks that the committed
// specs/annotated.schema.json is current.
func TestAnnotatedSchemaValidatesOut(t *testing.T) {
	sch := compileAnnotatedSchema(t)
	files, _ := filepath.Glob(filepath.Join("..", "out", "*.json"))
	golden, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	if len(files) < 10 {
		t.Fatalf("found %d JSON files in out/, want at least 10", len(files))
	}
	for _, f := range append(files, golden...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		validateJSON(t, sch, f, data)
	}
	committed, err := os.ReadFile(filepath.Join("..", "specs", "annotated.schema.json"))
	if err != nil || !bytes.Equal(committed, AnnotatedSchema()) {
		t.Errorf("specs/annotated.schema.json is missing or stale (%v); regenerate with\n\tgo run ./cmd/chainviz schema --annotated > specs/annotated.schema.json", err)
	}
}

// TestAnnotatedSchemaOptionalFields validates JSON with every optional
// field (--lr, --order, --hessian, keyword arguments, labels, warnings),
// and checks that the schema rejects what it must.
func TestAnnotatedSchemaOptionalFields(t *testing.T) {
	sch := compileAnnotatedSchema(t)
	src := `name: every_field
description: all optional fields
inputs:
  x: 0
  X: [[1, 2], [3, 4]]
  c: {value: 2, grad: false}
params:
  w: {value: 0.5, display: "w2"}
nodes:
  h: {op: relu, in: [x], label: "ReLU", display: "h'"}
  m: mean(X, axis=0)
  s: sum(m)
  side: neg(c)
  ws: mul(w, s)
  y: add(h, ws)
`
	g, err := graph.Load("every.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	a.AddUpdate(0.1)
	if err := a.AddHigherOrder(2); err != nil {
		t.Fatal(err)
	}
	if err := a.AddHessian(); err != nil {
		t.Fatal(err)
	}
	data := JSON(a)
	for _, field := range []string{`"updated"`, `"grad2"`, `"hessian"`, `"kwargs"`, `"label"`, `"display"`, `"warnings"`, `"description"`} {
		if !bytes.Contains(data, []byte(field)) {
			t.Errorf("the test JSON lacks %s, so the schema is not tested on it", field)
		}
	}
	validateJSON(t, sch, "every_field", data)

	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(map[string]any){
		"unknown top-level field": func(d map[string]any) { d["extra"] = 1 },
		"wrong format":            func(d map[string]any) { d["format"] = "chainviz.annotated/v2" },
		"bad kind":                func(d map[string]any) { d["nodes"].([]any)[0].(map[string]any)["kind"] = "leaf" },
		"edge without local":      func(d map[string]any) { delete(d["edges"].([]any)[0].(map[string]any), "local") },
		"warning without code":    func(d map[string]any) { delete(d["warnings"].([]any)[0].(map[string]any), "code") },
	} {
		var c map[string]any
		json.Unmarshal(data, &c)
		mutate(c)
		bad, _ := json.Marshal(c)
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
		if sch.Validate(v) == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}
