package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOptionErrorsNameFlags checks that the library's option errors, which
// name options and values, reach the command line worded with its flags.
func TestOptionErrorsNameFlags(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "v.yaml")
	if err := os.WriteFile(spec, []byte("name: v\ninputs:\n  x: [1, 2]\nnodes:\n  y: sum(x)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"annotate", spec, "--order", "3"}, 1, spec + ": --order 3: needs scalar leaves, but x has shape [2]; use order 2 for the Hessian diagonal\n"},
		{[]string{"explain", spec, "--wrt", "nope"}, 2, `chainviz: --wrt nope: v has no node named "nope"; it has x, y` + "\n"},
		{[]string{"explain", spec, "--precision", "0"}, 2, "chainviz: --precision 0: the significant digits must be from 1 to 17 (17 round-trips every float64)\n"},
		{[]string{"explain", spec, "--subscripts", "off"}, 2, "chainviz: --subscripts off: expected auto (W1 shown as W₁) or none (every name as written)\n"},
		{[]string{"render", spec, "--subscripts", "off"}, 2, "chainviz: --subscripts off: expected auto (W1 shown as W₁) or none (every name as written)\n"},
		{[]string{"explain", spec, "--precision", "18"}, 2, "chainviz: --precision 18: the significant digits must be from 1 to 17 (17 round-trips every float64)\n"},
	}
	for _, tc := range tests {
		var out, errw strings.Builder
		code := run(tc.args, nil, &out, &errw)
		got := strings.TrimSuffix(errw.String(), "Run 'chainviz --help' for usage.\n")
		if code != tc.code || got != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", tc.args, code, errw.String(), tc.code, tc.want)
		}
	}
}
