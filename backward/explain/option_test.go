package explain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/backward/explain"
	"github.com/chainviz/chainviz/graph"
)

// TestOptionErrorsSpeakOfValues checks that the library's option errors
// name the option and its value, never a command-line flag: the command
// line and the live page word them each their own way.
func TestOptionErrorsSpeakOfValues(t *testing.T) {
	g, err := graph.Load("o.yaml", []byte("name: o\ninputs:\n  x: 2\nnodes:\n  y: mul(x, x)\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		opts explain.Options
		want graph.OptionError
	}{
		{explain.Options{Wrt: []string{"nope"}}, graph.OptionError{Option: "Wrt", Value: "nope", Msg: `o has no node named "nope"; it has x, y`}},
		{explain.Options{Steps: 3}, graph.OptionError{Option: "Steps", Value: "3", Msg: "needs a positive learning rate (LR)"}},
		{explain.Options{Order: 3}, graph.OptionError{Option: "Order", Value: "3", Msg: "explain supports order 1 or 2"}},
	}
	for _, tc := range cases {
		_, err := explain.New(a, tc.opts)
		var oe *graph.OptionError
		if !errors.As(err, &oe) || *oe != tc.want || strings.Contains(err.Error(), "--") {
			t.Errorf("%+v: got %#v (%v), want %#v", tc.opts, oe, err, tc.want)
		}
	}
}

// TestPrecision checks that Options.Precision sets the significant digits
// of every number written, that zero means ten, and that a useless value
// is an option error.
func TestPrecision(t *testing.T) {
	g, err := graph.Load("p.yaml", []byte("name: p\ninputs:\n  x: 0.12345678912345\nnodes:\n  y: mul(x, x)\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	text := func(p int) string {
		e, err := explain.New(a, explain.Options{Precision: p})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := e.Write(&b, "text"); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	// x = 0.12345678912345, ∂y/∂x = x + x = 0.2469135782469.
	for _, c := range []struct {
		p         int
		want, not string
	}{
		{0, "= 0.2469135782\n", "0.12345678912"},
		{10, "= 0.2469135782\n", "0.12345678912"},
		{3, "x = 0.123 ", "0.1235"},
		{3, "= 0.247\n", "0.2469"},
		{17, "x = 0.12345678912345 ", "0.1234567891 "},
	} {
		got := text(c.p)
		if !strings.Contains(got, c.want) || c.not != "" && strings.Contains(got, c.not) {
			t.Errorf("precision %d: want %q and not %q in\n%s", c.p, c.want, c.not, got)
		}
	}
	if text(0) != text(explain.DefaultPrecision) {
		t.Error("precision 0 differs from the default")
	}
	for _, p := range []int{-1, 18} {
		var oe *graph.OptionError
		if _, err := explain.New(a, explain.Options{Precision: p}); !errors.As(err, &oe) || oe.Option != "Precision" {
			t.Errorf("precision %d: got %v, want an option error", p, err)
		}
	}
}
