package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/render"
)

// testOptions are the flags of chainviz test.
type testOptions struct {
	paths  []string
	golden string
	update bool
	rtol   float64
	atol   float64
	svg    bool
}

func newTestCmd(s streams) *cobra.Command {
	opts := &testOptions{}
	cmd := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Compare fresh annotations with golden annotated JSON",
		Long: "test annotates every spec found in the paths (files, or folders searched recursively;\n" +
			"default specs/) and compares each with its golden annotated JSON, <golden>/<name>.json.\n" +
			"Structure and names must match exactly; values and gradients within the tolerances\n" +
			"(|got − want| ≤ atol + rtol·|want|). --svg also compares the diagram, drawn with\n" +
			"render's defaults, with <golden>/<name>.svg byte for byte. --update rewrites the\n" +
			"goldens instead.",
		Example: "  chainviz test\n" +
			"  chainviz test docs/specs --golden docs/golden --rtol 1e-6\n" +
			"  chainviz test specs/worked_example.yaml --update",
		RunE: func(_ *cobra.Command, args []string) error {
			opts.paths = args
			if len(opts.paths) == 0 {
				opts.paths = []string{"specs"}
			}
			return runTest(s, opts)
		},
	}
	cmd.Flags().StringVar(&opts.golden, "golden", "out", "folder of the golden files <name>.json")
	cmd.Flags().BoolVar(&opts.update, "update", false, "rewrite the golden files from the current annotations")
	cmd.Flags().Float64Var(&opts.rtol, "rtol", 1e-9, "relative tolerance for numbers")
	cmd.Flags().Float64Var(&opts.atol, "atol", 1e-12, "absolute tolerance for numbers")
	cmd.Flags().BoolVar(&opts.svg, "svg", false, "also compare the SVG diagram with <golden>/<name>.svg, byte for byte")
	return cmd
}

// runTest checks or updates the golden file of every spec and prints a
// summary; any failure makes the exit status 1.
func runTest(s streams, opts *testOptions) error {
	if opts.rtol < 0 || opts.atol < 0 {
		return fmt.Errorf("--rtol and --atol must not be negative")
	}
	if err := stdinOnce(opts.paths); err != nil {
		return err
	}
	specs, err := findSpecs(opts.paths)
	if err != nil {
		return specError{err}
	}
	if len(specs) == 0 {
		return specError{fmt.Errorf("no specs (.yaml or .yml files) found in %v", opts.paths)}
	}
	if opts.update {
		if err := os.MkdirAll(opts.golden, 0o755); err != nil {
			return specError{fmt.Errorf("%s: %v", opts.golden, unwrapPathError(err))}
		}
	}
	passed, failed := 0, 0
	used := map[string]string{} // Golden name → the spec that has it.
	for _, path := range specs {
		if ok := testOne(s, opts, path, used); ok {
			passed++
		} else {
			failed++
		}
	}
	verb := "passed"
	if opts.update {
		verb = "updated"
	}
	fmt.Fprintf(s.out, "%d %s, %d failed\n", passed, verb, failed)
	if failed > 0 {
		return specError{errReported}
	}
	return nil
}

// testOne checks (or updates) one spec's golden file, printing what differs.
// used maps the name of each spec tested so far to its path: two specs of
// one name would share their golden files.
func testOne(s streams, opts *testOptions, path string, used map[string]string) bool {
	a, err := annotateSpec(s, path)
	if err != nil {
		fmt.Fprintln(s.err, err)
		fmt.Fprintf(s.out, "FAIL %s: the spec does not load or cannot be differentiated\n", path)
		return false
	}
	if other, ok := used[a.Graph.Name]; ok {
		fmt.Fprintf(s.out, "FAIL %s: name %q is also the name of %s; they would share the golden files %s.*\n",
			path, a.Graph.Name, other, filepath.Join(opts.golden, a.Graph.Name))
		return false
	}
	used[a.Graph.Name] = path
	if opts.svg && !testSVG(s, opts, path, a) {
		return false
	}
	got := backward.JSON(a)
	golden := filepath.Join(opts.golden, a.Graph.Name+".json")
	if opts.update {
		if err := render.WriteFileAtomic(golden, got); err != nil {
			fmt.Fprintf(s.out, "FAIL %s: %v\n", path, err)
			return false
		}
		fmt.Fprintf(s.out, "updated %s\n", golden)
		return true
	}
	want, err := os.ReadFile(golden)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(s.out, "FAIL %s: no golden file %s (create it with --update)\n", path, golden)
		return false
	} else if err != nil {
		fmt.Fprintf(s.out, "FAIL %s: %s: %v\n", path, golden, unwrapPathError(err))
		return false
	}
	diffs, err := backward.CompareJSON(want, got, backward.Tolerance{Rtol: opts.rtol, Atol: opts.atol})
	if err != nil {
		fmt.Fprintf(s.out, "FAIL %s: %s: %v\n", path, golden, err)
		return false
	}
	if len(diffs) == 0 {
		fmt.Fprintf(s.out, "ok   %s\n", path)
		return true
	}
	noun := "differences"
	if len(diffs) == 1 {
		noun = "difference"
	}
	fmt.Fprintf(s.out, "FAIL %s: %d %s from %s\n", path, len(diffs), noun, golden)
	for i, d := range diffs {
		if i == 20 {
			fmt.Fprintf(s.out, "    … and %d more\n", len(diffs)-i)
			break
		}
		fmt.Fprintf(s.out, "    %s\n", d)
	}
	return false
}

// testSVG draws a's diagram with render's defaults and compares it with
// (or, with --update, writes it to) the golden <name>.svg.
func testSVG(s streams, opts *testOptions, path string, a *backward.Annotated) bool {
	out, err := render.Render(a, []render.Format{render.FormatSVG}, render.Options{}, 0)
	if err != nil {
		fmt.Fprintf(s.out, "FAIL %s: drawing the SVG: %v\n", path, err)
		return false
	}
	golden := filepath.Join(opts.golden, a.Graph.Name+".svg")
	if opts.update {
		if err := render.WriteFileAtomic(golden, out[0]); err != nil {
			fmt.Fprintf(s.out, "FAIL %s: %v\n", path, err)
			return false
		}
		fmt.Fprintf(s.out, "updated %s\n", golden)
		return true
	}
	want, err := os.ReadFile(golden)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(s.out, "FAIL %s: no golden file %s (create it with --update --svg)\n", path, golden)
		return false
	case err != nil:
		fmt.Fprintf(s.out, "FAIL %s: %s: %v\n", path, golden, unwrapPathError(err))
		return false
	case !bytes.Equal(want, out[0]):
		fmt.Fprintf(s.out, "FAIL %s: the diagram differs from %s (%d bytes, %d expected)\n", path, golden, len(out[0]), len(want))
		return false
	}
	return true
}
