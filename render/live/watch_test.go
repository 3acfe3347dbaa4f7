package live

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// watchBatches runs a watcher on path and returns a channel of the batches
// it reports; the watcher stops when the test ends.
func watchBatches(t *testing.T, path string, debounce time.Duration) <-chan []string {
	t.Helper()
	w, err := NewWatcher(path, debounce)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	batches := make(chan []string, 100)
	done := make(chan struct{})
	go func() {
		w.Run(ctx, func(p []string) { batches <- p }, func(err error) { t.Errorf("watch error: %v", err) })
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return batches
}

// nextBatch waits at most 5 s for a batch.
func nextBatch(t *testing.T, batches <-chan []string) []string {
	t.Helper()
	select {
	case b := <-batches:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("no change reported within 5 s")
		return nil
	}
}

// quiet fails when a batch arrives within d.
func quiet(t *testing.T, batches <-chan []string, d time.Duration) {
	t.Helper()
	select {
	case b := <-batches:
		t.Fatalf("unexpected change %q", b)
	case <-time.After(d):
	}
}

func TestWatcherFolder(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", workedExample)
	batches := watchBatches(t, dir, 150*time.Millisecond)

	// Several writes in a burst are one change.
	for i := range 5 {
		os.WriteFile(a, []byte(workedExample+string(rune('a'+i))), 0o644)
	}
	if b := nextBatch(t, batches); !slices.Equal(b, []string{a}) {
		t.Fatalf("burst: %q", b)
	}
	quiet(t, batches, 400*time.Millisecond)

	// An editor's atomic save: a temporary file renamed over the spec.
	tmp := filepath.Join(dir, ".a.yaml.tmp")
	os.WriteFile(tmp, []byte(workedExample), 0o644)
	if err := os.Rename(tmp, a); err != nil {
		t.Fatal(err)
	}
	if b := nextBatch(t, batches); !slices.Equal(b, []string{a}) {
		t.Fatalf("rename: %q", b)
	}

	// Files that are not specs are ignored.
	writeFile(t, dir, "notes.txt", "x")
	writeFile(t, dir, ".swap.yaml", "x")
	quiet(t, batches, 400*time.Millisecond)

	// A spec in a new folder is reported, and later changes in it too.
	c := writeFile(t, dir, "sub/deeper/c.yml", workedExample)
	if b := nextBatch(t, batches); !slices.Contains(b, c) {
		t.Fatalf("new folder: %q", b)
	}
	drain(batches, 400*time.Millisecond)
	os.WriteFile(c, []byte(workedExample+"\n"), 0o644)
	if b := nextBatch(t, batches); !slices.Equal(b, []string{c}) {
		t.Fatalf("change in the new folder: %q", b)
	}

	// Removal is a change too.
	os.Remove(a)
	if b := nextBatch(t, batches); !slices.Equal(b, []string{a}) {
		t.Fatalf("remove: %q", b)
	}
}

// drain discards the batches that arrive within d.
func drain(batches <-chan []string, d time.Duration) {
	for {
		select {
		case <-batches:
		case <-time.After(d):
			return
		}
	}
}

func TestWatcherFile(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.yaml", workedExample)
	batches := watchBatches(t, a, 30*time.Millisecond)
	writeFile(t, dir, "b.yaml", workedExample)
	quiet(t, batches, 150*time.Millisecond)
	os.WriteFile(a, []byte(workedExample+"\n"), 0o644)
	if b := nextBatch(t, batches); !slices.Equal(b, []string{a}) {
		t.Fatalf("%q", b)
	}
	// Replaced by a rename: still watched.
	tmp := filepath.Join(dir, "a.yaml~")
	os.WriteFile(tmp, []byte(workedExample), 0o644)
	os.Rename(tmp, a)
	if b := nextBatch(t, batches); !slices.Equal(b, []string{a}) {
		t.Fatalf("%q", b)
	}
	os.WriteFile(a, []byte(workedExample+"\n\n"), 0o644)
	if b := nextBatch(t, batches); !slices.Equal(b, []string{a}) {
		t.Fatalf("%q", b)
	}
}

func TestWatcherMissing(t *testing.T) {
	if _, err := NewWatcher(filepath.Join(t.TempDir(), "nope"), 0); err == nil {
		t.Fatal("no error for a missing path")
	}
}
