package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
	"github.com/chromedp/chromedp"
)

// chromium is where Debian's chromium package installs the browser.
const chromium = "/usr/bin/chromium"

// newBrowser starts a headless chromium with a fresh profile, as the live
// page's browser test does, and returns a context for its first tab. It
// skips the test, loudly, when chromium is not installed.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("SKIPPED: browser test needs %s, which is not installed (%v). "+
			"Install it with `apt-get install -y chromium`; .ci/run does so when it runs as root.", chromium, err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx
}

// TestAnimateBrowser opens the worked example's animated SVG in chromium
// and checks that it parses and plays: one CSS animation per frame, running,
// and, seeked with the Web Animations API to the middle of each frame's
// slot, exactly that frame visible, showing its number.
func TestAnimateBrowser(t *testing.T) {
	g, err := graph.LoadFile(filepath.Join("..", "specs", "worked_example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	frames, err := Frames(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := len(frames)
	if want := len(a.Graph.Nodes) + len(a.Edges) + TitleFrames; n != want {
		t.Fatalf("%d frames, want nodes + edges + title frames = %d", n, want)
	}
	svgs := make([][]byte, n)
	for k, f := range frames {
		if svgs[k], err = SVG(f.DOT); err != nil {
			t.Fatalf("frame %d: %v", k+1, err)
		}
	}
	anim, err := Animate(svgs)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "worked_example-anim.svg")
	if err := os.WriteFile(file, anim, 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file)); err != nil {
		t.Fatal(err)
	}
	js := func(expr string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`String(`+expr+`)`))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return s
	}

	// Parsed as SVG: an XML error would give a parsererror element instead.
	if got := js(`document.documentElement.namespaceURI + ' ' + document.documentElement.localName + ' ' + document.getElementsByTagNameNS('*', 'parsererror').length`); got != "http://www.w3.org/2000/svg svg 0" {
		t.Fatalf("the document is not a well-formed SVG: root and parse errors %q", got)
	}
	if got := js(`document.querySelectorAll('g.cv-frame').length`); got != strconv.Itoa(n) {
		t.Fatalf("%s frame groups, want %d", got, n)
	}

	// It plays by itself: one running animation per frame, whose time
	// advances.
	if got := js(`document.getAnimations().filter((a) => a.animationName === 'cv-show' && a.playState === 'running').length`); got != strconv.Itoa(n) {
		t.Fatalf("%s running cv-show animations, want %d", got, n)
	}
	// The browser's clock is polled until it moves, for at most 10 s: a
	// loaded machine may not advance it for a while, but a stopped
	// animation never does.
	t0, _ := strconv.ParseFloat(js(`document.getAnimations()[0].currentTime`), 64)
	for deadline := time.Now().Add(10 * time.Second); ; {
		t1, _ := strconv.ParseFloat(js(`document.getAnimations()[0].currentTime`), 64)
		if t1 > t0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the animation does not advance: currentTime %g ms, still %g ms after 10 s", t0, t1)
		}
	}

	// Paused and seeked to the middle of each slot, and to its end, the
	// frames visible (computed opacity 1) are exactly the one of the slot.
	visible := func(ms int) string {
		t.Helper()
		return js(fmt.Sprintf(`(() => {
			for (const a of document.getAnimations()) { a.pause(); a.currentTime = %d; }
			return [...document.querySelectorAll('g.cv-frame')]
				.filter((g) => getComputedStyle(g).opacity === '1')
				.map((g) => g.id + ':' + ([...g.querySelectorAll('text')].some((e) => e.textContent === g.id.slice(5) + '/%d') ? 'numbered' : 'unnumbered'))
				.join(',');
		})()`, ms, n))
	}
	cycle := n * FrameSeconds * 1000
	for k := 1; k <= n; k++ {
		want := fmt.Sprintf("frame%d:numbered", k)
		start := (k - 1) * FrameSeconds * 1000
		for _, ms := range []int{start + FrameSeconds*500, start + FrameSeconds*1000 - 50} {
			if got := visible(ms); got != want {
				t.Errorf("at %d ms, visible %q, want %q", ms, got, want)
			}
		}
	}
	// The cycle starts over: after the last frame comes the first.
	if got := visible(cycle + 1000); got != "frame1:numbered" {
		t.Errorf("at %d ms, one second into the second cycle, visible %q, want frame1", cycle+1000, got)
	}
}
