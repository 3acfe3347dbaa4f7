package main

import (
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/render"
)

// layoutCommand is the hidden command that runs Graphviz layouts for its
// parent process (see render.LayoutPool).
const layoutCommand = "__layout"

// parentEnv names the environment variable that gives a child process the
// ID of the chainviz process that started it, so that it can tell when its
// parent is gone.
const parentEnv = "CHAINVIZ_PARENT"

// newLayoutCmd returns the hidden command run by layout child processes:
// it reads DOT texts on standard input and writes their SVG on standard
// output until its input ends or its parent dies.
func newLayoutCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:    layoutCommand,
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Graphviz's code is not preempted: a second thread keeps
			// the watch on the parent going during a layout.
			runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0)))
			// Ctrl-C reaches the whole process group: the parent handles
			// it (removing its partial files) and this process ends with
			// the parent, not before it, which the parent would report as
			// a failed layout.
			signal.Ignore(os.Interrupt)
			watchParent(func() { os.Exit(1) })
			return render.ServeLayouts(s.in, s.out)
		},
	}
}

var (
	layoutOnce sync.Once
	layouts    *render.LayoutPool
)

// useLayoutProcesses makes every layout of this process run in a child
// process, stopped after d. The children are shared by the whole process
// (a test runs many commands in one) and end with it: their input closes.
func useLayoutProcesses(d time.Duration) {
	layoutOnce.Do(func() {
		layouts = render.NewLayoutPool(newLayoutChild, runtime.NumCPU(), d)
		layouts.TimeoutOption = "--layout-timeout"
		render.UseLayoutPool(layouts)
	})
	layouts.SetTimeout(d)
}

// exit ends the process with code, after stopping the layout processes
// (which would die with it anyway, but unwaited for).
func exit(code int) {
	if layouts != nil {
		layouts.Close()
	}
	os.Exit(code)
}

// newLayoutChild returns the command of a layout child process: this
// program, named chainviz (which the tests' binary needs to act as it),
// running the hidden layout command.
func newLayoutChild() *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	c := exec.Command(exe, layoutCommand)
	c.Args[0] = "chainviz"
	c.Env = childEnv()
	c.SysProcAttr = childAttr(killOnParentDeath)
	return c
}

// childEnv returns the environment of a child process: this one's, with the
// parent's ID.
func childEnv() []string {
	return append(os.Environ(), parentEnv+"="+strconv.Itoa(os.Getpid()))
}

// watchParent calls orphaned, from another goroutine, once the process that
// started this one (as named by parentEnv) is gone. It does nothing in a
// process not started by chainviz.
func watchParent(orphaned func()) {
	want, err := strconv.Atoi(os.Getenv(parentEnv))
	if err != nil {
		return
	}
	go func() {
		for os.Getppid() == want {
			time.Sleep(200 * time.Millisecond)
		}
		orphaned()
	}()
}
