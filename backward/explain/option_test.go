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
