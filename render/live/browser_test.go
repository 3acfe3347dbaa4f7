package live

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshot makes TestBrowser write the page as a user sees it to
// out/serve.png, the screenshot the README shows:
//
//	go test ./render/live -run TestBrowser -screenshot
var screenshot = flag.Bool("screenshot", false, "write the browser test's screenshot to out/serve.png")

// chromium is where Debian's chromium package installs the browser.
const chromium = "/usr/bin/chromium"

// newBrowser starts a headless chromium with a fresh profile and returns a
// context for its first tab. It skips the test, loudly, when chromium is
// not installed.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("SKIPPED: browser test needs %s, which is not installed (%v). "+
			"Install it with `apt-get install -y chromium`; .ci/run does so when it runs as root.", chromium, err)
	}
	opts := []chromedp.ExecAllocatorOption{
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
		chromedp.WindowSize(1600, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx
}

// page drives the live page in a browser tab.
type page struct {
	t   *testing.T
	ctx context.Context
}

// js evaluates a JavaScript expression and returns its value as a string.
func (p page) js(expr string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`String(`+expr+`)`))
	if err != nil {
		p.t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// waitFor waits at most 10 s until the expression is true, and fails the
// test with what the page shows otherwise.
func (p page) waitFor(what, expr string) {
	p.t.Helper()
	err := chromedp.Do(p.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		p.t.Fatalf("waiting for %s (%s): %v\nloss: %s\nproblems: %s\ncaption: %s", what, expr, err,
			p.js(`document.getElementById('loss').textContent`),
			p.js(`document.getElementById('diagnostics').textContent`),
			p.js(`document.getElementById('step-caption').textContent`))
	}
}

// click dispatches a click on the SVG group whose title is title ("n2").
func (p page) click(title string) {
	p.t.Helper()
	ok := p.js(fmt.Sprintf(`(() => {
		for (const g of document.querySelectorAll('#diagram g')) {
			const t = g.querySelector(':scope > title');
			if (t && t.textContent === %q) { g.dispatchEvent(new MouseEvent('click', {bubbles: true})); return true; }
		}
		return false;
	})()`, title))
	if ok != "true" {
		p.t.Fatalf("no SVG group titled %s", title)
	}
}

// step moves the step slider to frame f, as dragging it does.
func (p page) step(f int) {
	p.t.Helper()
	p.js(fmt.Sprintf(`(() => { const s = document.getElementById('step'); s.value = %d; s.dispatchEvent(new Event('input')); })()`, f))
}

// TestBrowser uses the page in chromium as a user would: it opens the
// worked example, edits the file on disk until the loss changes, breaks the
// spec and sees the diagnostic while the diagram stays, fixes it, clicks a
// node to read its derivation, and steps through the passes.
func TestBrowser(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	spec := writeFile(t, dir, "worked_example.yaml", workedExample)
	writeFile(t, dir, "hostile.yaml", hostileSpec)
	if *screenshot {
		// The screenshot shows the real folder of examples.
		files, _ := filepath.Glob(filepath.Join("..", "..", "specs", "*.yaml"))
		for _, f := range files {
			src, _ := os.ReadFile(f)
			writeFile(t, dir, filepath.Base(f), string(src))
		}
	}
	_, ts := newTestServer(t, dir, Options{})
	p := page{t, ctx}

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/#path=worked_example.yaml")); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the live connection and the diagram", `document.body.dataset.live === 'on' && document.querySelector('#diagram svg g.node') !== null`)
	p.waitFor("the loss", `document.getElementById('loss').textContent === 'L = 81'`)
	if got := p.js(`document.querySelector('#specs button.on').textContent`); got != "worked_example.yaml" {
		t.Errorf("selected spec %q", got)
	}

	// Edit the value of x on disk: the page redraws with the new loss,
	// (3·3 + 1)·2 = 20 and (20 − 5)² = 225, without a reload.
	p.js(`window.notReloaded = true`)
	os.WriteFile(spec, []byte(strings.Replace(workedExample, "  x: 2\n", "  x: 3\n", 1)), 0o644)
	p.waitFor("the new loss", `document.getElementById('loss').textContent === 'L = 225'`)
	p.waitFor("the new value in the diagram", `[...document.querySelectorAll('#diagram text')].some((e) => e.textContent === '225')`)
	if p.js(`window.notReloaded`) != "true" {
		t.Error("the page was reloaded")
	}

	// Break it: the diagnostic appears with its line and column, the last
	// good diagram stays.
	os.WriteFile(spec, []byte(strings.Replace(workedExample, "{op: mul,", "{op: mull,", 1)), 0o644)
	p.waitFor("the diagnostic", `document.getElementById('diagnostics').textContent.includes('worked_example.yaml:8:12: unknown op "mull"; did you mean "mul"?')`)
	if p.js(`!document.getElementById('problems').hidden && !document.getElementById('stale').hidden`) != "true" {
		t.Error("the problems panel or the stale notice is hidden")
	}
	if p.js(`[...document.querySelectorAll('#diagram text')].some((e) => e.textContent === '225')`) != "true" {
		t.Error("the last good diagram is gone")
	}

	// Fix it, with an editor's atomic save (write a copy, rename it over).
	tmp := filepath.Join(dir, ".worked_example.yaml.tmp")
	os.WriteFile(tmp, []byte(workedExample), 0o644)
	os.Rename(tmp, spec)
	p.waitFor("the fix", `document.getElementById('problems').hidden && document.getElementById('loss').textContent === 'L = 81'`)

	// Click W1 (node n2): its one path to L lights up and the panel shows
	// the derivation ∂L/∂W1 = 18 × 2 × 1 × 2 = 72.
	p.click("n2")
	p.waitFor("the derivation", `document.getElementById('explain').textContent.includes('= 72')`)
	if got := p.js(`document.getElementById('side-title').textContent`); got != "∂L/∂W1" {
		t.Errorf("side panel title %q", got)
	}
	// On the path: W1, a1, z1, h1, a2, z2, L.
	if got := p.js(`[...document.querySelectorAll('#diagram g.node.hl')].filter((g) => /^n\d+$/.test(g.querySelector('title').textContent)).length`); got != "7" {
		t.Errorf("%s nodes highlighted, want 7", got)
	}

	// Step through the passes: the steps of render.Steps, the frames of
	// chainviz render --frames with their captions: a title, the 12 nodes,
	// a title that seeds the gradient, then the 11 edges from the output
	// back (into one node in argument order).
	want := []string{
		"Forward pass: each node's value is computed from the values of its inputs, from the leaves to the output L.",
		"x = 2, an input.",
		"y = 5, an input without gradient (grad: false).",
		"W₁ = 3, a parameter.",
		"b₁ = 1, a parameter.",
		"W₂ = 2, a parameter.",
		"b₂ = 0, a parameter.",
		"a₁ = W₁·x = 3·2 = 6.",
		"z₁ = a₁ + b₁ = 6 + 1 = 7.",
		"h₁ = ReLU(z₁) = ReLU(7) = 7.",
		"a₂ = W₂·h₁ = 2·7 = 14.",
		"z₂ = a₂ + b₂ = 14 + 0 = 14.",
		"L = Σ(z₂ − y)² = Σ(14 − 5)² = 81: the output.",
		"Backward pass: the gradient of L with respect to itself is ∂L/∂L = 1; from there each edge carries upstream × local derivative back to its input, from the output to the leaves.",
		"δ flows from L back to z₂: ∂L/∂L × ∂L/∂z₂ = 1 × 18 = 18.",
		"No gradient flows from L back to y: it is declared with grad: false.",
		"δ flows from z₂ back to a₂: ∂L/∂z₂ × ∂z₂/∂a₂ = 18 × 1 = 18.",
		"δ flows from z₂ back to b₂: ∂L/∂z₂ × ∂z₂/∂b₂ = 18 × 1 = 18.",
		"δ flows from a₂ back to W₂: ∂L/∂a₂ × ∂a₂/∂W₂ = 18 × 7 = 126.",
		"δ flows from a₂ back to h₁: ∂L/∂a₂ × ∂a₂/∂h₁ = 18 × 2 = 36.",
		"δ flows from h₁ back to z₁: ∂L/∂h₁ × ∂h₁/∂z₁ = 36 × 1 = 36.",
		"δ flows from z₁ back to a₁: ∂L/∂z₁ × ∂z₁/∂a₁ = 36 × 1 = 36.",
		"δ flows from z₁ back to b₁: ∂L/∂z₁ × ∂z₁/∂b₁ = 36 × 1 = 36.",
		"δ flows from a₁ back to W₁: ∂L/∂a₁ × ∂a₁/∂W₁ = 36 × 2 = 72.",
		"δ flows from a₁ back to x: ∂L/∂a₁ × ∂a₁/∂x = 36 × 3 = 108.",
	}
	if got := p.js(`document.getElementById('step').max`); got != fmt.Sprint(len(want)) {
		t.Fatalf("slider max %s, want %d", got, len(want))
	}
	for i, w := range want {
		p.step(i + 1)
		if got := p.js(`document.getElementById('step-caption').textContent`); got != w {
			t.Errorf("step %d: %q, want %q", i+1, got, w)
		}
	}
	// Step 8 computes a1 (n6) from W1 and x: it and its two edges are
	// current, the nodes after it are not computed yet.
	p.step(8)
	if got := p.js(`document.getElementById('step-label').textContent`); got != "forward 8/25" {
		t.Errorf("step 8 is labelled %q", got)
	}
	if p.js(`document.querySelector('#diagram svg').classList.contains('focus')`) != "false" {
		t.Error("stepping kept the node's highlight")
	}
	// The titles of the graph's nodes (n6) and wires (e4) marked with a
	// class, sorted.
	marked := func(cls string) string {
		return p.js(`[...document.querySelectorAll('#diagram g.node.` + cls + `')].map((g) => g.querySelector('title').textContent).sort().join(' ')`)
	}
	if got := marked("cur"); got != "e0 e1 n6" {
		t.Errorf("step 8 highlights %q, want a1's wires e0, e1 and a1 (n6)", got)
	}
	if got := marked("seen"); got != "e0 e1 n0 n1 n2 n3 n4 n5 n6" {
		t.Errorf("step 8 shows %q computed, want the leaves, a1 and its wires", got)
	}
	// Step 20 follows a2 → h1 (edge e6) back into h1 (n8).
	p.step(20)
	if got := marked("cur") + " " + p.js(`document.querySelectorAll('#diagram g.edge.cur').length`); got != "e6 n8 2" {
		t.Errorf("step 20 highlights %q, want h1 (n8), the wire e6 and its 2 halves", got)
	}
	p.step(len(want))
	if got := marked("done"); got != "n0 n10 n11 n2 n3 n4 n5 n6 n7 n8 n9" {
		t.Errorf("at the end the gradients of %q are done, want every node's but y's (n1)", got)
	}
	if got := p.js(`document.querySelectorAll('#diagram g.edge.flowed').length`); got != "20" {
		t.Errorf("%s edge halves flowed at the end, want 20 (every edge but y's)", got)
	}

	// The view switch redraws the backward view.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-view="backward"]`))); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the backward view", `document.querySelector('button[data-view="backward"]').classList.contains('on') && location.hash.includes('view=backward')`)

	// Hostile strings are shown as text and run nothing.
	p.click("n2")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#specs button[data-path="hostile.yaml"]`))); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the hostile spec", `document.getElementById('spec-name').textContent === 'hostile'`)
	p.waitFor("its title as text", `[...document.querySelectorAll('#diagram text')].some((e) => e.textContent.includes('<img src=x onerror='))`)
	if got := p.js(`window.pwned === undefined && document.querySelectorAll('#diagram img, #diagram script, #diagram foreignObject, img').length === 0`); got != "true" {
		t.Error("a string of the spec became markup or ran")
	}

	// Removing the selected spec shows another one.
	os.Remove(filepath.Join(dir, "hostile.yaml"))
	p.waitFor("another spec", `!document.querySelector('#specs button[data-path="hostile.yaml"]') && `+
		`document.getElementById('spec-name').textContent !== 'hostile' && document.querySelector('#specs button.on') !== null`)

	if *screenshot {
		takeScreenshot(t, p, spec)
	}
}

// hostileSpec has markup and script in every free-text field.
const hostileSpec = `name: hostile
title: "<img src=x onerror='window.pwned=1'>"
description: "</svg><script>window.pwned=2</script>"
inputs:
  a: {value: 2, label: "<b onmouseover=window.pwned=3>a</b>"}
nodes:
  y: {op: neg, in: [a], label: "<svg onload=window.pwned=4>"}
`

// takeScreenshot shows the worked example of specs/ with W1 picked, its
// derivation in the side panel, and writes the page to out/serve.png.
func takeScreenshot(t *testing.T, p page, spec string) {
	src, err := os.ReadFile(filepath.Join("..", "..", "specs", "worked_example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(spec, src, 0o644)
	p.js(`document.querySelector('#specs button[data-path="worked_example.yaml"]').click()`)
	p.js(`document.querySelector('button[data-view="full"]').click()`)
	p.waitFor("the worked example", `document.getElementById('loss').textContent === 'L = 81' && location.hash.includes('view=full')`)
	p.waitFor("the diagram of specs/worked_example.yaml", `[...document.querySelectorAll('#diagram text')].some((e) => e.textContent.startsWith('Update with learning rate'))`)
	p.click("n2")
	p.waitFor("the derivation", `document.getElementById('explain').textContent.includes('= 72')`)
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join("..", "..", "out", "serve.png")
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", out, len(png))
}
