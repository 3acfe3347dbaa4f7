package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chainviz/chainviz/graph"
)

// syncBuffer is a bytes.Buffer that a command running in a goroutine can
// write while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually waits at most 10 s for cond, polling.
func eventually(t *testing.T, what string, cond func() bool, report func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 10 s\n%s", what, report())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const watchSpec = `name: w
inputs:
  x: 2
params:
  a: 3
nodes:
  y: mul(a, x)
  L: square(y)
`

// startWatch runs chainviz watch with opts until the test ends, and
// returns its output and error streams.
func startWatch(t *testing.T, opts *watchOptions) (out, errw *syncBuffer) {
	t.Helper()
	out, errw = &syncBuffer{}, &syncBuffer{}
	s := streams{out: out, err: errw, limits: &graph.Limits{}, ui: &ui{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runWatch(ctx, s, opts) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("watch returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("watch did not stop within 5 s of its context")
		}
	})
	return out, errw
}

// TestWatchFolder renders a folder, then each spec again when it is saved:
// a new spec, an edit, a broken spec (reported, the file kept, watch goes
// on) and its fix.
func TestWatchFolder(t *testing.T) {
	dir := t.TempDir()
	specs := filepath.Join(dir, "specs")
	outDir := filepath.Join(dir, "out")
	os.MkdirAll(specs, 0o755)
	spec := filepath.Join(specs, "w.yaml")
	os.WriteFile(spec, []byte(watchSpec), 0o644)
	out, errw := startWatch(t, &watchOptions{path: specs, out: outDir, view: "full", debounce: 30 * time.Millisecond})
	report := func() string { return "stdout:\n" + out.String() + "stderr:\n" + errw.String() }
	svg := filepath.Join(outDir, "w.svg")
	lines := func() int { return strings.Count(out.String(), " → ") }

	// The first render, before anything changes: L = (3·2)² = 36.
	eventually(t, "first render", func() bool { return lines() == 1 && strings.Contains(errw.String(), "watching ") }, report)
	first, _ := os.ReadFile(svg)
	if !bytes.Contains(first, []byte(">36<")) {
		t.Fatalf("%s does not show L = 36", svg)
	}
	line := strings.SplitN(out.String(), "\n", 2)[0]
	if want := " " + spec + " → " + svg + " ("; !strings.Contains(line, want) || len(line) < 9 || line[2] != ':' || line[5] != ':' {
		t.Errorf("render line %q, want HH:MM:SS%s…)", line, want)
	}

	// An edit: x = 3 gives L = 81.
	os.WriteFile(spec, []byte(strings.Replace(watchSpec, "x: 2", "x: 3", 1)), 0o644)
	eventually(t, "render of the edit", func() bool {
		b, _ := os.ReadFile(svg)
		return bytes.Contains(b, []byte(">81<"))
	}, report)

	// A broken spec: reported with its position; the file stays.
	good, _ := os.ReadFile(svg)
	os.WriteFile(spec, []byte(strings.Replace(watchSpec, "mul(a, x)", "mul(a, xx)", 1)), 0o644)
	eventually(t, "the diagnostic", func() bool {
		return strings.Contains(errw.String(), spec+":7:13: undefined name \"xx\" used by y; did you mean \"x\"?")
	}, report)
	if !strings.Contains(errw.String(), spec+": not rendered (") {
		t.Errorf("no failure line:\n%s", report())
	}
	if now, _ := os.ReadFile(svg); !bytes.Equal(now, good) {
		t.Error("a broken spec changed its rendering")
	}

	// A new spec in the folder is rendered; then the fix.
	os.WriteFile(filepath.Join(specs, "v.yaml"), []byte(strings.Replace(watchSpec, "name: w", "name: v", 1)), 0o644)
	eventually(t, "render of the new spec", func() bool {
		_, err := os.Stat(filepath.Join(outDir, "v.svg"))
		return err == nil
	}, report)
	os.WriteFile(spec, []byte(watchSpec), 0o644)
	eventually(t, "render of the fix", func() bool {
		b, _ := os.ReadFile(svg)
		return bytes.Contains(b, []byte(">36<"))
	}, report)
}

// TestWatchFile watches one spec into one file, in another format, quietly:
// only failures are printed.
func TestWatchFile(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "w.yaml")
	os.WriteFile(spec, []byte(watchSpec), 0o644)
	os.WriteFile(filepath.Join(dir, "other.yaml"), []byte("broken: [\n"), 0o644)
	target := filepath.Join(dir, "w.json")
	out, errw := startWatch(t, &watchOptions{path: spec, out: target, view: "full", debounce: 30 * time.Millisecond})
	report := func() string { return "stdout:\n" + out.String() + "stderr:\n" + errw.String() }
	eventually(t, "first render", func() bool {
		b, _ := os.ReadFile(target)
		return bytes.Contains(b, []byte(`"value": 36`))
	}, report)
	os.WriteFile(spec, []byte(strings.Replace(watchSpec, "a: 3", "a: -1", 1)), 0o644)
	eventually(t, "render of the edit", func() bool {
		b, _ := os.ReadFile(target)
		return bytes.Contains(b, []byte(`"value": 4`))
	}, report)
	if strings.Contains(errw.String(), "other.yaml") {
		t.Errorf("a spec that is not watched was rendered:\n%s", report())
	}
}
