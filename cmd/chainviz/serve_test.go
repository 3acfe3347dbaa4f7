package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chainviz/chainviz/graph"
)

// TestServe starts chainviz serve on a free loopback port, reads the page
// and a spec through it, and stops it with its context.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "w.yaml"), []byte(watchSpec), 0o644)
	out, errw := &syncBuffer{}, &syncBuffer{}
	s := streams{out: out, err: errw, limits: &graph.Limits{}, ui: &ui{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, s, &serveOptions{dir: dir, addr: "127.0.0.1:0"}) }()

	url := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)`)
	eventually(t, "the address", func() bool { return url.MatchString(out.String()) },
		func() string { return out.String() + errw.String() })
	base := url.FindStringSubmatch(out.String())[1]
	for path, want := range map[string]string{
		"":                               "<title>chainviz live</title>",
		"api/specs":                      `"specs":["w.yaml"]`,
		"api/spec?path=w.yaml":           `"loss":"36"`,
		"api/spec?path=../w.yaml":        "no such spec",
		"api/explain?path=w.yaml&node=a": "∂L/∂a",
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), want) {
			t.Errorf("GET /%s: %d %.200q, want %q", path, resp.StatusCode, body, want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop within 5 s of its context")
	}
	if errw.String() != "" {
		t.Errorf("stderr: %s", errw.String())
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true, "LocalHost": true,
		"": false, "0.0.0.0": false, "::": false, "192.168.1.2": false, "example.com": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestServeAllInterfacesHostCheck serves on every interface: requests
// addressed to the machine's own names and addresses, and to the names of
// --allow-host, are answered; any other Host is refused, as a DNS
// rebinding attack would send.
func TestServeAllInterfacesHostCheck(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "w.yaml"), []byte(watchSpec), 0o644)
	out, errw := &syncBuffer{}, &syncBuffer{}
	s := streams{out: out, err: errw, limits: &graph.Limits{}, ui: &ui{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, s, &serveOptions{dir: dir, addr: "0.0.0.0:0", allowHosts: []string{"box.example"}})
	}()
	t.Cleanup(func() { cancel(); <-done })
	url := regexp.MustCompile(`at http://[^ ]*:(\d+)/ \(Ctrl-C to stop\)`)
	eventually(t, "the address", func() bool { return url.MatchString(out.String()) },
		func() string { return out.String() + errw.String() })
	port := url.FindStringSubmatch(out.String())[1]
	hostname, _ := os.Hostname()
	for host, want := range map[string]int{
		"localhost:" + port:    http.StatusOK,
		"box.example:" + port:  http.StatusOK,
		"BOX.example.":         http.StatusOK,
		hostname + ":" + port:  http.StatusOK,
		"evil.example:" + port: http.StatusForbidden,
		"evil.example":         http.StatusForbidden,
		"box.example.evil.com": http.StatusForbidden,
	} {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:"+port+"/api/specs", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: status %d, want %d", host, resp.StatusCode, want)
		}
	}
}
