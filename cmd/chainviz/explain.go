package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/backward/explain"
	"github.com/chainviz/chainviz/graph"
)

// explainOptions are the flags of chainviz explain.
type explainOptions struct {
	spec     string
	wrt      []string
	format   string
	maxPaths int
	full     bool
	delta    bool
	lr       float64
	steps    int
	order    int
	// precision is the number of significant digits of the numbers.
	precision int
	// subscripts is auto (W1 written W_{1}) or none (names as spelled).
	subscripts string
}

func newExplainCmd(s streams) *cobra.Command {
	opts := &explainOptions{}
	cmd := &cobra.Command{
		Use:   "explain SPEC|-",
		Short: "Print the chain-rule derivation of the gradients, path by path, as Markdown, LaTeX or text",
		Long: "explain writes, for each leaf that has a gradient (or each node named by --wrt), the\n" +
			"derivation of the output's gradient by the chain rule: every path from the node to the\n" +
			"output, the local derivative of each factor with its formula and value, the product of\n" +
			"each path and the sum over paths. Above --max-paths paths it writes the backward (δ)\n" +
			"recursion instead, and --delta asks for it whatever the number of paths; tensors get\n" +
			"the matrix forms (δ·xᵀ, Wᵀ·δ) with shapes.\n" +
			"Factors of 1 from add nodes are folded into their neighbours, as a derivation by hand\n" +
			"writes them; --full shows every edge.",
		Example: "  chainviz explain specs/worked_example.yaml --wrt W1 --format text --lr 0.01\n" +
			"  chainviz explain specs/fork.yaml > fork.md\n" +
			"  chainviz explain specs/three_layer.yaml --wrt W1,W2 --delta --format text\n" +
			"  chainviz explain specs/cubic.yaml --order 2 --format tex",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.spec = args[0]
			return runExplain(s, opts)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.wrt, "wrt", nil, "derive with respect to these nodes (repeat or separate by commas); default: every leaf with a gradient")
	f.StringVar(&opts.format, "format", "md", "output format: "+strings.Join(explain.Formats, ", ")+" (Markdown with $$…$$ LaTeX, a LaTeX fragment, plain Unicode)")
	f.IntVar(&opts.maxPaths, "max-paths", explain.DefaultMaxPaths, "list at most this many paths; above it, write the δ recursion")
	f.BoolVar(&opts.delta, "delta", false, "write the δ recursion of backpropagation (δ = δ above × local derivative) even when the paths are few enough to list")
	f.BoolVar(&opts.full, "full", false, "show every edge as its own factor (do not fold the factors of 1 of add nodes)")
	f.BoolVar(&opts.full, "no-fold", false, "same as --full")
	f.Float64Var(&opts.lr, "lr", 0, "also show one step of gradient descent on every param with this learning rate")
	f.IntVar(&opts.steps, "steps", 0, "with --lr, run this many steps of gradient descent and tabulate the output after each")
	f.IntVar(&opts.order, "order", 1, "2 adds the second derivative with respect to each leaf")
	f.IntVar(&opts.precision, "precision", explain.DefaultPrecision, "significant digits of the numbers written, from 1 to 17")
	f.StringVar(&opts.subscripts, "subscripts", "auto", "auto writes the digits ending a name as subscripts in LaTeX (W1 as W_{1}); none writes every name as spelled")
	cmd.RegisterFlagCompletionFunc("format", completeValues(explain.Formats...))
	cmd.RegisterFlagCompletionFunc("wrt", completeWrt(s))
	cmd.RegisterFlagCompletionFunc("subscripts", completeValues(subscriptModes...))
	return cmd
}

// runExplain loads and differentiates one spec and writes its derivations.
func runExplain(s streams, opts *explainOptions) error {
	tightHeap()
	if !slices.Contains(explain.Formats, opts.format) {
		return fmt.Errorf("--format %s: the formats are %s", opts.format, strings.Join(explain.Formats, ", "))
	}
	noSubscripts, err := parseSubscripts(opts.subscripts)
	if err != nil {
		return err
	}
	switch {
	case opts.order != 1 && opts.order != 2:
		return fmt.Errorf("--order must be 1 or 2 for explain, found %d", opts.order)
	case opts.precision < 1 || opts.precision > 17:
		return fmt.Errorf("--precision %d: the significant digits must be from 1 to 17 (17 round-trips every float64)", opts.precision)
	case opts.maxPaths < 1:
		return fmt.Errorf("--max-paths must be at least 1, found %d", opts.maxPaths)
	case checkLR(opts.lr) != nil:
		return checkLR(opts.lr)
	case opts.steps < 0:
		return fmt.Errorf("--steps must not be negative, found %d", opts.steps)
	case opts.steps > 0 && opts.lr == 0:
		return fmt.Errorf("--steps needs a learning rate: add --lr RATE")
	}
	a, err := annotateSpec(s, opts.spec)
	if err != nil {
		return err
	}
	g := a.Graph
	e, err := explain.New(a, explain.Options{
		Wrt: opts.wrt, MaxPaths: opts.maxPaths, Full: opts.full, Delta: opts.delta,
		LR: opts.lr, Steps: opts.steps, Order: opts.order, Precision: opts.precision,
		NoSubscripts: noSubscripts,
	})
	var oe *graph.OptionError
	switch {
	case errors.As(err, &oe):
		return flagError(oe)
	case err != nil:
		return specError{fmt.Errorf("%s: %v", g.Output.Pos.File, err)}
	}
	if opts.steps > 0 && e.Losses == nil {
		warnf(s, "%s: warning: %s has no params, so --steps has nothing to change", g.Output.Pos.File, g.Name)
	}
	if i := lossGrows(e.Losses); i > 0 {
		num := func(v float64) string { return graph.FormatNumber(graph.RoundSig(v)) }
		warnf(s, "%s: warning: the output %s grows at step %d of gradient descent, from %s to %s (%s after %d steps): the learning rate %g is too large; try a smaller --lr",
			g.Output.Pos.File, g.Output.Name, i, num(e.Losses[i-1]), num(e.Losses[i]), num(e.Losses[len(e.Losses)-1]), len(e.Losses)-1, opts.lr)
	}
	// Titles, labels and descriptions may hold control characters (a YAML
	// escape such as "\e"); they are escaped before reaching a terminal.
	var buf strings.Builder
	if err := e.Write(&buf, opts.format); err != nil {
		return err
	}
	if _, err := io.WriteString(s.out, graph.EscapeControl(buf.String())); err != nil {
		return err
	}
	if e.DescentErr != nil {
		return specError{e.DescentErr}
	}
	return nil
}

// lossGrows returns the first step after which the output is larger than
// before it, or 0 when gradient descent never makes it grow.
func lossGrows(losses []float64) int {
	for i := 1; i < len(losses); i++ {
		if losses[i] > losses[i-1] {
			return i
		}
	}
	return 0
}
