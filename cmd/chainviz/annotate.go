package main

import (
	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/backward"
)

// annotateOptions are the flags of chainviz annotate.
type annotateOptions struct {
	spec string
}

func newAnnotateCmd(s streams) *cobra.Command {
	opts := &annotateOptions{}
	return &cobra.Command{
		Use:   "annotate SPEC|-",
		Short: "Print the annotated JSON of a spec: values, gradients and per-edge flow",
		Example: "  chainviz annotate specs/worked_example.yaml\n" +
			"  cat spec.yaml | chainviz annotate -",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.spec = args[0]
			return runAnnotate(s, opts)
		},
	}
}

// runAnnotate loads, differentiates and prints one spec.
func runAnnotate(s streams, opts *annotateOptions) error {
	g, err := loadSpec(s, opts.spec)
	if err != nil {
		return err
	}
	a, err := backward.Annotate(g)
	if err != nil {
		return specError{err}
	}
	printWarnings(s, a.Warnings[len(g.Warnings):])
	return backward.WriteJSON(s.out, a)
}
