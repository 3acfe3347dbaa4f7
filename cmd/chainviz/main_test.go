package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the chainviz command inside
// testscript scripts: a script runs "chainviz ..." as a real process, with
// its own exit status and streams.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"chainviz": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script. Besides the
// standard commands, scripts may use
//
//	status CODE command [args...]
//
// which runs the command and fails unless it exits with exactly CODE; its
// stdout and stderr are then available to the stdout, stderr and cmp
// commands as usual.
func TestScripts(t *testing.T) {
	const dir = "testdata/script"
	files, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	// Guard against the scripts silently going missing: testscript
	// passes on an empty folder.
	if len(files) < 8 {
		t.Fatalf("found %d scripts in %s, want at least 8", len(files), dir)
	}
	testscript.Run(t, testscript.Params{
		Dir:                dir,
		RequireUniqueNames: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status": cmdStatus,
		},
	})
}

// cmdStatus implements "status CODE command [args...]".
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("status does not support !; give the expected exit status instead")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: status CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: bad exit status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("status: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
