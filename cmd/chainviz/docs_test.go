package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docsCommand regenerates the committed explanations; it is quoted when
// they are stale.
const docsCommand = `for f in specs/*.yaml; do go run ./cmd/chainviz explain "$f" --lr 0.01 --steps 5 --order 2 > "out/$(basename "$f" .yaml).md"; done`

// TestExplainDocs fails when out/<name>.md, the committed explain output of
// specs/<name>.yaml, is missing or differs from what chainviz writes now,
// and when out/ holds an explanation of a spec that no longer exists.
func TestExplainDocs(t *testing.T) {
	specs, err := filepath.Glob(filepath.Join("..", "..", "specs", "*.yaml"))
	if err != nil || len(specs) == 0 {
		t.Fatalf("no specs (%v)", err)
	}
	names := map[string]bool{}
	for _, spec := range specs {
		name := strings.TrimSuffix(filepath.Base(spec), ".yaml")
		names[name] = true
		var out, errw bytes.Buffer
		if code := run([]string{"explain", spec, "--lr", "0.01", "--steps", "5", "--order", "2"}, nil, &out, &errw); code != 0 {
			t.Errorf("%s: exit status %d: %s", name, code, errw.String())
			continue
		}
		path := filepath.Join("..", "..", "out", name+".md")
		want, err := os.ReadFile(path)
		switch {
		case err != nil:
			t.Errorf("%s: %v; regenerate with\n\t%s", name, err, docsCommand)
		case !bytes.Equal(out.Bytes(), want):
			t.Errorf("out/%s.md is stale; regenerate with\n\t%s", name, docsCommand)
		}
	}
	mds, _ := filepath.Glob(filepath.Join("..", "..", "out", "*.md"))
	for _, md := range mds {
		if name := strings.TrimSuffix(filepath.Base(md), ".md"); !names[name] {
			t.Errorf("out/%s.md explains no spec of specs/; remove it", name)
		}
	}
}
