package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLearningRateMustBeFinite checks that --lr takes only finite positive
// numbers, and that a step whose result is not finite is an error at the
// param, never -Inf or NaN in the JSON.
func TestLearningRateMustBeFinite(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "lr.yaml")
	if err := os.WriteFile(spec, []byte("name: lr\nparams:\n  w: 2\nnodes:\n  y: mul(w, w)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"annotate", "explain", "render"} {
		for _, lr := range []string{"inf", "+Inf", "-inf", "nan", "-1"} {
			var out, errw strings.Builder
			args := []string{cmd, spec, "--lr", lr}
			if cmd == "render" {
				args = append(args, "-o", t.TempDir())
			}
			code := run(args, nil, &out, &errw)
			if code != 2 || !strings.Contains(errw.String(), "--lr must be a finite number above 0") || out.Len() > 0 {
				t.Errorf("%s --lr %s: exit %d, stderr %q, %d bytes out", cmd, lr, code, errw.String(), out.Len())
			}
		}
	}
	var out, errw strings.Builder
	code := run([]string{"annotate", spec, "--lr", "1e308"}, nil, &out, &errw)
	want := spec + ":3:3: one step of gradient descent with learning rate 1e308 gives w = w − 1e308 × ∂y/∂w = -Inf, not a finite number; use a smaller learning rate\n"
	if code != 1 || errw.String() != want || out.Len() > 0 {
		t.Errorf("--lr 1e308: exit %d, stderr %q, stdout %q; want exit 1, %q", code, errw.String(), out.String(), want)
	}
	out.Reset()
	if code := run([]string{"annotate", spec, "--lr", "0.5"}, nil, &out, &errw); code != 0 || !json.Valid([]byte(out.String())) {
		t.Errorf("--lr 0.5: exit %d, valid JSON %v", code, json.Valid([]byte(out.String())))
	}
}
