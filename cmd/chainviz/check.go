package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/backward"
)

// checkOptions are the flags of chainviz check.
type checkOptions struct {
	spec  string
	eps   float64
	tol   float64
	order int
	// report selects the output: text, junit or json.
	report string
}

func newCheckCmd(s streams) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check SPEC|-",
		Short: "Compare every gradient with central finite differences",
		Long: "check perturbs every element of every leaf that has a gradient by ±eps, re-evaluates\n" +
			"the graph and compares the central difference with the backward pass. It fails when a\n" +
			"relative error exceeds --tol, except where a ReLU changes sides within ±eps (a kink,\n" +
			"where finite differences are unreliable; those rows are flagged instead).",
		Example: "  chainviz check specs/worked_example.yaml\n" +
			"  chainviz check specs/fork.yaml --report junit > check.xml\n" +
			"  chainviz check specs/cubic.yaml --order 2",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.spec = args[0]
			return runCheck(s, opts)
		},
	}
	cmd.Flags().Float64Var(&opts.eps, "eps", 1e-6, "finite-difference step, relative to max(1, |value|)")
	cmd.Flags().Float64Var(&opts.tol, "tol", 1e-6, "largest accepted relative error")
	cmd.Flags().IntVar(&opts.order, "order", 1, "1 checks gradients; 2 checks the Hessian diagonal against differences of gradients")
	cmd.Flags().StringVar(&opts.report, "report", "text", "output: text (a table), junit (JUnit XML, a test case per derivative) or json (a JSON object per derivative and line)")
	cmd.RegisterFlagCompletionFunc("report", completeValues("text", "junit", "json"))
	return cmd
}

// runCheck prints the comparison table and fails when a row exceeds tol.
func runCheck(s streams, opts *checkOptions) error {
	tightHeap()
	if opts.order != 1 && opts.order != 2 {
		return fmt.Errorf("--order must be 1 or 2, found %d", opts.order)
	}
	if !(opts.eps > 0) || !(opts.tol > 0) {
		return fmt.Errorf("--eps and --tol must be positive")
	}
	if err := checkReport(opts.report); err != nil {
		return err
	}
	a, err := annotateSpec(s, opts.spec)
	if err != nil {
		return err
	}
	g := a.Graph
	res, err := backward.Check(a, opts.eps, opts.order)
	if err != nil {
		return specError{fmt.Errorf("%s: %v", g.Output.Pos.File, err)}
	}
	if len(res.Rows) == 0 {
		warnf(s, "%s: no leaf has a gradient (each is a constant or grad: false), so there is nothing to check", g.Output.Pos.File)
	}
	what := "∂" + g.Output.Name
	if opts.order == 2 {
		what = "∂²" + g.Output.Name
	}
	failed := res.Failed(opts.tol)
	if opts.report != "text" {
		var cases []reportCase
		for _, r := range res.Rows {
			c := reportCase{class: opts.spec, name: what + "/∂" + r.Leaf}
			if r.RelErr > opts.tol && !r.Unreliable {
				c.failed = true
				c.message = fmt.Sprintf("analytic %s, numeric %s: relative error %.1e above %g", fmtG(r.Analytic), fmtG(r.Numeric), r.RelErr, opts.tol)
			}
			cases = append(cases, c)
		}
		if err := writeReport(s.out, opts.report, "chainviz check", cases); err != nil {
			return specError{err}
		}
		if len(failed) > 0 {
			return specError{errReported}
		}
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "leaf\tanalytic %s\tnumeric\trel. error\t\n", what)
	for _, r := range res.Rows {
		note := ""
		switch {
		case r.Unreliable:
			note = "unreliable: a ReLU kink within ±eps"
		case r.RelErr > opts.tol:
			note = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1e\t%s\n", r.Leaf, fmtG(r.Analytic), fmtG(r.Numeric), r.RelErr, note)
	}
	tw.Flush()
	fmt.Fprintf(s.out, "%d checked, %d above tolerance %g (eps %g)\n", len(res.Rows), len(failed), opts.tol, opts.eps)
	if len(failed) > 0 {
		return specError{fmt.Errorf("%s: %d of %d derivatives differ from finite differences by more than %g", g.Output.Pos.File, len(failed), len(res.Rows), opts.tol)}
	}
	return nil
}

// fmtG formats a number with up to 10 significant digits.
func fmtG(v float64) string { return fmt.Sprintf("%.10g", v) }
