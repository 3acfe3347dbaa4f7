package live

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/render"
)

// layoutChildEnv makes the test binary a layout process (see TestMain).
const layoutChildEnv = "CHAINVIZ_TEST_LAYOUT_CHILD"

// TestMain lets the test binary act as a layout process, for the tests
// that lay out in child processes as chainviz serve does.
func TestMain(m *testing.M) {
	if os.Getenv(layoutChildEnv) == "1" {
		if err := render.ServeLayouts(os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// useLayoutPool makes the layouts of the test run in child processes (the
// test binary), as chainviz serve's do, until the test ends.
func useLayoutPool(t *testing.T, size int, timeout time.Duration) *render.LayoutPool {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := render.NewLayoutPool(func() *exec.Cmd {
		c := exec.Command(exe)
		c.Env = append(os.Environ(), layoutChildEnv+"=1")
		return c
	}, size, timeout)
	render.UseLayoutPool(p)
	t.Cleanup(func() { render.UseLayoutPool(nil); p.Close() })
	return p
}

// fanSpec is a chain of n adds that all read one input c: Graphviz takes
// minutes to lay it out at n = 100.
func fanSpec(n int) string {
	var b strings.Builder
	b.WriteString("name: fan\ninputs: {c: 1, z0: 0}\nnodes:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  z%d: add(z%d, c)\n", i, i-1)
	}
	return b.String()
}

// TestSlowFileDoesNotBlock asks for a spec whose layout takes minutes, then
// for another: the other is served while the slow one is still being laid
// out. The slow one then fails at its time limit, with a diagnostic.
func TestSlowFileDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ok.yaml", workedExample)
	writeFile(t, dir, "fan.yaml", fanSpec(100))
	_, ts := newTestServer(t, dir, Options{})
	p := useLayoutPool(t, 2, time.Hour)

	slow := make(chan string, 1)
	go func() {
		_, _, body := get(t, ts, "/api/spec?path=fan.yaml")
		slow <- body
	}()
	for _, view := range []string{"full", "forward", "backward"} {
		if code, _, body := get(t, ts, "/api/spec?path=ok.yaml&view="+view); code != http.StatusOK || !strings.Contains(body, `"ok":true`) {
			t.Fatalf("ok.yaml %s: %d %.300s", view, code, body)
		}
	}
	select {
	case body := <-slow:
		t.Fatalf("the slow spec was served first: %.300s", body)
	default:
	}

	// At the time limit, the slow spec fails with a diagnostic; a second
	// request for it while it is laid out waits for the same layout.
	p.SetTimeout(time.Second)
	writeFile(t, dir, "fan.yaml", fanSpec(100)+"# changed\n")
	again := make(chan specView, 2)
	for range 2 {
		go func() { again <- getView(t, ts, "fan.yaml") }()
	}
	for range 2 {
		v := <-again
		if v.OK || len(v.Diagnostics) == 0 || !strings.Contains(v.Diagnostics[0].Text, "stopped after 1s") {
			t.Errorf("the slow spec: OK %v, diagnostics %+v; want the time limit", v.OK, v.Diagnostics)
		}
	}
}

// TestPNGRendersCapped sends a burst of PNG downloads: at most
// maxPNGRenders are drawn at a time, the others wait, and all succeed.
func TestPNGRendersCapped(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ok.yaml", workedExample)
	srv, ts := newTestServer(t, dir, Options{})
	var inside, most atomic.Int64
	release := make(chan struct{})
	srv.drawPNG = func(*backward.Annotated, render.View) ([]byte, error) {
		n := inside.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		inside.Add(-1)
		return []byte("png"), nil
	}
	const burst = 6
	var wg sync.WaitGroup
	codes := make(chan int, burst)
	for range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, _ := get(t, ts, "/api/download?path=ok.yaml&format=png")
			codes <- code
		}()
	}
	deadline := time.Now().Add(30 * time.Second)
	for inside.Load() < maxPNGRenders || srv.pngWaiting.Load() < burst-maxPNGRenders {
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s, %d drawing and %d waiting, want %d and %d", inside.Load(), srv.pngWaiting.Load(), maxPNGRenders, burst-maxPNGRenders)
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("status %d", code)
		}
	}
	if most.Load() > maxPNGRenders {
		t.Errorf("%d PNGs drawn at once, want at most %d", most.Load(), maxPNGRenders)
	}
}
