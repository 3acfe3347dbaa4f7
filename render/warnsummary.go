package render

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/chainviz/chainviz/graph"
)

// A large graph can have hundreds of warnings of one kind (every weight
// behind a dead ReLU has a zero gradient). SummarizeWarnings folds them
// into one line per kind, with a count and up to three examples; the
// caption of a diagram and the command line print the same lines.

// warningKind recognises one kind of warning by its summary and says how
// many of them mean: match's first group is the name of the node the
// warning is about.
type warningKind struct {
	match *regexp.Regexp
	// many writes the line for n > 1 warnings of the kind, given the
	// examples already joined ("z1_0, z1_4, z2_1, …").
	many func(n int, examples string) string
}

var warningKinds = []warningKind{
	{regexp.MustCompile(`^the gradient of (\S+) is identically 0 although`), func(n int, ex string) string {
		return strconv.Itoa(n) + " leaves have a gradient of exactly 0 although they reach the output: every path has a zero factor, such as a dead ReLU (" + ex + "); gradient descent will not change them"
	}},
	{regexp.MustCompile(`^(\S+) does not reach the output`), func(n int, ex string) string {
		return strconv.Itoa(n) + " nodes do not reach the output, so their gradient is 0 (" + ex + ")"
	}},
	{regexp.MustCompile(`^(\S+) = .* is saturated at`), func(n int, ex string) string {
		return strconv.Itoa(n) + " nodes are saturated: almost no gradient flows back through them (" + ex + ")"
	}},
	{regexp.MustCompile(`^the gradient of (\S+) is very large`), func(n int, ex string) string {
		return strconv.Itoa(n) + " leaves have a very large gradient: a gradient-descent step would overshoot (" + ex + ")"
	}},
	{regexp.MustCompile(`^(\S+) = .* is evaluated at 0, where it is not differentiable`), func(n int, ex string) string {
		return strconv.Itoa(n) + " nodes are evaluated exactly at a kink, where the derivative is taken by convention (" + ex + ")"
	}},
	{regexp.MustCompile(`^(\S+) = .* has a tie, where it is not differentiable`), func(n int, ex string) string {
		return strconv.Itoa(n) + " nodes have a tie, where the gradient is split by convention (" + ex + ")"
	}},
}

// maxExamples is the number of nodes a summary line names; a kind with at
// most that many warnings keeps a line for each, with its position.
const maxExamples = 3

// SummarizeWarnings returns the warnings among ds (diagnostics of other
// severities are left out) as lines: the warnings of a kind that occurs
// more than three times make one line, "file: warning: 312 leaves have
// a gradient of exactly 0 … (W1_0_0, W1_0_1, b1_0, …)", in the order of
// their first warning. A kind with at most three warnings, and warnings of
// no known kind, keep a line each.
func SummarizeWarnings(ds graph.Diagnostics) []string {
	type bucket struct {
		first    graph.Diagnostic
		examples []string
		all      []string // The first maxExamples warnings as lines.
		n        int
	}
	var order []any // *bucket or graph.Diagnostic, in order.
	buckets := map[int]*bucket{}
	for _, d := range ds {
		if d.Severity != graph.Warning {
			continue
		}
		kind, name := -1, ""
		for k, wk := range warningKinds {
			if m := wk.match.FindStringSubmatch(d.Summary); m != nil {
				kind, name = k, m[1]
				break
			}
		}
		if kind < 0 {
			order = append(order, d)
			continue
		}
		b := buckets[kind]
		if b == nil {
			b = &bucket{first: d}
			buckets[kind] = b
			order = append(order, b)
		}
		b.n++
		if len(b.examples) < maxExamples {
			b.examples = append(b.examples, name)
			b.all = append(b.all, d.String())
		}
	}
	var lines []string
	for _, o := range order {
		switch o := o.(type) {
		case graph.Diagnostic:
			lines = append(lines, o.String())
		case *bucket:
			if o.n <= maxExamples {
				lines = append(lines, o.all...)
				continue
			}
			ex := strings.Join(o.examples, ", ")
			if o.n > len(o.examples) {
				ex += ", …"
			}
			for k, wk := range warningKinds {
				if buckets[k] == o {
					d := graph.Diagnostic{Severity: graph.Warning, Pos: graph.Pos{File: o.first.Pos.File}, Summary: wk.many(o.n, ex) + "; --verbose lists them"}
					lines = append(lines, d.String())
				}
			}
		}
	}
	return lines
}

// summaryRows returns the warnings of the diagram's caption, summarised
// like SummarizeWarnings but without the file name.
func (d *diagram) summaryRows() string {
	var ws graph.Diagnostics
	for _, w := range d.a.Warnings {
		if w.Severity == graph.Warning {
			w.Pos = graph.Pos{}
			ws = append(ws, w)
		}
	}
	var b strings.Builder
	for _, line := range SummarizeWarnings(ws) {
		line = strings.TrimPrefix(line, "warning: ")
		line = strings.TrimSuffix(line, "; --verbose lists them")
		b.WriteString(d.textRows(warnMark+" "+line, d.pal.Warn, sizeSmall+1))
	}
	return b.String()
}
