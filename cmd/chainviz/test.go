package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"

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
	// all lists every difference, not only the causes; ignore names fields
	// whose differences do not count; report selects the output: text,
	// junit or json.
	all    bool
	ignore []string
	report string
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
			"goldens instead.\n" +
			"When leaves' values differ, they are listed first, as the causes, with the count of\n" +
			"the differences downstream of them; --all lists those too.",
		Example: "  chainviz test\n" +
			"  chainviz test --ignore title,description --report junit > report.xml\n" +
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
	cmd.Flags().BoolVar(&opts.all, "all", false, "list every difference, not only the leaves that cause them")
	cmd.Flags().StringSliceVar(&opts.ignore, "ignore", nil, "fields whose differences do not count, such as title,description,label")
	cmd.Flags().StringVar(&opts.report, "report", "text", "output: text, junit (JUnit XML) or json (one JSON object per spec and line)")
	cmd.RegisterFlagCompletionFunc("report", completeValues("text", "junit", "json"))
	return cmd
}

// runTest checks or updates the golden file of every spec and prints a
// summary; any failure makes the exit status 1.
func runTest(s streams, opts *testOptions) error {
	if opts.rtol < 0 || opts.atol < 0 {
		return fmt.Errorf("--rtol and --atol must not be negative")
	}
	if err := checkReport(opts.report); err != nil {
		return err
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
	var cases []reportCase
	for _, path := range specs {
		r := testOne(s, opts, path, used)
		if r.failed {
			failed++
		} else {
			passed++
		}
		if opts.report == "text" {
			for _, line := range r.text {
				fmt.Fprintln(s.out, line)
			}
		}
		cases = append(cases, r.reportCase)
	}
	verb := "passed"
	if opts.update {
		verb = "updated"
	}
	switch opts.report {
	case "text":
		fmt.Fprintf(s.out, "%d %s, %d failed\n", passed, verb, failed)
	default:
		if err := writeReport(s.out, opts.report, "chainviz test", cases); err != nil {
			return specError{err}
		}
	}
	if failed > 0 {
		return specError{errReported}
	}
	return nil
}

// testResult is what became of one spec: the lines of the text report
// and the case of the JUnit and JSON reports.
type testResult struct {
	reportCase
	text []string
}

// fail records a failure whose headline follows "FAIL <spec>: ".
func (r *testResult) fail(format string, args ...any) {
	r.failed = true
	r.message = fmt.Sprintf(format, args...)
	r.text = append(r.text, "FAIL "+r.name+": "+r.message)
}

// testOne checks (or updates) one spec's golden file. used maps the name of
// each spec tested so far to its path: two specs of one name would share
// their golden files.
func testOne(s streams, opts *testOptions, path string, used map[string]string) testResult {
	r := testResult{reportCase: reportCase{name: path}}
	a, err := annotateSpec(s, path)
	if err != nil {
		fmt.Fprintln(s.err, err)
		r.fail("the spec does not load or cannot be differentiated")
		r.details = []string{err.Error()}
		return r
	}
	if other, ok := used[a.Graph.Name]; ok {
		r.fail("name %q is also the name of %s; they would share the golden files %s.*",
			a.Graph.Name, other, filepath.Join(opts.golden, a.Graph.Name))
		return r
	}
	used[a.Graph.Name] = path
	if opts.svg && !testSVG(opts, &r, a) {
		return r
	}
	got := backward.JSON(a)
	golden := filepath.Join(opts.golden, a.Graph.Name+".json")
	if opts.update {
		if err := render.WriteFileAtomic(golden, got); err != nil {
			r.fail("%v", err)
			return r
		}
		r.text = append(r.text, "updated "+golden)
		return r
	}
	want, err := os.ReadFile(golden)
	if errors.Is(err, fs.ErrNotExist) {
		r.fail("no golden file %s (create it with --update)", golden)
		return r
	} else if err != nil {
		r.fail("%s: %v", golden, unwrapPathError(err))
		return r
	}
	diffs, err := backward.CompareJSON(want, got, backward.Tolerance{Rtol: opts.rtol, Atol: opts.atol})
	if err != nil {
		r.fail("%s: %v", golden, err)
		return r
	}
	diffs = withoutFields(diffs, opts.ignore)
	if len(diffs) == 0 {
		r.text = append(r.text, "ok   "+path)
		return r
	}
	causes, downstream := splitCauses(a, diffs)
	noun := "differences"
	if len(diffs) == 1 {
		noun = "difference"
	}
	if len(causes) > 0 && len(downstream) > 0 {
		r.fail("%d %s from %s, caused by %s", len(diffs), noun, golden, countNoun(len(causes), "leaf value", "leaf values"))
	} else {
		r.fail("%d %s from %s", len(diffs), noun, golden)
	}
	for _, d := range causes {
		r.details = append(r.details, d.String())
	}
	limit := 20
	if opts.all {
		limit = len(diffs)
	}
	if len(causes) > 0 && len(downstream) > 0 && !opts.all {
		r.details = append(r.details, fmt.Sprintf("… and %s downstream of them (--all lists them)", countNoun(len(downstream), "difference", "differences")))
	} else {
		for i, d := range downstream {
			if len(causes)+i == limit {
				r.details = append(r.details, fmt.Sprintf("… and %d more", len(downstream)-i))
				break
			}
			r.details = append(r.details, d.String())
		}
	}
	for _, d := range r.details {
		r.text = append(r.text, "    "+d)
	}
	return r
}

// splitCauses separates the differences in the values of leaves (the
// causes: a changed input or param) from every other difference. Only
// differences in numbers count as caused: a changed op or name is listed
// with the causes.
func splitCauses(a *backward.Annotated, diffs []backward.Mismatch) (causes, rest []backward.Mismatch) {
	leaf := map[string]bool{}
	for _, n := range a.Graph.Nodes {
		if n.IsLeaf() {
			leaf[fmt.Sprintf("node %q", n.Name)] = true
		}
	}
	var structural []backward.Mismatch
	for _, d := range diffs {
		switch {
		case leaf[d.Where] && d.Field == "value":
			causes = append(causes, d)
		case math.IsNaN(d.RelErr):
			structural = append(structural, d)
		default:
			rest = append(rest, d)
		}
	}
	if len(causes) == 0 {
		return nil, diffs
	}
	return append(causes, structural...), rest
}

// withoutFields drops the differences in the named fields (at any level:
// "title" and "description" of the document, "label" of a node).
func withoutFields(diffs []backward.Mismatch, fields []string) []backward.Mismatch {
	if len(fields) == 0 {
		return diffs
	}
	var out []backward.Mismatch
	for _, d := range diffs {
		if !slices.Contains(fields, d.Field) {
			out = append(out, d)
		}
	}
	return out
}

// countNoun writes n with the singular or plural noun.
func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// testSVG draws a's diagram with render's defaults and compares it with
// (or, with --update, writes it to) the golden <name>.svg.
func testSVG(opts *testOptions, r *testResult, a *backward.Annotated) bool {
	out, err := render.Render(a, []render.Format{render.FormatSVG}, render.Options{}, 0)
	if err != nil {
		r.fail("drawing the SVG: %v", err)
		return false
	}
	golden := filepath.Join(opts.golden, a.Graph.Name+".svg")
	if opts.update {
		if err := render.WriteFileAtomic(golden, out[0]); err != nil {
			r.fail("%v", err)
			return false
		}
		r.text = append(r.text, "updated "+golden)
		return true
	}
	want, err := os.ReadFile(golden)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.fail("no golden file %s (create it with --update --svg)", golden)
		return false
	case err != nil:
		r.fail("%s: %v", golden, unwrapPathError(err))
		return false
	case !bytes.Equal(want, out[0]):
		r.fail("the diagram differs from %s (%d bytes, %d expected)", golden, len(out[0]), len(want))
		return false
	}
	return true
}
