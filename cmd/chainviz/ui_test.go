package main

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/graph"
)

func TestColorAllowed(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	for _, c := range []struct {
		terminal bool
		vars     map[string]string
		want     bool
	}{
		{true, nil, true},
		{true, map[string]string{"TERM": "xterm-256color"}, true},
		{false, nil, false},
		{true, map[string]string{"NO_COLOR": "1"}, false},
		{true, map[string]string{"NO_COLOR": "anything"}, false},
		{true, map[string]string{"NO_COLOR": ""}, true}, // no-color.org: set and not empty.
		{true, map[string]string{"TERM": "dumb"}, false},
	} {
		if got := colorAllowed(c.terminal, env(c.vars)); got != c.want {
			t.Errorf("terminal %v, env %v: %v, want %v", c.terminal, c.vars, got, c.want)
		}
	}
}

func TestColorDiagnostics(t *testing.T) {
	in := "bad.yaml:3:6: unknown reference \"nope\"\n" +
		"\tdetail line\n" +
		"bad.yaml:5:1: warning: y does not reach the output\n" +
		"bad.yaml: cannot read the spec: no such file or directory"
	want := "\033[1mbad.yaml:3:6:\033[0m \033[31munknown reference \"nope\"\033[0m\n" +
		"\tdetail line\n" +
		"\033[1mbad.yaml:5:1:\033[0m \033[33m\033[1mwarning:\033[0m y does not reach the output\n" +
		"\033[1mbad.yaml:\033[0m \033[31mcannot read the spec: no such file or directory\033[0m"
	if got := colorDiagnostics(in); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if got := colorUsage("unknown flag: --x"); got != "\033[31m\033[1mchainviz:\033[0m \033[31munknown flag: --x\033[0m" {
		t.Errorf("usage: %q", got)
	}
}

func TestVersionOf(t *testing.T) {
	for _, c := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "(devel)"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, true, "v1.2.3"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260101000000-abcdefabcdef+dirty"}}, true, "v0.0.0-20260101000000-abcdefabcdef+dirty"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "(devel)"},
		{&debug.BuildInfo{Main: debug.Module{Version: ""}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}, true,
			"(devel) commit 0123456789ab with local changes"},
	} {
		if got := versionOf(c.info, c.ok); got != c.want {
			t.Errorf("%+v: %q, want %q", c.info, got, c.want)
		}
	}
}

// TestEveryCommandHasAnExample walks the command tree: every command a
// user can run has an example in its --help. Cobra's own help command is
// the one exception.
func TestEveryCommandHasAnExample(t *testing.T) {
	root := newRootCmd(streams{limits: &graph.Limits{}, ui: &ui{}})
	var walk func(c *cobra.Command)
	count := 0
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		count++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example", c.CommandPath())
		}
		if !strings.Contains(c.Example, "chainviz") {
			t.Errorf("%q: the example does not run chainviz: %q", c.CommandPath(), c.Example)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if count < 14 {
		t.Errorf("walked %d commands, want at least 14 (root, 9 commands, 4 completion shells)", count)
	}
}
