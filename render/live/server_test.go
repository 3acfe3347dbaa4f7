package live

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// workedExample is the note's worked example: L = 81, ∂L/∂W1 = 72.
const workedExample = `name: worked_example
title: "L = (W2·ReLU(W1·x + b1) + b2 − y)²"
inputs:
  x: 2
  y: {value: 5, grad: false}
params: {W1: 3, b1: 1, W2: 2, b2: 0}
nodes:
  a1: {op: mul, in: [W1, x]}
  z1: add(a1, b1)
  h1: {op: relu, in: [z1], label: "ReLU"}
  a2: mul(W2, h1)
  z2: add(a2, b2)
  L: squared_error(z2, y)
`

// writeFile writes a file under dir, creating its folders.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// newTestServer serves dir on a loopback test server and watches it until
// the test ends.
func newTestServer(t *testing.T, dir string, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Debounce == 0 {
		opts.Debounce = 30 * time.Millisecond
	}
	srv, err := New(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Watch(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		srv.Close() // Ends the event streams, so that ts.Close does not wait for them.
		ts.Close()
		<-done
	})
	return srv, ts
}

// get fetches a path of the test server and returns the status and body.
func get(t *testing.T, ts *httptest.Server, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func getView(t *testing.T, ts *httptest.Server, path string) specView {
	t.Helper()
	code, _, body := get(t, ts, "/api/spec?"+url.Values{"path": {path}}.Encode())
	if code != http.StatusOK {
		t.Fatalf("GET /api/spec %s: %d %s", path, code, body)
	}
	var v specView
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSpecViewKeepsLastGoodDiagram(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "worked_example.yaml", workedExample)
	_, ts := newTestServer(t, dir, Options{})

	v := getView(t, ts, "worked_example.yaml")
	if !v.OK || v.Stale || v.Loss != "81" || !strings.Contains(v.SVG, "<svg") {
		t.Fatalf("good spec: ok=%v stale=%v loss=%q svg=%d bytes", v.OK, v.Stale, v.Loss, len(v.SVG))
	}
	if len(v.Nodes) != 12 || len(v.Edges) != 11 || v.Nodes[v.Output].Name != "L" {
		t.Fatalf("got %d nodes, %d edges, output %d", len(v.Nodes), len(v.Edges), v.Output)
	}
	w1 := v.Nodes[slices.IndexFunc(v.Nodes, func(n nodeView) bool { return n.Name == "W1" })]
	if w1.Grad != "72" || w1.Value != "3" {
		t.Errorf("W1: value %q grad %q, want 3 and 72", w1.Value, w1.Grad)
	}
	// The slider's steps are render.Steps: those of chainviz render
	// --frames, nodes + edges + 2 of them, with the same captions.
	if len(v.Steps) != 12+11+2 {
		t.Fatalf("%d steps, want 25", len(v.Steps))
	}
	st := v.Steps[19]
	if st.Pass != "backward" || st.Caption != "δ flows from a₂ back to h₁: ∂L/∂a₂ × ∂a₂/∂h₁ = 18 × 2 = 36." ||
		st.Edge < 0 || v.Edges[st.Edge].From != st.Node || v.Nodes[st.Node].Name != "h1" || v.Nodes[v.Edges[st.Edge].To].Name != "a2" {
		t.Errorf("step 20: %+v", st)
	}
	if st := v.Steps[7]; st.Pass != "forward" || st.Caption != "a₁ = W₁·x = 3·2 = 6." || v.Nodes[st.Node].Name != "a1" || st.Edge != -1 {
		t.Errorf("step 8: %+v", st)
	}
	_, _, body := get(t, ts, "/api/spec?path=worked_example.yaml")
	if want := `"steps":[{"pass":"forward","node":-1,"edge":-1,"caption":"Forward pass: `; !strings.Contains(body, want) {
		t.Errorf("the answer has no %s", want)
	}
	good := v.SVG

	// Broken: the diagnostics come with their position, the diagram stays.
	os.WriteFile(spec, []byte(strings.Replace(workedExample, "{op: mul,", "{op: mull,", 1)), 0o644)
	v = getView(t, ts, "worked_example.yaml")
	if v.OK || !v.Stale || v.SVG != good {
		t.Fatalf("broken spec: ok=%v stale=%v same svg=%v", v.OK, v.Stale, v.SVG == good)
	}
	want := `worked_example.yaml:8:12: unknown op "mull"; did you mean "mul"?`
	if len(v.Diagnostics) != 1 || v.Diagnostics[0].Text != want || v.Diagnostics[0].Line != 8 || v.Diagnostics[0].Col != 12 {
		t.Fatalf("diagnostics %+v, want %s", v.Diagnostics, want)
	}

	// Fixed with another value: a new diagram.
	os.WriteFile(spec, []byte(strings.Replace(workedExample, "  x: 2\n", "  x: 3\n", 1)), 0o644)
	v = getView(t, ts, "worked_example.yaml")
	if !v.OK || v.Stale || v.Loss != "225" || v.SVG == good || len(v.Diagnostics) != 0 {
		t.Fatalf("fixed spec: ok=%v stale=%v loss=%q diags=%v", v.OK, v.Stale, v.Loss, v.Diagnostics)
	}

	// A spec that never worked has no diagram to keep.
	writeFile(t, dir, "bad.yaml", "name: bad\nnodes:\n  y: neg(nope)\n")
	v = getView(t, ts, "bad.yaml")
	if v.OK || v.Stale || v.SVG != "" || len(v.Diagnostics) == 0 || v.Diagnostics[0].Line != 3 {
		t.Fatalf("bad spec: %+v", v)
	}
}

func TestSpecList(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFile(t, outside, "secret.yaml", workedExample)
	writeFile(t, dir, "b.yaml", workedExample)
	writeFile(t, dir, "a.yml", workedExample)
	writeFile(t, dir, "sub/c.yaml", workedExample)
	writeFile(t, dir, ".hidden.yaml", workedExample)
	writeFile(t, dir, ".git/d.yaml", workedExample)
	writeFile(t, dir, "notes.txt", "not a spec")
	mustSymlink(t, "b.yaml", filepath.Join(dir, "link_in.yaml"))
	// An absolute link is refused even when it points inside: os.Root
	// follows only relative links that stay in the folder.
	mustSymlink(t, filepath.Join(dir, "b.yaml"), filepath.Join(dir, "link_abs.yaml"))
	mustSymlink(t, filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "link_out.yaml"))
	mustSymlink(t, outside, filepath.Join(dir, "outdir"))
	_, ts := newTestServer(t, dir, Options{})

	code, _, body := get(t, ts, "/api/specs")
	var res struct{ Specs []string }
	if code != 200 || json.Unmarshal([]byte(body), &res) != nil {
		t.Fatalf("GET /api/specs: %d %s", code, body)
	}
	want := []string{"a.yml", "b.yaml", "link_in.yaml", "sub/c.yaml"}
	if !slices.Equal(res.Specs, want) {
		t.Errorf("specs %q, want %q", res.Specs, want)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot make symbolic links here: %v", err)
	}
}

// TestNoEscape asks every endpoint for files outside the folder, by ".."
// and by symbolic links, and for files inside it that are not specs.
func TestNoEscape(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "served")
	secret := "name: secret\nnodes:\n  y: neg(1)\n"
	writeFile(t, root, "secret.yaml", secret)
	writeFile(t, root, "other/secret.yaml", secret)
	writeFile(t, dir, "ok.yaml", workedExample)
	writeFile(t, dir, "sub/ok.yaml", workedExample)
	writeFile(t, dir, ".hidden.yaml", secret)
	writeFile(t, dir, "notes.txt", secret)
	mustSymlink(t, filepath.Join(root, "secret.yaml"), filepath.Join(dir, "escape.yaml"))
	mustSymlink(t, filepath.Join(root, "other"), filepath.Join(dir, "otherdir"))
	mustSymlink(t, "../secret.yaml", filepath.Join(dir, "sub", "relescape.yaml"))
	mustSymlink(t, "ok.yaml", filepath.Join(dir, "inside.yaml"))
	_, ts := newTestServer(t, dir, Options{})

	bad := []string{
		"../secret.yaml", "sub/../../secret.yaml", "./ok.yaml", "sub/./ok.yaml", "sub//ok.yaml",
		filepath.Join(root, "secret.yaml"), "/ok.yaml", `sub\..\..\secret.yaml`, "ok.yaml\x00.yaml",
		"escape.yaml", "otherdir/secret.yaml", "sub/relescape.yaml", ".hidden.yaml", "notes.txt",
		"missing.yaml", "", "sub", "sub/",
	}
	endpoints := []string{"/api/spec?", "/api/explain?node=y&", "/api/download?format=svg&", "/api/download?format=json&"}
	for _, p := range bad {
		for _, ep := range endpoints {
			code, _, body := get(t, ts, ep+url.Values{"path": {p}}.Encode())
			if code != http.StatusNotFound || strings.Contains(body, "secret") {
				t.Errorf("%s path=%q: %d %q, want 404 without the secret", ep, p, code, body)
			}
		}
	}
	// Raw escapes in the URL path reach no file either.
	for _, raw := range []string{"/assets/../../secret.yaml", "/assets/%2e%2e/%2e%2e/secret.yaml", "/..%2fsecret.yaml", "/secret.yaml"} {
		if code, _, body := get(t, ts, raw); code == http.StatusOK || strings.Contains(body, "secret") {
			t.Errorf("GET %s: %d %q", raw, code, body)
		}
	}
	for _, good := range []string{"ok.yaml", "sub/ok.yaml", "inside.yaml"} {
		if v := getView(t, ts, good); !v.OK {
			t.Errorf("%s: %+v", good, v.Diagnostics)
		}
	}
}

func TestHostAndHeaders(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ok.yaml", workedExample)
	_, ts := newTestServer(t, dir, Options{})
	for _, c := range []struct {
		host string
		code int
	}{
		{"", http.StatusOK}, // The test server's own 127.0.0.1:port.
		{"localhost:7878", http.StatusOK},
		{"[::1]:7878", http.StatusOK},
		{"evil.example", http.StatusForbidden},
		{"evil.example:7878", http.StatusForbidden},
		{"127.0.0.1.evil.example", http.StatusForbidden},
	} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/specs", nil)
		if c.host != "" {
			req.Host = c.host
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("Host %q: status %d, want %d", c.host, resp.StatusCode, c.code)
		}
	}
	for path, ctype := range map[string]string{
		"/":               "text/html",
		"/assets/app.js":  "text/javascript",
		"/assets/app.css": "text/css",
	} {
		code, h, body := get(t, ts, path)
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), ctype) || body == "" {
			t.Errorf("GET %s: %d %s", path, code, h.Get("Content-Type"))
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", path)
		}
	}
}

// TestAllowHosts checks that the names of Options.AllowHosts are accepted
// besides the loopback ones, and no other.
func TestAllowHosts(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ok.yaml", workedExample)
	_, ts := newTestServer(t, dir, Options{AllowHosts: []string{"box.lan", "192.168.1.5", "fe80::1"}})
	for host, code := range map[string]int{
		"localhost:7878":     http.StatusOK,
		"box.lan:7878":       http.StatusOK,
		"BOX.LAN.":           http.StatusOK,
		"192.168.1.5:7878":   http.StatusOK,
		"[fe80::1]:7878":     http.StatusOK,
		"evil.example":       http.StatusForbidden,
		"box.lan.evil.com":   http.StatusForbidden,
		"192.168.1.6:7878":   http.StatusForbidden,
		"192.168.1.5.nip.io": http.StatusForbidden,
	} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/specs", nil)
		req.Host = host
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != code {
			t.Errorf("Host %q: status %d, want %d", host, resp.StatusCode, code)
		}
	}
}

// TestAssetsWriteNoHTML guards the rule that the page writes spec strings
// only as text: its script must not use any API that parses HTML, nor run
// strings as code.
func TestAssetsWriteNoHTML(t *testing.T) {
	js, err := assets.ReadFile("assets/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setTimeout('", "createContextualFragment", "srcdoc"} {
		if strings.Contains(string(js), banned) {
			t.Errorf("app.js uses %s", banned)
		}
	}
	html, _ := assets.ReadFile("assets/index.html")
	css, _ := assets.ReadFile("assets/app.css")
	page := strings.ReplaceAll(string(html)+string(js)+string(css), "'"+svgNS+"'", "")
	for _, external := range []string{"http:", "https:", `"//`, "'//", "(//", "@import"} {
		if strings.Contains(page, external) {
			t.Errorf("the page refers to %s: it must work offline", external)
		}
	}
}

// svgNS is the SVG namespace, the one URL the script may name.
const svgNS = "http://www.w3.org/2000/svg"

func TestEscapedStrings(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "x.yaml", `name: x
title: "<script>alert(1)</script>"
description: "</svg><img src=x onerror=alert(2)>"
inputs:
  a: {value: 2, label: "<b onclick=alert(3)>"}
nodes:
  y: {op: neg, in: [a], label: "&lt;&amp;\"'"}
`)
	_, ts := newTestServer(t, dir, Options{})
	v := getView(t, ts, "x.yaml")
	if !v.OK {
		t.Fatal(v.Diagnostics)
	}
	for _, raw := range []string{"<script", "<img", "<b ", "</svg><"} {
		if strings.Contains(v.SVG, raw) {
			t.Errorf("the SVG contains %q unescaped", raw)
		}
	}
	if v.Title != "<script>alert(1)</script>" {
		t.Errorf("title %q: the JSON must carry the text as it is", v.Title)
	}
	_, _, body := get(t, ts, "/api/spec?path=x.yaml")
	if strings.Contains(body, "<script") {
		t.Error("the JSON answer contains <script unescaped")
	}
}

func TestExplainAndDownload(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "worked_example.yaml", workedExample)
	writeFile(t, dir, "bad.yaml", "name: bad\nnodes:\n  y: neg(nope)\n")
	_, ts := newTestServer(t, dir, Options{})

	var res map[string]string
	_, _, body := get(t, ts, "/api/explain?path=worked_example.yaml&node=W1")
	json.Unmarshal([]byte(body), &res)
	if !strings.Contains(res["text"], "∂L/∂W1") || !strings.Contains(res["text"], "= 72") || res["error"] != "" {
		t.Errorf("explain W1: %q", body)
	}
	_, _, body = get(t, ts, "/api/explain?path=worked_example.yaml&node=nope")
	res = nil
	json.Unmarshal([]byte(body), &res)
	if !strings.HasPrefix(res["error"], `worked_example has no node named "nope"`) || strings.Contains(res["error"], "--") || res["text"] != "" {
		t.Errorf("explain of an unknown node: %q", body)
	}

	for format, check := range map[string]func(string) bool{
		"svg":  func(b string) bool { return strings.Contains(b, "<svg") },
		"png":  func(b string) bool { return strings.HasPrefix(b, "\x89PNG") },
		"json": func(b string) bool { return strings.Contains(b, `"format": "chainviz.annotated/v1"`) },
		"md":   func(b string) bool { return strings.Contains(b, "72") && strings.Contains(b, "$$") },
	} {
		code, h, body := get(t, ts, "/api/download?path=worked_example.yaml&view=backward&format="+format)
		want := `attachment; filename="worked_example.` + format + `"`
		if code != 200 || h.Get("Content-Disposition") != want || !check(body) {
			t.Errorf("download %s: %d %q %.60q", format, code, h.Get("Content-Disposition"), body)
		}
		if code, _, body := get(t, ts, "/api/download?path=bad.yaml&format="+format); code != http.StatusUnprocessableEntity || !strings.Contains(body, "bad.yaml:3:") {
			t.Errorf("download %s of a broken spec: %d %q", format, code, body)
		}
	}
	if code, _, _ := get(t, ts, "/api/download?path=worked_example.yaml&format=pdf"); code != http.StatusBadRequest {
		t.Errorf("download pdf: %d, want 400", code)
	}
	if code, _, _ := get(t, ts, "/api/spec?path=worked_example.yaml&view=sideways"); code != http.StatusBadRequest {
		t.Errorf("view sideways: %d, want 400", code)
	}
}

// TestEvents reads the event stream: hello, then a change naming the spec
// saved.
func TestEvents(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "worked_example.yaml", workedExample)
	_, ts := newTestServer(t, dir, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/events", nil)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	events := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		var ev string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				events <- ev + " " + strings.TrimPrefix(line, "data: ")
			}
		}
		close(events)
	}()
	next := func() string {
		select {
		case e := <-events:
			return e
		case <-ctx.Done():
			t.Fatal("no event within 10 s")
		}
		return ""
	}
	if e := next(); e != "hello {}" {
		t.Fatalf("first event %q", e)
	}
	// A save may give more than one burst of events (a new folder, then
	// the file in it); wait for the one that names the file.
	waitFor := func(want string) {
		for {
			e := next()
			if e == want {
				return
			}
			if !strings.HasPrefix(e, "change ") {
				t.Fatalf("event %q, want %s", e, want)
			}
		}
	}
	writeFile(t, dir, "sub/new.yaml", workedExample)
	waitFor(`change {"paths":["sub/new.yaml"]}`)
	os.WriteFile(filepath.Join(dir, "worked_example.yaml"), []byte(workedExample+"\n"), 0o644)
	waitFor(`change {"paths":["worked_example.yaml"]}`)
}
