package graph_test

import (
	"os"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/graph"
)

// endless is a reader that never ends, like /dev/zero or a pipe fed
// forever; it counts the bytes taken from it.
type endless struct{ n int }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.n += len(p)
	return len(p), nil
}

// TestReadSpecStopsAtTheLimit checks that an endless input is read only up
// to one byte past the limit, and then reported as too large.
func TestReadSpecStopsAtTheLimit(t *testing.T) {
	r := &endless{}
	file, src, err := graph.ReadSpec("-", r, 1000)
	if err != nil || file != "<stdin>" {
		t.Fatalf("got %q, %v", file, err)
	}
	if len(src) != 1001 || r.n > 1001 {
		t.Errorf("read %d bytes, kept %d; want 1001", r.n, len(src))
	}
	_, err = graph.LoadWithLimits(file, src, graph.Limits{MaxFileSize: 1000})
	want := "<stdin>:1:1: the spec has 1001 bytes, more than the limit of 1000 (raise it with --max-file-size)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestReadSpecDevice(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, src, err := graph.ReadSpec("/dev/zero", nil, 4096)
	if err != nil || len(src) != 4097 {
		t.Errorf("got %d bytes, %v; want 4097", len(src), err)
	}
}

func TestReadSpecErrors(t *testing.T) {
	_, _, err := graph.ReadSpec(t.TempDir(), nil, 0)
	if err == nil || !strings.HasSuffix(err.Error(), ": cannot read the spec: is a directory") {
		t.Errorf("folder: got %v", err)
	}
	_, _, err = graph.ReadSpec("no/such.yaml", nil, 0)
	if err == nil || err.Error() != "no/such.yaml: cannot read the spec: no such file or directory" {
		t.Errorf("missing file: got %v", err)
	}
}
