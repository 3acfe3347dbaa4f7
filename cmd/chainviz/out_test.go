package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// renderCommand regenerates the committed renderings of out/.
const renderCommand = "go run ./cmd/chainviz render specs/*.yaml --format svg,png,json -o out/"

// TestRenderedOutIsCurrent renders every spec of specs/ afresh and fails
// when out/ is stale: the annotated JSON and the SVG must be byte-identical,
// and the committed PNG must decode to an image of the fresh one's size.
func TestRenderedOutIsCurrent(t *testing.T) {
	specs, err := filepath.Glob(filepath.Join("..", "..", "specs", "*.yaml"))
	if err != nil || len(specs) == 0 {
		t.Fatalf("no specs (%v)", err)
	}
	tmp := t.TempDir()
	var out, errw bytes.Buffer
	args := append([]string{"render", "--format", "svg,png,json", "-o", tmp}, specs...)
	if code := run(args, nil, &out, &errw); code != 0 {
		t.Fatalf("render: exit status %d: %s", code, errw.String())
	}
	for _, spec := range specs {
		name := strings.TrimSuffix(filepath.Base(spec), ".yaml")
		for _, ext := range []string{"json", "svg", "png"} {
			fresh, err := os.ReadFile(filepath.Join(tmp, name+"."+ext))
			if err != nil {
				t.Fatal(err)
			}
			committed, err := os.ReadFile(filepath.Join("..", "..", "out", name+"."+ext))
			if err != nil {
				t.Errorf("out/%s.%s: %v; regenerate with\n\t%s", name, ext, err, renderCommand)
				continue
			}
			if ext != "png" {
				if !bytes.Equal(fresh, committed) {
					t.Errorf("out/%s.%s is stale; regenerate with\n\t%s", name, ext, renderCommand)
				}
				continue
			}
			want, err := png.DecodeConfig(bytes.NewReader(fresh))
			if err != nil {
				t.Fatalf("fresh %s.png does not decode: %v", name, err)
			}
			got, err := png.DecodeConfig(bytes.NewReader(committed))
			if err != nil {
				t.Errorf("out/%s.png does not decode: %v", name, err)
			} else if got.Width != want.Width || got.Height != want.Height {
				t.Errorf("out/%s.png is %d×%d, a fresh rendering %d×%d; regenerate with\n\t%s", name, got.Width, got.Height, want.Width, want.Height, renderCommand)
			}
		}
	}
}
