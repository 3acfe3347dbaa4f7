package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"sync"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/chainviz/chainviz/graph"
	"github.com/chainviz/chainviz/render"
)

// batchSlice is the most specs one process renders. go-graphviz's
// WebAssembly memory only grows, by about 0.15 MB per render, so a large
// batch is split into slices rendered by child processes (as many at a time
// as there are cores), which keeps the memory of each process bounded
// whatever the length of the batch.
const batchSlice = 100

// childTag starts the line in which a child process reports its counts.
const childTag = "chainviz-batch-result"

// sliceResult is what one child process rendered.
type sliceResult struct{ ok, files, failed int }

// renderInSlices renders specs with child processes of this program, each
// given at most batchSlice specs and the command line's flags, and prints
// the summary of the whole batch.
func renderInSlices(s streams, cmd *cobra.Command, specs []string) error {
	exe := os.Args[0]
	if _, err := exec.LookPath(exe); err != nil {
		if exe, err = os.Executable(); err != nil {
			return specError{fmt.Errorf("cannot find this program to split the batch: %v", err)}
		}
	}
	var flags []string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		flags = append(flags, "--"+f.Name+"="+f.Value.String())
	})
	all := len(specs)
	specs, dups := dropNameCollisions(specs, *s.limits)
	for _, d := range dups {
		fmt.Fprintln(s.err, d)
	}
	var slices [][]string
	for i := 0; i < len(specs); i += batchSlice {
		slices = append(slices, specs[i:min(i+batchSlice, len(specs))])
	}
	var (
		mu          sync.Mutex
		total       sliceResult
		children    = map[*exec.Cmd]bool{}
		interrupted bool
		errw        = &lockedWriter{w: s.err}
		next        = make(chan []string)
		wg          sync.WaitGroup
		failures    []string
		peak        int64 // The largest child's peak resident set, in KB.
	)
	// SIGINT and SIGTERM are passed on to the running children, which each
	// remove their partial files; no further slice is started.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		for got := range sig {
			mu.Lock()
			interrupted = true
			for c := range children {
				c.Process.Signal(got)
			}
			mu.Unlock()
		}
	}()
	for w := 0; w < min(runtime.NumCPU(), len(slices)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for slice := range next {
				args := append(append([]string{"render", "--batch-child"}, flags...), "--")
				c := exec.Command(exe, append(args, slice...)...)
				// A child removes its partial files and ends when this
				// process dies, even by SIGKILL.
				c.Env = childEnv()
				c.SysProcAttr = childAttr(termOnParentDeath)
				c.Stderr = errw
				out, _ := c.StdoutPipe()
				mu.Lock()
				if interrupted {
					mu.Unlock()
					continue
				}
				err := render.StartChild(c)
				if err == nil {
					children[c] = true
				} else {
					failures = append(failures, err.Error())
				}
				mu.Unlock()
				if err != nil {
					continue
				}
				r, ok := readSliceResult(out)
				err = c.Wait()
				mu.Lock()
				delete(children, c)
				if u, isRusage := c.ProcessState.SysUsage().(*syscall.Rusage); isRusage {
					peak = max(peak, u.Maxrss)
				}
				if !ok && !interrupted {
					r = sliceResult{failed: len(slice)}
					failures = append(failures, fmt.Sprintf("a child process rendering %s … failed: %v", slice[0], err))
				}
				total.ok, total.files, total.failed = total.ok+r.ok, total.files+r.files, total.failed+r.failed
				mu.Unlock()
			}
		}()
	}
	for _, slice := range slices {
		next <- slice
	}
	close(next)
	wg.Wait()
	if interrupted {
		fmt.Fprintln(s.err, "chainviz: interrupted; files already written are complete, no partial file was left")
		os.Exit(130)
	}
	for _, f := range failures {
		fmt.Fprintln(s.err, "chainviz:", f)
	}
	if os.Getenv("CHAINVIZ_REPORT_RSS") != "" {
		// For the memory test: the peak resident set of the largest slice.
		fmt.Fprintf(s.err, "peak RSS of a slice: %d MB\n", peak/1024)
	}
	total.failed += len(dups)
	msg := fmt.Sprintf("rendered %d of %d specs into %d files", total.ok, all, total.files)
	if total.failed > 0 {
		msg += fmt.Sprintf("; %d failed", total.failed)
	}
	if !s.ui.quiet || total.failed > 0 {
		fmt.Fprintln(s.err, msg)
	}
	if total.failed > 0 {
		return specError{errReported}
	}
	return nil
}

// dropNameCollisions returns specs without those whose name is the name
// of an earlier spec, and an error for each of them. Child processes
// render different slices, so they cannot see that two of their specs
// would write the same files: the names are read here first. Only the
// name is read; a spec that cannot be read or parsed is left to its child,
// which reports why.
func dropNameCollisions(specs []string, lim graph.Limits) (kept []string, dups []error) {
	maxSize := int64(lim.MaxFileSize)
	if maxSize <= 0 {
		maxSize = int64(graph.DefaultLimits.MaxFileSize)
	}
	used := map[string]string{}
	for _, path := range specs {
		name, ok := specName(path, maxSize)
		if !ok {
			kept = append(kept, path)
			continue
		}
		if other, taken := used[name]; taken {
			dups = append(dups, fmt.Errorf("%s: name %q is also the name of %s; its files would be overwritten", path, name, other))
			continue
		}
		used[name] = path
		kept = append(kept, path)
	}
	return kept, dups
}

// specName reads the name of the spec at path, a regular file of at most
// maxSize bytes.
func specName(path string, maxSize int64) (string, bool) {
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() || info.Size() > maxSize {
		return "", false
	}
	src, err := os.ReadFile(path)
	if err != nil || int64(len(src)) > maxSize {
		return "", false
	}
	var doc struct {
		Name string `yaml:"name"`
	}
	if yaml.Unmarshal(src, &doc) != nil || doc.Name == "" {
		return "", false
	}
	return doc.Name, true
}

// readSliceResult reads a child's counts from its standard output.
func readSliceResult(r io.Reader) (sliceResult, bool) {
	var res sliceResult
	found := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var tag string
		if n, _ := fmt.Sscan(sc.Text(), &tag, &res.ok, &res.files, &res.failed); n == 4 && tag == childTag {
			found = true
		}
	}
	return res, found
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
