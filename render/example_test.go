package render_test

import (
	"fmt"
	"os"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
	"github.com/chainviz/chainviz/render"
)

// ExampleRenderFiles shows how a command renders a batch of specs: each
// input loads and annotates one spec; a spec that fails is reported and the
// others are still written.
func ExampleRenderFiles() {
	formats, err := render.ParseFormats("svg,png")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	var inputs []render.Input
	for _, path := range []string{"testdata/worked_example.yaml", "testdata/fanout.yaml"} {
		inputs = append(inputs, render.Input{Name: path, Load: func() (*backward.Annotated, error) {
			g, err := graph.LoadFile(path)
			if err != nil {
				return nil, err
			}
			return backward.Annotate(g)
		}})
	}
	out, err := os.MkdirTemp("", "chainviz-example")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer os.RemoveAll(out)
	sum, err := render.RenderFiles(inputs, render.Config{
		Formats: formats,
		Out:     out,
		Options: render.Options{View: render.ViewFull, RankDir: render.LR},
		Errors:  os.Stderr,
	})
	if err != nil { // A usage error: exit status 2.
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(sum)
	// Output: rendered 2 of 2 specs into 4 files
}
