// Command chainviz turns a YAML description of a computation graph into the
// annotated backward pass (values, gradients, local derivatives) and into
// diagrams of it.
package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
	"github.com/chainviz/chainviz/render"
)

func main() {
	exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// streams are the standard streams a command uses, so that commands can be
// tested without a process.
type streams struct {
	in       io.Reader
	out, err io.Writer
	// limits are set by the root command's --max-* flags.
	limits *graph.Limits
	// ui holds the flags about output: --quiet.
	ui *ui
}

// specError marks a failure caused by a spec (invalid, or not evaluable):
// exit status 1. Any other error from the command line is a usage error:
// exit status 2.
type specError struct{ err error }

func (e specError) Error() string { return e.err.Error() }

// errReported is returned once every diagnostic has been printed already.
var errReported = errors.New("reported")

// errNoCommand is the usage error of a command line without a command.
var errNoCommand = errors.New("a command is required")

// run executes the command line args and returns the exit status.
func run(args []string, in io.Reader, out, errw io.Writer) (code int) {
	defer func() {
		// A bug must still end in a message, not a stack trace.
		if r := recover(); r != nil {
			fmt.Fprintf(errw, "chainviz: internal error: %v (please report this with the spec that caused it)\n", r)
			code = 1
		}
	}()
	s := streams{in: in, out: out, err: errw, limits: &graph.Limits{}, ui: &ui{}}
	root := newRootCmd(s)
	root.SetArgs(args)
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errw)
	err := root.Execute()
	var se specError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &se):
		if se.err != errReported {
			printDiagnostics(errw, se.err.Error())
		}
		return 1
	default:
		printUsageError(errw, err.Error())
		fmt.Fprintln(errw, "Run 'chainviz --help' for usage.")
		return 2
	}
}

// newRootCmd builds the command tree.
func newRootCmd(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "chainviz",
		Short: "Annotate and draw backpropagation through a computation graph",
		Long: "chainviz reads a small YAML description of a computation graph, evaluates it,\n" +
			"runs the backward pass and prints or draws every node's value and gradient and\n" +
			"every edge's local derivative and upstream gradient.",
		Example: "  chainviz annotate specs/worked_example.yaml\n" +
			"  chainviz render specs/*.yaml -o out/\n" +
			"  chainviz serve specs/",
		Version:       version(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// No command at all is wrong usage: the usage goes to stderr.
			cmd.SetOut(s.err)
			cmd.Usage()
			return errNoCommand
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return err })
	root.SetVersionTemplate("chainviz {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.IntVar(&s.limits.MaxFileSize, "max-file-size", graph.DefaultLimits.MaxFileSize, "largest spec file, in bytes")
	pf.IntVar(&s.limits.MaxNodes, "max-nodes", graph.DefaultLimits.MaxNodes, "largest number of inputs, params and nodes in a spec")
	pf.IntVar(&s.limits.MaxElements, "max-elements", graph.DefaultLimits.MaxElements, "largest number of elements of one tensor")
	pf.IntVar(&s.limits.MaxDepth, "max-depth", graph.DefaultLimits.MaxDepth, "deepest nesting of YAML collections in a spec")
	pf.IntVar(&s.limits.MaxWork, "max-work", graph.DefaultLimits.MaxWork, "largest number of arithmetic operations to evaluate and differentiate a spec (finite differences and gradient descent included)")
	pf.BoolVarP(&s.ui.quiet, "quiet", "q", false, "print no warnings and no progress")
	pf.BoolVar(&s.ui.verbose, "verbose", false, "print every warning on a line of its own (by default, warnings of one kind are summarised in one line with a count and three examples)")
	layoutTimeout := pf.Duration("layout-timeout", render.DefaultLayoutTimeout, "time limit of one Graphviz layout (a diagram, or a frame of --frames)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd.Name() == layoutCommand {
			return nil
		}
		if *layoutTimeout <= 0 {
			return fmt.Errorf("--layout-timeout must be positive, such as 10s or 1m")
		}
		// Layouts run in child processes, which are killed at the time
		// limit: a layout cannot be stopped inside this process.
		useLayoutProcesses(*layoutTimeout)
		return nil
	}
	root.AddCommand(newAnnotateCmd(s))
	root.AddCommand(newExplainCmd(s))
	root.AddCommand(newCheckCmd(s))
	root.AddCommand(newTestCmd(s))
	root.AddCommand(newRenderCmd(s))
	root.AddCommand(newServeCmd(s))
	root.AddCommand(newWatchCmd(s))
	root.AddCommand(newSchemaCmd(s))
	root.AddCommand(newMdCmd(s))
	root.AddCommand(newCompletionCmd(s))
	root.AddCommand(newLayoutCmd(s))
	return root
}

// annotateSpec reads the spec at path ("-" for the input stream), loads it
// and runs its backward pass through backward.LoadSpec, printing every
// warning of both. A failure is a specError carrying the diagnostics.
func annotateSpec(s streams, path string) (*backward.Annotated, error) {
	file, src, err := graph.ReadSpec(path, s.in, s.limits.MaxFileSize)
	if err != nil {
		return nil, specError{err}
	}
	g, a, err := backward.LoadSpec(file, src, *s.limits)
	if g != nil {
		printWarnings(s, g.Warnings)
	}
	if err != nil {
		return nil, specError{err}
	}
	printWarnings(s, a.Warnings[len(g.Warnings):])
	return a, nil
}

// checkLR checks a --lr flag: 0, its default, means no learning rate;
// anything else must be a finite number above 0 (JSON cannot hold the
// infinities and NaN a step would give).
func checkLR(lr float64) error {
	if lr != 0 && (!(lr > 0) || math.IsInf(lr, 1)) {
		return fmt.Errorf("--lr must be a finite number above 0, found %g", lr)
	}
	return nil
}

// flags maps the options of the library's OptionError to the flags that
// set them.
var flags = map[string]string{"Wrt": "--wrt", "Steps": "--steps", "Order": "--order", "Format": "--format", "LR": "--lr", "Hessian": "--hessian", "MaxHessian": "--max-hessian"}

// flagError words an OptionError for the command line: "--wrt x: …".
func flagError(oe *graph.OptionError) error {
	name := flags[oe.Option]
	if name == "" {
		name = oe.Option
	}
	msg := oe.Msg
	for opt, flag := range flags {
		msg = strings.ReplaceAll(msg, "("+opt+")", "("+flag+")")
		msg = strings.ReplaceAll(msg, "with "+opt+")", "with "+flag+")")
	}
	if oe.Value == "" {
		return fmt.Errorf("%s: %s", name, msg)
	}
	return fmt.Errorf("%s %s: %s", name, oe.Value, msg)
}

// wordFlags words err with flag names when it is an OptionError, and
// returns any other error as it is.
func wordFlags(err error) error {
	var oe *graph.OptionError
	if errors.As(err, &oe) {
		return flagError(oe)
	}
	return err
}

// printWarnings writes the warnings to the error stream, one line per kind
// (see render.SummarizeWarnings), or each on a line with --verbose; none
// with --quiet.
func printWarnings(s streams, ws graph.Diagnostics) {
	if s.ui != nil && s.ui.verbose {
		for _, w := range ws {
			warnf(s, "%s", w.String())
		}
		return
	}
	for _, line := range render.SummarizeWarnings(ws) {
		warnf(s, "%s", line)
	}
}
