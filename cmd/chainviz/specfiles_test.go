package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chainviz/chainviz/graph"
	"github.com/chainviz/chainviz/render"
)

// TestFindSpecsTakesOnlyRegularFiles checks that a FIFO named like a spec
// in a folder is skipped: opening it would block render forever.
func TestFindSpecsTakesOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "a.yaml")
	if err := os.WriteFile(spec, []byte("name: a\nnodes:\n  y: neg(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "x.yaml"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	if err := os.Symlink(spec, filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	got, err := findSpecs([]string{dir})
	want := []string{spec, filepath.Join(dir, "link.yaml")}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
}

// endlessZeros is standard input that never ends, like /dev/zero.
type endlessZeros struct{ n int }

func (e *endlessZeros) Read(p []byte) (int, error) {
	clear(p)
	e.n += len(p)
	return len(p), nil
}

// TestEndlessStdin checks that annotate reads an endless standard input
// only up to the size limit and reports it as too large.
func TestEndlessStdin(t *testing.T) {
	in := &endlessZeros{}
	var out, errw strings.Builder
	code := run([]string{"annotate", "-", "--max-file-size", "4096"}, in, &out, &errw)
	want := "<stdin>:1:1: the spec has 4097 bytes, more than the limit of 4096 (raise it with --max-file-size)\n"
	if code != 1 || errw.String() != want || in.n > 4097 {
		t.Errorf("exit %d, read %d bytes, stderr %q; want exit 1, at most 4097 bytes, %q", code, in.n, errw.String(), want)
	}
}

// TestWatchSkipsFIFOs checks that watch, told that a FIFO named like a
// spec changed, reports it instead of blocking on opening it.
func TestWatchSkipsFIFOs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "x.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	var out, errw syncBuffer
	s := streams{out: &out, err: &errw, limits: &graph.Limits{}, ui: &ui{}}
	cfg := render.Config{Formats: []render.Format{render.FormatJSON}, Out: dir}
	done := make(chan error, 1)
	go func() { done <- watchRender(s, cfg, fifo) }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(errw.String(), "x.yaml: not a regular file") {
			t.Errorf("got %v, stderr %q", err, errw.String())
		}
	case <-time.After(30 * time.Second):
		// Unblock the reader so that the goroutine ends.
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("watch blocked on a FIFO for 30 s")
	}
}
