package render

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// layoutChildEnv makes the test binary a layout process (see TestMain).
const layoutChildEnv = "CHAINVIZ_TEST_LAYOUT_CHILD"

// TestMain lets the test binary act as a layout process for the pool's
// tests.
func TestMain(m *testing.M) {
	if os.Getenv(layoutChildEnv) == "1" {
		if err := ServeLayouts(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testPool returns a pool of the test binary's layout processes, closed
// when the test ends, and the list of the commands it started.
func testPool(t *testing.T, size int, timeout time.Duration) (*LayoutPool, *[]*exec.Cmd) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		started []*exec.Cmd
	)
	p := NewLayoutPool(func() *exec.Cmd {
		c := exec.Command(exe)
		c.Env = append(os.Environ(), layoutChildEnv+"=1")
		mu.Lock()
		started = append(started, c)
		mu.Unlock()
		return c
	}, size, timeout)
	t.Cleanup(p.Close)
	return p, &started
}

// fanDOT returns the DOT text of a chain of n adds that all read one input
// c: a shape Graphviz takes minutes to lay out at n = 100.
func fanDOT(t testing.TB, n int) []byte {
	var b strings.Builder
	b.WriteString("name: fan\ninputs: {c: 1, z0: 0}\nnodes:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  z%d: add(z%d, c)\n", i, i-1)
	}
	return DOT(loadSource(t, b.String()), Options{})
}

// TestLayoutPool checks that a layout in a child process gives the bytes of
// one in this process, and that children are reused.
func TestLayoutPool(t *testing.T) {
	dot := DOT(loadSpec(t, "worked_example"), Options{})
	want, err := runGraphviz(dot, "svg")
	if err != nil {
		t.Fatal(err)
	}
	p, started := testPool(t, 1, time.Minute)
	for range 3 {
		got, err := p.Layout(dot)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatal("the SVG of a layout process differs from this process's")
		}
	}
	if len(*started) != 1 {
		t.Errorf("%d processes started for 3 layouts, want 1", len(*started))
	}
	// A DOT error is an error, and the next layout works.
	if _, err := p.Layout([]byte("digraph { a -> }")); err == nil {
		t.Error("no error for bad DOT")
	}
	if _, err := p.Layout(dot); err != nil {
		t.Errorf("after an error: %v", err)
	}
}

// TestLayoutTimeout lays out a graph Graphviz takes minutes on, with a
// time limit of a second: the layout stops with a LayoutTimeoutError, its
// process is gone, and the pool goes on with a new one.
func TestLayoutTimeout(t *testing.T) {
	p, started := testPool(t, 1, time.Second)
	p.TimeoutOption = "--layout-timeout"
	_, err := p.Layout(fanDOT(t, 100))
	var te *LayoutTimeoutError
	if !errors.As(err, &te) || te.Limit != time.Second {
		t.Fatalf("got %v, want a timeout after 1s", err)
	}
	for _, want := range []string{"stopped after 1s", "raise it with --layout-timeout", "fewer nodes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	first := (*started)[0]
	if first.ProcessState == nil {
		t.Error("the process of the stopped layout was not waited for")
	} else if ws, ok := first.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signal() != syscall.SIGKILL {
		t.Errorf("the process of the stopped layout ended with %v, want killed", first.ProcessState)
	}
	if _, err := p.Layout(DOT(loadSpec(t, "worked_example"), Options{})); err != nil {
		t.Fatalf("after a timeout: %v", err)
	}
	if len(*started) != 2 {
		t.Errorf("%d processes started, want 2", len(*started))
	}
}

// TestLayoutPoolConcurrent runs layouts through a pool of two processes
// while a slow layout occupies one: they do not wait for it. Close then
// stops the slow one.
func TestLayoutPoolConcurrent(t *testing.T) {
	p, _ := testPool(t, 2, time.Hour)
	slow := make(chan error, 1)
	dot := fanDOT(t, 100)
	go func() {
		_, err := p.Layout(dot)
		slow <- err
	}()
	fast := DOT(loadSpec(t, "worked_example"), Options{})
	for range 4 {
		if _, err := p.Layout(fast); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-slow:
		t.Fatalf("the slow layout ended first: %v", err)
	default:
	}
	p.Close()
	if err := <-slow; err == nil {
		t.Fatal("the slow layout succeeded after Close")
	}
	if _, err := p.Layout(fast); err == nil {
		t.Fatal("a layout succeeded after Close")
	}
}
