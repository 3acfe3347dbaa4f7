package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestControlCharactersAreEscaped checks that a title with ESC and NUL (as
// YAML escapes) reaches neither stdout nor stderr as raw bytes, in every
// explain text format and in a diagnostic that quotes it.
func TestControlCharactersAreEscaped(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "ctl.yaml")
	src := "name: ctl\ntitle: \"\\e[2J\\e[31mred\\0 \\x85end\"\ninputs:\n  x: 2\nnodes:\n  y: mul(x, x)\n"
	if err := os.WriteFile(spec, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	raw := func(s string) bool { return strings.ContainsAny(s, "\x1b\x00\u0085") }
	for _, format := range []string{"text", "md"} {
		var out, errw strings.Builder
		code := run([]string{"explain", spec, "--format", format}, nil, &out, &errw)
		if code != 0 || raw(out.String()) || raw(errw.String()) || !strings.Contains(out.String(), `\x1b`) || !strings.Contains(out.String(), `\u0085end`) {
			t.Errorf("explain --format %s: exit %d, raw control characters in\n%q\n%q", format, code, out.String(), errw.String())
		}
	}
	// A spec path with ESC in it is quoted by the diagnostic.
	bad := filepath.Join(dir, "\x1b[31mbad.yaml")
	var out, errw strings.Builder
	code := run([]string{"annotate", bad}, nil, &out, &errw)
	if code != 1 || raw(errw.String()) || !strings.Contains(errw.String(), `\x1b[31mbad.yaml: cannot read the spec`) {
		t.Errorf("missing file: exit %d, stderr %q", code, errw.String())
	}
}
