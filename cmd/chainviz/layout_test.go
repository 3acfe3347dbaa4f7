package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeFanSpec writes a chain of n adds that all read one input c, a
// shape Graphviz takes minutes to lay out at n = 100, and returns its path.
func writeFanSpec(t *testing.T, dir string, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("name: fan\ninputs: {c: 1, z0: 0}\nnodes:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  z%d: add(z%d, c)\n", i, i-1)
	}
	path := filepath.Join(dir, "fan.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLayoutTimeout renders a graph whose layout takes minutes, with a
// time limit of one second: the render fails with an error naming the file
// and what to do, and writes nothing.
func TestLayoutTimeout(t *testing.T) {
	dir := t.TempDir()
	spec := writeFanSpec(t, dir, 100)
	out := filepath.Join(dir, "fan.svg")
	var stdout, stderr bytes.Buffer
	code := run([]string{"render", spec, "-o", out, "--layout-timeout", "1s"}, nil, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit status %d, want 1\n%s", code, stderr.String())
	}
	for _, want := range []string{spec + ": the layout was stopped after 1s", "fewer nodes", "raise it with --layout-timeout"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a file was written")
	}
	if code := run([]string{"render", spec, "--layout-timeout", "0s"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("--layout-timeout 0s: exit status %d, want 2", code)
	}
}

// children returns the IDs of the processes whose parent is pid, from /proc.
func children(pid int) []int {
	var out []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses.
		i := bytes.LastIndexByte(b, ')')
		fields := strings.Fields(string(b[i+1:]))
		if len(fields) > 2 && fields[1] == strconv.Itoa(pid) {
			id, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			out = append(out, id)
		}
	}
	return out
}

// alive reports whether the process pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	fields := strings.Fields(string(b[i+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// cpuTime returns the user and system time the process pid has used.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	// utime and stime, fields 14 and 15 of stat, in clock ticks of 10 ms.
	u, _ := strconv.Atoi(fields[11])
	s, _ := strconv.Atoi(fields[12])
	return time.Duration(u+s) * 10 * time.Millisecond
}

// poll calls cond until it is true, for at most d.
func poll(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
	}
}

// startChainviz starts the test binary as chainviz (see TestMain) with args.
func startChainviz(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(exe, args...)
	c.Args[0] = "chainviz"
	c.Dir = dir
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c
}

// TestLayoutProcessDiesWithParent kills chainviz during a layout that
// takes minutes: its layout process must not go on.
func TestLayoutProcessDiesWithParent(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	dir := t.TempDir()
	spec := writeFanSpec(t, dir, 100)
	c := startChainviz(t, dir, "render", spec, "-o", "fan.svg", "--layout-timeout", "1h")
	var kids []int
	poll(t, time.Minute, "a layout process starts", func() bool { kids = children(c.Process.Pid); return len(kids) > 0 })
	// Two seconds of CPU time are more than a start takes: it is laying
	// out, not reading its input, which the parent's death would end.
	poll(t, 2*time.Minute, "the layout runs", func() bool { return cpuTime(kids[0]) >= 2*time.Second })
	c.Process.Kill()
	c.Wait()
	for _, k := range kids {
		poll(t, 10*time.Second, fmt.Sprintf("layout process %d ends after its parent was killed", k), func() bool { return !alive(k) })
	}
}

// TestBatchChildrenDieWithParent kills chainviz while child processes
// render slices of a large batch: they stop, before the end of their
// slices, and leave no partial file.
func TestBatchChildrenDieWithParent(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	dir := t.TempDir()
	specs := filepath.Join(dir, "many")
	os.Mkdir(specs, 0o755)
	for i := range 3 * batchSlice {
		src := fmt.Sprintf("name: s%d\ninputs: {x: 0.5, w: 0.3}\nnodes:\n  a: mul(w, x)\n  b: tanh(a)\n  L: square(b)\n", i)
		if err := os.WriteFile(filepath.Join(specs, fmt.Sprintf("s%03d.yaml", i)), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pics := filepath.Join(dir, "pics")
	c := startChainviz(t, dir, "render", "many", "-o", "pics")
	poll(t, time.Minute, "a first file is written", func() bool {
		entries, _ := os.ReadDir(pics)
		return len(entries) > 0
	})
	kids := children(c.Process.Pid)
	if len(kids) == 0 {
		t.Fatal("no child process found")
	}
	c.Process.Kill()
	c.Wait()
	for _, k := range kids {
		poll(t, 30*time.Second, fmt.Sprintf("batch child %d ends after its parent was killed", k), func() bool { return !alive(k) })
	}
	entries, _ := os.ReadDir(pics)
	if len(entries) >= len(kids)*batchSlice {
		t.Errorf("%d files written by %d children: they finished their slices after their parent was killed", len(entries), len(kids))
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("partial file left: %s", e.Name())
		}
	}
}
