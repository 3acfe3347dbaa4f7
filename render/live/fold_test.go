package live

import (
	"encoding/json"
	"github.com/chromedp/chromedp"
	"net/http"
	"strings"
	"testing"
)

// TestFoldParams: the live page collapses a group and focuses a node by
// the collapse and focus parameters of /api/spec; the frames and boxes
// carry the ids its clicks use, and bad parameters are refused.
func TestFoldParams(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "net.yaml", `name: net
inputs: {x: 2}
params: {w: 3, b: 1}
nodes:
  a: mul(w, x)
  z: add(a, b)
  h: relu(z)
  L: mul(h, h)
groups:
  layer: [w, b, a, z]
`)
	_, ts := newTestServer(t, dir, Options{})
	svg := func(query string) string {
		t.Helper()
		code, _, body := get(t, ts, "/api/spec?path=net.yaml"+query)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", query, code, body)
		}
		var v specView
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		if !v.OK {
			t.Fatalf("%s: %+v", query, v.Diagnostics)
		}
		return v.SVG
	}
	if s := svg(""); !strings.Contains(s, `id="group_layer"`) || strings.Contains(s, "collapsed ·") {
		t.Error("the group is not drawn as a frame the page can click")
	}
	if s := svg("&collapse=layer"); !strings.Contains(s, `id="box_layer"`) || !strings.Contains(s, "collapsed · 4 nodes") {
		t.Error("collapse=layer draws no box")
	}
	if s := svg("&focus=h"); !strings.Contains(s, "Focus on h") || strings.Contains(s, "m = w·x") {
		t.Error("focus=h does not draw h's neighbourhood only")
	}
	for _, bad := range []string{"&focus=%3Cscript%3E", "&collapse=a%20b", "&collapse=layer&focus=h"} {
		if code, _, _ := get(t, ts, "/api/spec?path=net.yaml"+bad); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, code)
		}
	}
	// An unknown group is a diagnostic of the spec view, not a crash.
	code, _, body := get(t, ts, "/api/spec?path=net.yaml&collapse=nolayer")
	if code != http.StatusOK || !strings.Contains(body, `unknown group \"nolayer\"`) {
		t.Errorf("collapse=nolayer: %d %s", code, body)
	}
}

// TestBrowserFold clicks a group's frame in chromium: the group becomes one
// box; a click on the box expands it; a double click on a node draws its
// neighbourhood only, and "show all" draws everything again.
func TestBrowserFold(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	writeFile(t, dir, "net.yaml", `name: net
inputs: {x: 2}
params: {w: 3, b: 1}
nodes:
  a: mul(w, x)
  z: add(a, b)
  h: relu(z)
  L: mul(h, h)
groups:
  layer: [w, b, a, z]
`)
	_, ts := newTestServer(t, dir, Options{})
	p := page{t, ctx}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/#path=net.yaml")); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the frame of the group", `document.querySelector('#diagram g.cluster.foldable') !== null`)
	p.js(`document.querySelector('#diagram g.cluster.foldable').dispatchEvent(new MouseEvent('click', {bubbles: true}))`)
	p.waitFor("the collapsed box", `document.querySelector('#diagram g.node.foldable') !== null && document.querySelector('#diagram g.cluster') === null`)
	if got := p.js(`document.getElementById('fold-text').textContent`); got != "collapsed: layer" {
		t.Errorf("the fold line says %q", got)
	}
	p.js(`document.querySelector('#diagram g.node.foldable').dispatchEvent(new MouseEvent('click', {bubbles: true}))`)
	p.waitFor("the frame again", `document.querySelector('#diagram g.cluster.foldable') !== null`)
	// h is node n5 (x, w, b, then a, z, h, L in order).
	p.js(`(() => { for (const g of document.querySelectorAll('#diagram g.node')) { const t = g.querySelector(':scope > title'); if (t && t.textContent === 'n5') g.dispatchEvent(new MouseEvent('dblclick', {bubbles: true})); } })()`)
	p.waitFor("the focus", `[...document.querySelectorAll('#diagram text')].some((e) => e.textContent.startsWith('Focus on h'))`)
	p.js(`document.getElementById('unfold').click()`)
	p.waitFor("every node again", `document.getElementById('fold').hidden && ![...document.querySelectorAll('#diagram text')].some((e) => e.textContent.startsWith('Focus on'))`)
}
