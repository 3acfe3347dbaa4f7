package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
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
