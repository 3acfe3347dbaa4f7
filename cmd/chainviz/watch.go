package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
	"github.com/chainviz/chainviz/render"
	"github.com/chainviz/chainviz/render/live"
)

// watchOptions are the flags of chainviz watch.
type watchOptions struct {
	path     string
	out      string
	formats  string
	view     string
	debounce time.Duration
}

func newWatchCmd(s streams) *cobra.Command {
	opts := &watchOptions{}
	cmd := &cobra.Command{
		Use:   "watch SPEC|DIR [-o DIR|FILE]",
		Short: "Render a spec, or every spec in a folder, again each time it is saved",
		Long: "watch renders SPEC, or every spec under DIR, and then renders a spec again each\n" +
			"time its file is saved (bursts of changes within --debounce count as one save). Each\n" +
			"render prints one line with the time, the files written and how long it took; a\n" +
			"broken spec prints its diagnostics and the previous files stay as they were. watch\n" +
			"never stops on a bad spec: fix it and save again. With -q only failures are printed.\n" +
			"Ctrl-C stops it.",
		Example: "  chainviz watch specs/\n" +
			"  chainviz watch specs/worked_example.yaml -o out/ --format svg,png\n" +
			"  chainviz watch specs/fork.yaml -o fork.svg --view backward",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.path = args[0]
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runWatch(ctx, s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.out, "output", "o", "out", "output folder, or a file when watching a single spec")
	f.StringVar(&opts.formats, "format", "", "comma-separated formats: svg, png, pdf, dot, json (default: from -o's extension, else svg)")
	f.StringVar(&opts.view, "view", "full", "full, forward or backward")
	f.DurationVar(&opts.debounce, "debounce", live.DefaultDebounce, "wait this long after the last change before rendering")
	registerDrawingCompletions(cmd, "svg", "png", "pdf", "dot", "json")
	return cmd
}

// runWatch renders every spec at opts.path, then each one again when it
// changes, until ctx is done.
func runWatch(ctx context.Context, s streams, opts *watchOptions) error {
	var cfg render.Config
	var err error
	if opts.formats != "" {
		if cfg.Formats, err = render.ParseFormats(opts.formats); err != nil {
			return err
		}
	}
	if cfg.Options.View, err = render.ParseView(opts.view); err != nil {
		return err
	}
	if opts.debounce < 0 {
		return fmt.Errorf("--debounce must not be negative, found %v", opts.debounce)
	}
	cfg.Out, cfg.Warnings = opts.out, warnWriter{s}
	info, err := os.Stat(opts.path)
	if err != nil {
		return fmt.Errorf("%s: %v", opts.path, unwrapPathError(err))
	}
	if info.IsDir() && isFileOutput(opts.out) {
		return fmt.Errorf("-o %s is a file, but %s is a folder of specs; give a folder", opts.out, opts.path)
	}
	w, err := live.NewWatcher(opts.path, opts.debounce)
	if err != nil {
		return err
	}
	specs, err := findSpecs([]string{opts.path})
	if err != nil {
		return err
	}
	for _, spec := range specs {
		if err := watchRender(s, cfg, spec); err != nil {
			return err
		}
	}
	if !s.ui.quiet {
		fmt.Fprintf(s.err, "watching %s (%d %s); press Ctrl-C to stop\n", opts.path, len(specs), plural(len(specs), "spec"))
	}
	return w.Run(ctx, func(paths []string) {
		for _, p := range paths {
			if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(s.err, "%s %s: removed; its files are kept\n", stamp(), p)
				continue
			}
			if err := watchRender(s, cfg, p); err != nil {
				fmt.Fprintf(s.err, "%s chainviz: %v\n", stamp(), err)
			}
		}
	}, func(err error) {
		fmt.Fprintf(s.err, "%s chainviz: watching files: %v\n", stamp(), err)
	})
}

// watchRender renders one spec and prints its line: the time, the spec,
// the files written and how long it took; or, when the spec is broken, its
// diagnostics. Warnings follow the line. The error is a usage error, such
// as formats that -o's file cannot hold; a broken spec is not an error.
func watchRender(s streams, cfg render.Config, path string) error {
	start := time.Now()
	var warnings graph.Diagnostics
	in := render.Input{Name: path, Load: func() (*backward.Annotated, error) {
		// A FIFO or device saved into the folder would block the watch.
		if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file; watch reads only regular files", path)
		}
		file, src, err := graph.ReadSpec(path, nil, s.limits.MaxFileSize)
		if err != nil {
			return nil, err
		}
		_, a, err := backward.LoadSpec(file, src, *s.limits)
		if err != nil {
			return nil, err
		}
		warnings = a.Warnings
		return a, nil
	}}
	sum, err := render.RenderFiles([]render.Input{in}, cfg)
	if err != nil {
		return err
	}
	took := time.Since(start).Round(time.Millisecond)
	if err := sum.Results[0].Err; err != nil {
		fmt.Fprintf(s.err, "%s %s: not rendered (%v):\n", stamp(), path, took)
		printDiagnostics(s.err, err.Error())
		return nil
	}
	if !s.ui.quiet {
		fmt.Fprintf(s.out, "%s %s → %s (%v)\n", stamp(), path, strings.Join(sum.Results[0].Files, ", "), took)
	}
	printWarnings(s, warnings)
	return nil
}

// stamp returns the time of day that starts each line of watch.
func stamp() string { return time.Now().Format("15:04:05") }

// isFileOutput reports whether -o names a file (its extension is a format)
// rather than a folder.
func isFileOutput(out string) bool {
	if info, err := os.Stat(out); err == nil && info.IsDir() {
		return false
	}
	_, err := render.ParseFormat(strings.TrimPrefix(filepath.Ext(out), "."))
	return filepath.Ext(out) != "" && err == nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
