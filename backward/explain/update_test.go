package explain_test

import (
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward/explain"
)

// TestExplainSteps checks the loss table of explain --steps.
func TestExplainSteps(t *testing.T) {
	e := explainFile(t, "worked_example", explain.Options{Wrt: []string{"W1"}, LR: 0.01, Steps: 2})
	mustContain(t, "text", format(t, e, "text"),
		"2 steps with learning rate 0.01; L after each step:\n",
		"  step             L\n",
		"     0            81\n",
		"     1      1.774224\n",
		"     2  0.2484221496\n")
	mustContain(t, "md", format(t, e, "md"), "| step | L |\n|---:|---:|\n| 0 | 81 |\n| 1 | 1.774224 |\n")
	// Without params there is nothing to descend: no table.
	e = explainFile(t, "cubic", explain.Options{LR: 0.01, Steps: 2})
	if e.Losses != nil || strings.Contains(format(t, e, "text"), "Gradient descent") {
		t.Errorf("cubic has no params but got losses %v", e.Losses)
	}
}
