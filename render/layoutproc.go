package render

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goccy/go-graphviz"
)

// Graphviz can take minutes to lay out some small graphs, and a layout
// cannot be stopped inside the process that runs it. A LayoutPool runs the
// layouts in child processes instead (chainviz itself, running ServeLayouts)
// and kills a child whose layout takes longer than the time limit.
//
// The protocol on the child's standard streams: the child first writes
// layoutHello; each request is the length of the DOT text (8 bytes, big
// endian) and the text; each answer is a status byte (0 for the SVG, 1 for
// an error message), the length (8 bytes) and the bytes.

// layoutHello is what a layout process writes once Graphviz is ready.
const layoutHello = "chainviz-layout/1\n"

// maxLayoutMessage bounds a message of the protocol; a DOT text or an SVG
// larger than this is refused.
const maxLayoutMessage = 1 << 30

// layoutsPerProcess is how many layouts a child runs before it is replaced,
// because the WebAssembly memory of Graphviz only grows.
const layoutsPerProcess = 64

// startTimeout bounds the start of a child: the first start on a machine
// compiles Graphviz's WebAssembly, which takes about a second.
const startTimeout = 60 * time.Second

// DefaultLayoutTimeout is the default time limit of one layout.
const DefaultLayoutTimeout = 10 * time.Second

// LayoutTimeoutError is the error of a layout stopped at its time limit.
// Option, when set, names the setting that raises the limit.
type LayoutTimeoutError struct {
	Limit  time.Duration
	Option string
}

func (e *LayoutTimeoutError) Error() string {
	raise := "raise the time limit"
	if e.Option != "" {
		raise = "raise it with " + e.Option
	}
	return fmt.Sprintf("the layout was stopped after %v, its time limit: Graphviz takes very long on some graphs, "+
		"such as one node feeding many others in a long chain; draw fewer nodes (split the spec, or write a "+
		"constant as a number in each op: each number is a node of its own) or %s", e.Limit, raise)
}

// LayoutPool lays out DOT text in child processes, at most a given number
// at a time, each within a time limit. It is safe for concurrent use.
type LayoutPool struct {
	newCmd  func() *exec.Cmd
	timeout atomic.Int64 // A time.Duration.
	// idle holds one entry per process slot: a running child, or nil
	// where one is to be started.
	idle   chan *layoutChild
	closed atomic.Bool
	// live holds every running child, for Close.
	mu   sync.Mutex
	live map[*layoutChild]bool
	// TimeoutOption, when set before the first layout, names the
	// setting that raises the time limit in timeout errors.
	TimeoutOption string
}

// layoutChild is one running child process.
type layoutChild struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	uses int
}

// NewLayoutPool returns a pool of at most size children, each made by
// newCmd (which must run ServeLayouts; its standard streams are set by the
// pool), whose layouts are stopped after timeout.
func NewLayoutPool(newCmd func() *exec.Cmd, size int, timeout time.Duration) *LayoutPool {
	p := &LayoutPool{newCmd: newCmd, idle: make(chan *layoutChild, max(size, 1)), live: map[*layoutChild]bool{}}
	p.SetTimeout(timeout)
	for range max(size, 1) {
		p.idle <- nil
	}
	return p
}

// Timeout returns the time limit of one layout.
func (p *LayoutPool) Timeout() time.Duration { return time.Duration(p.timeout.Load()) }

// SetTimeout sets the time limit of the layouts that start from now on.
func (p *LayoutPool) SetTimeout(d time.Duration) { p.timeout.Store(int64(d)) }

// Layout returns Graphviz's SVG of dot, laid out in a child process. It
// waits for a free child first; the time limit counts from when the child
// has the text. The error is a *LayoutTimeoutError when the limit is hit.
func (p *LayoutPool) Layout(dot []byte) ([]byte, error) {
	if len(dot) > maxLayoutMessage {
		return nil, fmt.Errorf("graphviz: the DOT text has %d bytes, more than %d", len(dot), maxLayoutMessage)
	}
	c := <-p.idle
	if p.closed.Load() {
		p.stop(c)
		p.idle <- nil
		return nil, errors.New("graphviz: the layout processes were stopped")
	}
	if c != nil && c.uses >= layoutsPerProcess {
		p.stop(c)
		c = nil
	}
	if c == nil {
		var err error
		if c, err = p.start(); err != nil {
			p.idle <- nil
			return nil, err
		}
	}
	c.uses++
	svg, err := c.layout(dot, p.Timeout())
	var te *LayoutTimeoutError
	if errors.As(err, &te) {
		te.Option = p.TimeoutOption
	}
	if err != nil || p.closed.Load() {
		p.stop(c)
		c = nil
	}
	p.idle <- c
	return svg, err
}

// Close stops every child and makes later layouts fail; layouts under
// way fail too. It waits for the idle children to end.
func (p *LayoutPool) Close() {
	p.closed.Store(true)
	p.mu.Lock()
	for c := range p.live {
		c.cmd.Process.Kill()
	}
	p.mu.Unlock()
	var stopped int
	for range cap(p.idle) {
		select {
		case c := <-p.idle:
			p.stop(c)
			stopped++
		default:
		}
	}
	for range stopped {
		p.idle <- nil
	}
}

// start starts a child and waits for its greeting.
func (p *LayoutPool) start() (*layoutChild, error) {
	cmd := p.newCmd()
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("graphviz: starting a layout process: %w", err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("graphviz: starting a layout process: %w", err)
	}
	if err := StartChild(cmd); err != nil {
		return nil, fmt.Errorf("graphviz: starting a layout process: %w", err)
	}
	c := &layoutChild{cmd: cmd, in: in, out: bufio.NewReader(outPipe)}
	p.mu.Lock()
	p.live[c] = true
	closed := p.closed.Load()
	p.mu.Unlock()
	if closed {
		p.stop(c)
		return nil, errors.New("graphviz: the layout processes were stopped")
	}
	timedOut, err := c.within(startTimeout, func() error {
		hello := make([]byte, len(layoutHello))
		if _, err := io.ReadFull(c.out, hello); err != nil || string(hello) != layoutHello {
			return fmt.Errorf("graphviz: the layout process did not start (%v)", err)
		}
		return nil
	})
	if timedOut {
		err = fmt.Errorf("graphviz: the layout process did not start within %v", startTimeout)
	}
	if err != nil {
		p.stop(c)
		return nil, err
	}
	return c, nil
}

// layout sends dot to the child and reads the answer, killing the child
// when the answer takes longer than timeout.
func (c *layoutChild) layout(dot []byte, timeout time.Duration) ([]byte, error) {
	var answer []byte
	var failed bool
	timedOut, err := c.within(timeout, func() error {
		if err := writeMessage(c.in, dot); err != nil {
			return fmt.Errorf("graphviz: the layout process failed: %w", err)
		}
		status, err := c.out.ReadByte()
		if err == nil {
			answer, err = readMessage(c.out)
		}
		if err != nil {
			return fmt.Errorf("graphviz: the layout process failed: %w", err)
		}
		failed = status != 0
		return nil
	})
	if timedOut {
		return nil, &LayoutTimeoutError{Limit: timeout}
	}
	if err != nil {
		return nil, err
	}
	if failed {
		// A failed layout can leave Graphviz unusable: the child is
		// replaced (the caller stops it on any error).
		return nil, errors.New(string(answer))
	}
	return answer, nil
}

// within runs f, killing the child if f has not returned after d, and
// reports whether it did.
func (c *layoutChild) within(d time.Duration, f func() error) (timedOut bool, err error) {
	var mu sync.Mutex
	done := false
	t := time.AfterFunc(d, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			timedOut = true
			c.cmd.Process.Kill()
		}
	})
	err = f()
	t.Stop()
	mu.Lock()
	defer mu.Unlock()
	done = true
	return timedOut, err
}

// stop kills the child c and waits for it; c may be nil.
func (p *LayoutPool) stop(c *layoutChild) {
	if c == nil {
		return
	}
	p.mu.Lock()
	delete(p.live, c)
	p.mu.Unlock()
	c.in.Close()
	c.cmd.Process.Kill()
	c.cmd.Wait()
}

// starts receives the commands StartChild starts.
var (
	starts     = make(chan startJob)
	startsOnce sync.Once
)

type startJob struct {
	cmd  *exec.Cmd
	done chan error
}

// StartChild starts c from a thread that lives as long as the process. On
// Linux, a parent-death signal (SysProcAttr.Pdeathsig) is sent when the
// thread that started the child ends, which for a thread the Go runtime
// may end would be too early; this one never ends.
func StartChild(c *exec.Cmd) error {
	startsOnce.Do(func() {
		go func() {
			runtime.LockOSThread() // Never unlocked: the thread stays.
			for j := range starts {
				j.done <- j.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	starts <- startJob{c, done}
	return <-done
}

// ServeLayouts is the main loop of a layout process: it writes the
// greeting to w, then answers each DOT text read from r with Graphviz's SVG
// or an error, until r ends.
func ServeLayouts(r io.Reader, w io.Writer) error {
	br, bw := bufio.NewReader(r), bufio.NewWriter(w)
	bw.WriteString(layoutHello)
	if err := bw.Flush(); err != nil {
		return err
	}
	for {
		dot, err := readMessage(br)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		status, answer := byte(0), []byte(nil)
		svg, err := runGraphviz(dot, graphviz.SVG)
		if err != nil {
			status, answer = 1, []byte(err.Error())
		} else {
			answer = svg
		}
		bw.WriteByte(status)
		if err := writeMessage(bw, answer); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
}

// writeMessage writes the length of b and b.
func writeMessage(w io.Writer, b []byte) error {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// readMessage reads a length and that many bytes, refusing lengths over
// maxLayoutMessage. It returns io.EOF when r ends before a message.
func readMessage(r io.Reader) ([]byte, error) {
	var n [8]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint64(n[:])
	if size > maxLayoutMessage {
		return nil, fmt.Errorf("a message of %d bytes, more than %d", size, maxLayoutMessage)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return b, nil
}
