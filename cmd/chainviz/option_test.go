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

// TestRollUsage: --roll with --focus or --collapse is a usage error, exit 2,
// and no file is written.
func TestRollUsage(t *testing.T) {
	spec := filepath.Join("..", "..", "specs", "rnn_unrolled.yaml")
	for _, extra := range [][]string{{"--focus", "s2"}, {"--collapse", "all"}} {
		dir := t.TempDir()
		args := append([]string{"render", spec, "--roll", "-o", dir}, extra...)
		var out, errw strings.Builder
		code := run(args, nil, &out, &errw)
		if code != 2 || !strings.Contains(errw.String(), "--roll cannot be combined with --focus or --collapse") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and --roll cannot be combined", args, code, errw.String())
		}
		if files, _ := os.ReadDir(dir); len(files) != 0 {
			t.Errorf("%v: wrote %d files", args, len(files))
		}
	}
}

// TestRollNothingWarns: --roll on a graph without calls sharing weights
// warns that it had nothing to roll, and still draws.
func TestRollNothingWarns(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "once.yaml")
	src := "name: once\ninputs: {x: 1}\nparams: {W: 2}\nblocks:\n  lin: {args: [x, W], output: tanh(W * x)}\nnodes:\n  a: lin(x, W)\n  b: a * 3\noutput: b\n"
	if err := os.WriteFile(spec, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errw strings.Builder
	dir := t.TempDir()
	if code := run([]string{"render", spec, "--roll", "--format", "dot", "-o", dir}, nil, &out, &errw); code != 0 {
		t.Fatalf("exit %d: %s", code, errw.String())
	}
	if !strings.Contains(errw.String(), spec+": warning: --roll: nothing to roll") {
		t.Errorf("no warning that --roll had nothing to roll: %q", errw.String())
	}
}
