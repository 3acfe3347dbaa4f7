package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/render"
)

// renderOptions are the flags of chainviz render.
type renderOptions struct {
	specs     []string
	out       string
	formats   string
	view      string
	rankdir   string
	precision int
	theme     string
	// subscripts is auto (W1 drawn W₁) or none (names as written).
	subscripts string
	scale      float64
	lr         float64
	// maxLayout is the largest graph, in nodes, that is laid out.
	maxLayout int
	// backwardGraph, frames and anim select drawings other than the
	// diagram (see drawings).
	backwardGraph, frames, anim bool
	// collapse, focus, depth and edgeLabels fold large graphs (see
	// render.Options).
	collapse   string
	focus      string
	depth      int
	roll       bool
	edgeLabels string
	// batchChild is set in the child processes of a large batch (see
	// renderInSlices): they report their counts on standard output.
	batchChild bool
}

func newRenderCmd(s streams) *cobra.Command {
	opts := &renderOptions{}
	cmd := &cobra.Command{
		Use:   "render SPEC|DIR... [-o DIR|FILE]",
		Short: "Draw the forward values and the backward flow as SVG, PNG, DOT or JSON",
		Long: "render draws each spec's graph with every node's value and gradient and every\n" +
			"edge's forward value, local derivative and the gradient it carries back. Files are\n" +
			"named <name>.<format> in the output folder (default out/), or -o names one file.\n" +
			"A folder argument renders every .yaml and .yml file in it, recursively.\n" +
			"A spec that fails is reported and the others are still rendered.",
		Example: "  chainviz render specs/worked_example.yaml\n" +
			"  chainviz render specs/*.yaml --format svg,png,json -o out/\n" +
			"  chainviz render specs/fork.yaml --view backward --rankdir TB -o fork.png\n" +
			"  chainviz render specs/worked_example.yaml --backward-graph --frames --format svg,png",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.specs = args
			return runRender(s, cmd, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.out, "output", "o", "out", "output folder, or a file for a single spec and format, or - for standard output")
	f.StringVar(&opts.formats, "format", "", "comma-separated formats: svg, png, pdf, dot, json (default: from -o's extension, else svg)")
	f.StringVar(&opts.view, "view", "full", "full, forward (values only) or backward (gradients flowing back from the output)")
	f.StringVar(&opts.rankdir, "rankdir", "auto", "layout direction: LR, TB, or auto (lays out both and keeps the one closer to a 16:9 page)")
	f.StringVar(&opts.collapse, "collapse", "", "draw groups as one box each: all (every top-level group) or NAME,... (a box shows the values leaving the group and, on each edge into it, the summed gradient and composite local derivative)")
	f.StringVar(&opts.focus, "focus", "", "draw only NODE's neighbourhood, --depth steps up- and downstream, with \"… N more\" stubs where the graph goes on")
	f.IntVar(&opts.depth, "depth", 1, "steps up- and downstream of --focus")
	f.BoolVar(&opts.roll, "roll", false, "draw repeated calls of one block that share their params (an unrolled RNN) once, with a ×N badge, each call's value and gradient, a loop edge for the state, and each shared weight's gradient as the sum over the calls")
	f.StringVar(&opts.edgeLabels, "edge-labels", "auto", "edge labels: full, grad (gradient only), none, or auto (full up to 60 boxes, without the local derivative up to 150, gradient only beyond; the caption says so)")
	f.IntVar(&opts.precision, "precision", 0, "significant digits of the numbers shown (default 4; integers have no decimals)")
	f.StringVar(&opts.theme, "theme", "light", "light or dark")
	f.StringVar(&opts.subscripts, "subscripts", "auto", "auto draws the digits ending a name as subscripts (W1 as W₁); none draws every name as written")
	f.Float64Var(&opts.scale, "scale", 0, "PNG pixels per SVG point (default 2)")
	f.Float64Var(&opts.lr, "lr", 0, "show each param's value after one step of gradient descent with this learning rate")
	f.IntVar(&opts.maxLayout, "max-layout-nodes", 2500, "largest graph, in nodes, that is laid out (a 2,000-node layout takes about 10 s)")
	f.BoolVar(&opts.backwardGraph, "backward-graph", false, "draw the gradient computation as a graph of its own, <name>-backward.<format>, instead of the diagram")
	f.BoolVar(&opts.frames, "frames", false, "draw the forward and backward passes step by step, <name>-frame-NN.<format>, and as the animated <name>-anim.svg, instead of the diagram")
	f.BoolVar(&opts.anim, "anim", false, "draw only the animated SVG of --frames, <name>-anim.svg, instead of the diagram")
	f.BoolVar(&opts.batchChild, "batch-child", false, "")
	f.MarkHidden("batch-child")
	registerDrawingCompletions(cmd, "svg", "png", "pdf", "dot", "json")
	return cmd
}

// runRender renders every spec; a failed spec makes the exit status 1.
func runRender(s streams, cmd *cobra.Command, opts *renderOptions) error {
	// Graphviz runs as WebAssembly whose memory is one large Go slice that
	// grows by copying; collecting garbage less often makes a 500-node
	// layout about 12% faster for a few more megabytes.
	debug.SetGCPercent(400)
	if err := stdinOnce(opts.specs); err != nil {
		return err
	}
	specs, err := findSpecs(opts.specs)
	if err != nil {
		return specError{err}
	}
	if len(specs) == 0 {
		return specError{fmt.Errorf("no specs (.yaml or .yml files) found in %s", strings.Join(opts.specs, ", "))}
	}
	if opts.out == "-" && len(specs) != 1 {
		return fmt.Errorf("-o - writes one file to standard output, but %d specs were given; give a folder", len(specs))
	}
	if len(specs) > batchSlice && !opts.batchChild {
		return renderInSlices(s, cmd, specs)
	}
	defer onInterrupt(s)()
	if opts.batchChild {
		// The parent may die without passing a signal on.
		watchParent(func() {
			render.RemovePartialFiles()
			os.Exit(130)
		})
	}
	var cfg render.Config
	if opts.formats != "" {
		if cfg.Formats, err = render.ParseFormats(opts.formats); err != nil {
			return err
		}
	}
	if cfg.Options.View, err = render.ParseView(opts.view); err != nil {
		return err
	}
	if cfg.Options.RankDir, err = render.ParseRankDir(opts.rankdir); err != nil {
		return err
	}
	if cfg.Options.Theme, err = render.ParseTheme(opts.theme); err != nil {
		return err
	}
	if cfg.Options.NoSubscripts, err = parseSubscripts(opts.subscripts); err != nil {
		return err
	}
	if err := checkLR(opts.lr); err != nil {
		return err
	}
	if opts.scale < 0 {
		return fmt.Errorf("--scale must not be negative")
	}
	if err := checkUseful(cmd, opts); err != nil {
		return err
	}
	if cfg.Options.EdgeLabels, err = render.ParseEdgeLabels(opts.edgeLabels); err != nil {
		return err
	}
	if opts.collapse != "" {
		for _, name := range strings.Split(opts.collapse, ",") {
			if name = strings.TrimSpace(name); name != "" {
				cfg.Options.Collapse = append(cfg.Options.Collapse, name)
			}
		}
	}
	cfg.Options.Focus, cfg.Options.Depth, cfg.Options.Roll = opts.focus, opts.depth, opts.roll
	if opts.depth < 1 {
		return fmt.Errorf("--depth must be at least 1")
	}
	if err := cfg.Options.Validate(); err != nil {
		return err
	}
	cfg.Options.Precision, cfg.PNGScale = opts.precision, opts.scale
	cfg.Drawings = opts.drawings()
	cfg.Out, cfg.Errors, cfg.Warnings = opts.out, s.err, warnWriter{s}
	if opts.out == "-" {
		return renderToStdout(s, opts, specs, cfg, inputsOf(s, opts, specs))
	}
	if len(specs) > 3 && isTerminal(s.err) && !s.ui.quiet {
		cfg.Progress = s.err
	}
	sum, err := render.RenderFiles(inputsOf(s, opts, specs), cfg)
	var ue *render.UsageError
	if errors.As(err, &ue) {
		return err
	} else if err != nil {
		return specError{err}
	}
	if opts.batchChild {
		fmt.Fprintln(s.out, childTag, len(sum.Results)-sum.Failed(), sum.Files(), sum.Failed())
	} else if (len(specs) > 1 && !s.ui.quiet) || sum.Failed() > 0 {
		fmt.Fprintln(s.err, sum)
	}
	if sum.Failed() > 0 {
		return specError{errReported}
	}
	return nil
}

// inputsOf returns the inputs of a batch: each spec, loaded, annotated and
// checked against the flags.
func inputsOf(s streams, opts *renderOptions, specs []string) []render.Input {
	inputs := make([]render.Input, len(specs))
	for i, path := range specs {
		inputs[i] = render.Input{Name: path, Load: func() (*backward.Annotated, error) {
			a, err := annotateSpec(s, path)
			if err != nil {
				return nil, err
			}
			if n := a.Graph.Len(); n > opts.maxLayout {
				// Graphviz's layout time grows much faster than the graph;
				// refuse before it starts rather than run for minutes.
				return nil, fmt.Errorf("%s: the graph has %d nodes, more than the layout limit of %d (raise it with --max-layout-nodes)", path, n, opts.maxLayout)
			}
			if opts.backwardGraph && !hasLeafGradient(a) {
				return nil, fmt.Errorf("%s: no leaf has a gradient (each is a constant or grad: false), so there is no backward graph to draw", path)
			}
			if opts.lr > 0 {
				if err := a.AddUpdate(opts.lr); err != nil {
					return nil, err
				}
			}
			return a, nil
		}}
	}
	return inputs
}

// onInterrupt makes SIGINT and SIGTERM remove the temporary files of writes
// under way before the process exits with status 130, so that an
// interrupted render leaves no partial file; files being replaced keep their
// old content. The returned function stops listening.
func onInterrupt(s streams) func() {
	sig := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
			render.RemovePartialFiles()
			fmt.Fprintln(s.err, "chainviz: interrupted; files already written are complete, no partial file was left")
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}

// warnWriter prints each line written to it as a warning, unless --quiet.
type warnWriter struct{ s streams }

func (w warnWriter) Write(p []byte) (int, error) {
	warnf(w.s, "%s", strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// isTerminal reports whether w is a terminal, for progress lines.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// drawings returns the drawings the flags ask for; none means the diagram.
func (o *renderOptions) drawings() render.Drawing {
	var ds render.Drawing
	if o.backwardGraph {
		ds |= render.DrawBackwardGraph
	}
	if o.frames {
		ds |= render.DrawFrames | render.DrawAnimation
	}
	if o.anim {
		ds |= render.DrawAnimation
	}
	return ds
}

// hasLeafGradient reports whether some leaf of a has a gradient.
func hasLeafGradient(a *backward.Annotated) bool {
	for _, n := range a.Graph.Nodes {
		if n.IsLeaf() && a.Grads[n.ID] != nil {
			return true
		}
	}
	return false
}

// subscriptModes are the values of --subscripts.
var subscriptModes = []string{"auto", "none"}

// parseSubscripts reads --subscripts: it reports whether names are shown
// as written.
func parseSubscripts(s string) (none bool, err error) {
	switch s {
	case "auto":
		return false, nil
	case "none":
		return true, nil
	}
	return false, fmt.Errorf("--subscripts %s: expected auto (W1 shown as W₁) or none (every name as written)", s)
}

// Bounds of the values of --scale and --precision that give a useful
// picture: below minScale the text of a PNG is under 3 pixels high, above
// maxScale a small diagram already hits the PNG's size limit.
const (
	minScale = 0.25
	maxScale = 16
)

// checkUseful rejects a --scale or --precision given explicitly that would
// draw nothing useful: a PNG too small to read, or numbers without digits.
func checkUseful(cmd *cobra.Command, opts *renderOptions) error {
	f := cmd.Flags()
	if f.Changed("scale") && (opts.scale < minScale || opts.scale > maxScale) {
		return fmt.Errorf("--scale %g: the PNG's pixels per point must be from %g (text about 3 pixels high) to %g", opts.scale, float64(minScale), float64(maxScale))
	}
	if f.Changed("precision") && (opts.precision < 1 || opts.precision > 17) {
		return fmt.Errorf("--precision %d: the significant digits must be from 1 to 17 (17 round-trips every float64)", opts.precision)
	}
	return nil
}
