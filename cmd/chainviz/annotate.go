package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/backward"
)

// annotateOptions are the flags of chainviz annotate.
type annotateOptions struct {
	spec    string
	order   int
	hessian bool
	lr      float64
	// maxHessian is the largest number of scalar leaf elements --hessian
	// takes.
	maxHessian int
}

func newAnnotateCmd(s streams) *cobra.Command {
	opts := &annotateOptions{}
	cmd := &cobra.Command{
		Use:   "annotate SPEC|-",
		Short: "Print the annotated JSON of a spec: values, gradients and per-edge flow",
		Example: "  chainviz annotate specs/worked_example.yaml\n" +
			"  chainviz annotate specs/cubic.yaml --order 2\n" +
			"  cat spec.yaml | chainviz annotate -",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.spec = args[0]
			return runAnnotate(s, opts)
		},
	}
	cmd.Flags().IntVar(&opts.order, "order", 1, "also compute derivatives up to this order (2 adds grad2, the Hessian diagonal; up to 4 on scalar graphs)")
	cmd.Flags().BoolVar(&opts.hessian, "hessian", false, "add the full Hessian with respect to the scalar leaf elements (at most --max-hessian)")
	cmd.Flags().IntVar(&opts.maxHessian, "max-hessian", backward.MaxHessianLeaves, fmt.Sprintf("largest number of scalar leaf elements of --hessian (at most %d)", backward.MaxHessianLimit))
	cmd.Flags().Float64Var(&opts.lr, "lr", 0, "add \"updated\" to every param: its value after one step of gradient descent with this learning rate")
	return cmd
}

// runAnnotate loads, differentiates and prints one spec.
func runAnnotate(s streams, opts *annotateOptions) error {
	tightHeap()
	if opts.order < 1 || opts.order > backward.MaxOrder {
		return fmt.Errorf("--order must be between 1 and %d, found %d", backward.MaxOrder, opts.order)
	}
	if err := checkLR(opts.lr); err != nil {
		return err
	}
	if opts.maxHessian < 1 || opts.maxHessian > backward.MaxHessianLimit {
		return fmt.Errorf("--max-hessian must be from 1 to %d, found %d", backward.MaxHessianLimit, opts.maxHessian)
	}
	a, err := annotateSpec(s, opts.spec)
	if err != nil {
		return err
	}
	g := a.Graph
	if err := a.AddHigherOrder(opts.order); err != nil {
		return specError{fmt.Errorf("%s: %v", g.Output.Pos.File, wordFlags(err))}
	}
	if opts.hessian {
		if err := a.AddHessianLimit(opts.maxHessian); err != nil {
			return specError{fmt.Errorf("%s: %v", g.Output.Pos.File, wordFlags(err))}
		}
	}
	if opts.lr > 0 {
		if err := a.AddUpdate(opts.lr); err != nil {
			return specError{err}
		}
	}
	return backward.WriteJSON(s.out, a)
}
