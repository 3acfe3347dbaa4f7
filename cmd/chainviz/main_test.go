package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the chainviz command inside
// testscript scripts: a script runs "chainviz ..." as a real process, with
// its own exit status and streams.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"chainviz": main,
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
	// testscript gives every script HOME=/no-home, where no user cache
	// folder can be made, so every chainviz process would compile
	// Graphviz's WebAssembly from scratch (seconds, and minutes under the
	// race detector). One private cache folder for the whole run keeps that
	// to the first process; wasm_cache.txtar sets its own.
	cache := t.TempDir()
	testscript.Run(t, testscript.Params{
		Dir:                dir,
		RequireUniqueNames: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_CACHE_HOME", cache)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "race":
				return raceEnabled, nil
			case "root":
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":   cmdStatus,
			"genspecs": cmdGenSpecs,
			"notmp":    cmdNoTemp,
			"maxrss":   cmdMaxRSS,
			"waitfile": cmdWaitFile,
			"emptydir": cmdEmptyDir,
			"private":  cmdPrivate,
			"asnobody": cmdAsNobody,
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

// cmdGenSpecs implements "genspecs N DIR": it writes N copies of a small
// spec, named s0 … s(N−1), into DIR.
func cmdGenSpecs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: genspecs N DIR")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("genspecs: %v", err)
	}
	dir := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(dir, 0o755))
	for i := 0; i < n; i++ {
		src := fmt.Sprintf("name: s%d\ninputs: {x: 0.5%03d, w: 0.3}\nnodes:\n  a: mul(w, x)\n  b: tanh(a)\n  c: add(b, x, 1)\n  L: square(c)\n", i, i)
		ts.Check(os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%03d.yaml", i)), []byte(src), 0o644))
	}
}

// cmdNoTemp implements "notmp DIR": it fails when DIR holds a temporary
// file of an unfinished atomic write, and reports how many files it holds.
func cmdNoTemp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: notmp DIR")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			ts.Fatalf("partial file left behind: %s", e.Name())
		}
	}
	ts.Logf("%d files", len(entries))
}

// cmdMaxRSS implements "maxrss MB": it fails unless the standard error of
// the last command reports (with CHAINVIZ_REPORT_RSS set) a peak resident
// set of a batch slice of at most MB megabytes.
func cmdMaxRSS(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: maxrss MB")
	}
	limit, err := strconv.Atoi(args[0])
	ts.Check(err)
	if raceEnabled {
		ts.Logf("maxrss: not checked under the race detector, which multiplies memory use")
		return
	}
	var mb int
	for _, line := range strings.Split(ts.ReadFile("stderr"), "\n") {
		if _, err := fmt.Sscanf(line, "peak RSS of a slice: %d MB", &mb); err == nil {
			ts.Logf("peak RSS of a slice: %d MB", mb)
			if mb > limit || mb <= 0 {
				ts.Fatalf("a slice peaked at %d MB, want at most %d MB", mb, limit)
			}
			return
		}
	}
	ts.Fatalf("no peak RSS reported on stderr")
}

// waitFileLimit is how long waitfile waits. It is only reached when a test
// fails, so it is generous: under the race detector on a loaded two-core
// machine a batch's first PNG has taken more than a minute.
const waitFileLimit = 5 * time.Minute

// cmdWaitFile implements "waitfile PATH": it polls, up to waitFileLimit,
// until PATH exists, so that a script can act while a background command
// is known to be half-way.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile PATH")
	}
	path := ts.MkAbs(args[0])
	for start := time.Now(); time.Since(start) < waitFileLimit; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	ts.Fatalf("%s did not appear within %v", args[0], waitFileLimit)
}
