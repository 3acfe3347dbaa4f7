package live

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDottedNames checks that the nodes formulas and block calls make,
// whose names have dots (L.1, h1.z), are shown and explained like any
// other node.
func TestDottedNames(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "f.yaml", `name: f
inputs: {x: 2}
params: {w: 3}
blocks:
  lin:
    args: [a, k]
    nodes:
      z: k * a + 1
    output: z
nodes:
  h1: lin(x, w)
  L: 0.5 * h1^2
`)
	_, ts := newTestServer(t, dir, Options{})
	_, _, body := get(t, ts, "/api/spec?path=f.yaml")
	for _, name := range []string{`"h1.z.1"`, `"L.1"`} {
		if !strings.Contains(body, name) {
			t.Errorf("the spec view has no node %s: %.300q", name, body)
		}
	}
	// h1 = 3·2 + 1 = 7, L = 24.5; ∂L/∂h1.z.1 = h1 = 7.
	for node, want := range map[string]string{"h1.z.1": "= 7", "L.1": "∂L/∂L.1"} {
		var res map[string]string
		_, _, body := get(t, ts, "/api/explain?path=f.yaml&node="+node)
		if err := json.Unmarshal([]byte(body), &res); err != nil || res["error"] != "" || !strings.Contains(res["text"], want) {
			t.Errorf("explain %s: %q (want %q)", node, body, want)
		}
	}
}
