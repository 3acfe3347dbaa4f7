package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// renderCommand and drawingsCommand regenerate the committed renderings of
// out/.
const (
	renderCommand   = "go run ./cmd/chainviz render specs/*.yaml --format svg,png,json -o out/"
	drawingsCommand = "go run ./cmd/chainviz render specs/worked_example.yaml --backward-graph --anim --format svg,png -o out/"
	pdfCommand      = "go run ./cmd/chainviz render specs/worked_example.yaml -o out/worked_example.pdf"
	mlpCommands     = "the three commands of specs/large/mlp_layers.yaml in README.md"
	rollCommands    = "the two commands of specs/rnn_unrolled.yaml --roll in README.md"
)

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
			compareOut(t, tmp, name+"."+ext, renderCommand)
		}
	}
	// The worked example's backward graph and animated steps.
	drawings := filepath.Join(t.TempDir(), "drawings")
	args = []string{"render", filepath.Join("..", "..", "specs", "worked_example.yaml"), "--backward-graph", "--anim", "--format", "svg,png", "-o", drawings}
	if code := run(args, nil, &out, &errw); code != 0 {
		t.Fatalf("render: exit status %d: %s", code, errw.String())
	}
	for _, file := range []string{"worked_example-backward.svg", "worked_example-backward.png", "worked_example-anim.svg"} {
		compareOut(t, drawings, file, drawingsCommand)
	}
	// The worked example as the vector PDF a paper includes.
	args = []string{"render", filepath.Join("..", "..", "specs", "worked_example.yaml"), "-o", filepath.Join(drawings, "worked_example.pdf")}
	if code := run(args, nil, &out, &errw); code != 0 {
		t.Fatalf("render: exit status %d: %s", code, errw.String())
	}
	compareOut(t, drawings, "worked_example.pdf", pdfCommand)
	// The large MLP, collapsed and focused.
	mlp := filepath.Join("..", "..", "specs", "large", "mlp_layers.yaml")
	large := filepath.Join(t.TempDir(), "large")
	for _, c := range []struct{ args, files []string }{
		{[]string{"--collapse", "all", "--format", "svg,png", "-o", large}, []string{"mlp_layers.svg", "mlp_layers.png"}},
		{[]string{"--focus", "h3_2", "-o", filepath.Join(large, "mlp_layers-focus.svg")}, []string{"mlp_layers-focus.svg"}},
		{[]string{"--focus", "h3_2", "-o", filepath.Join(large, "mlp_layers-focus.png")}, []string{"mlp_layers-focus.png"}},
	} {
		if code := run(append([]string{"render", "-q", mlp}, c.args...), nil, &out, &errw); code != 0 {
			t.Fatalf("render: exit status %d: %s", code, errw.String())
		}
		for _, file := range c.files {
			compareOut(t, large, file, mlpCommands)
		}
	}
	// The unrolled RNN, rolled.
	rnn := filepath.Join("..", "..", "specs", "rnn_unrolled.yaml")
	for _, file := range []string{"rnn_unrolled-rolled.svg", "rnn_unrolled-rolled.png"} {
		if code := run([]string{"render", "-q", rnn, "--roll", "-o", filepath.Join(large, file)}, nil, &out, &errw); code != 0 {
			t.Fatalf("render: exit status %d: %s", code, errw.String())
		}
		compareOut(t, large, file, rollCommands)
	}
}

// compareOut compares a fresh rendering in dir with the committed out/file:
// bytes for text formats, decoding and size for PNG.
func compareOut(t *testing.T, dir, file, command string) {
	t.Helper()
	fresh, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("..", "..", "out", file))
	if err != nil {
		t.Errorf("out/%s: %v; regenerate with\n\t%s", file, err, command)
		return
	}
	if filepath.Ext(file) != ".png" {
		if !bytes.Equal(fresh, committed) {
			t.Errorf("out/%s is stale; regenerate with\n\t%s", file, command)
		}
		return
	}
	want, err := png.DecodeConfig(bytes.NewReader(fresh))
	if err != nil {
		t.Fatalf("fresh %s does not decode: %v", file, err)
	}
	got, err := png.DecodeConfig(bytes.NewReader(committed))
	if err != nil {
		t.Errorf("out/%s does not decode: %v", file, err)
	} else if got.Width != want.Width || got.Height != want.Height {
		t.Errorf("out/%s is %d×%d, a fresh rendering %d×%d; regenerate with\n\t%s", file, got.Width, got.Height, want.Width, want.Height, command)
	}
}
