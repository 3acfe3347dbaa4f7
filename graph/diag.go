package graph

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Severity tells whether a diagnostic stops evaluation.
type Severity int

// The severities: an error makes a spec invalid; a warning is reported but
// the spec is still evaluated.
const (
	Error Severity = iota
	Warning
)

// Diagnostic is one problem found in a spec, at a position in its file.
type Diagnostic struct {
	Severity Severity
	Pos      Pos
	// Summary is a one-line message that says what was expected.
	Summary string
	// Detail optionally adds a longer explanation.
	Detail string
	// Code names the kind of a warning for tools that filter them, such as
	// "saturated" (see the warnings of the annotated JSON in
	// specs/README.md); Node names the node it is about. Both are optional.
	Code, Node string
}

// String formats d as FILE:LINE:COL: message, with "warning: " before the
// message of a warning.
func (d Diagnostic) String() string {
	var b strings.Builder
	switch {
	case d.Pos.Line > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", d.Pos.File, d.Pos.Line, d.Pos.Col)
	case d.Pos.File != "":
		b.WriteString(d.Pos.File + ": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Summary)
	if d.Detail != "" {
		b.WriteString("\n\t" + strings.ReplaceAll(d.Detail, "\n", "\n\t"))
	}
	return b.String()
}

// Diagnostics is a list of problems; it implements error so that loading
// can report every problem of a file at once.
type Diagnostics []Diagnostic

// Error joins every diagnostic, one per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the diagnostics of severity Error.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Warnings returns only the diagnostics of severity Warning.
func (ds Diagnostics) Warnings() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Warning {
			out = append(out, d)
		}
	}
	return out
}

// unique drops repeated diagnostics: the same message at the same place,
// as a problem of a block reported for each of its calls.
func (ds Diagnostics) unique() Diagnostics {
	seen := make(map[Diagnostic]bool, len(ds))
	out := ds[:0]
	for _, d := range ds {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// sortByPos orders diagnostics by line and column, keeping the order of
// those at the same position.
func (ds Diagnostics) sortByPos() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// EvalError records an op whose value or gradient is not finite, with the
// values of its inputs.
type EvalError struct {
	Op     string
	Inputs []*Tensor
}

// InputsText lists the input values, as in "a = 0, b = 2"; names gives each
// input's display name. Literals are left out: their value is their name.
func (e *EvalError) InputsText(names []string) string {
	var parts []string
	for i, t := range e.Inputs {
		name := fmt.Sprintf("input %d", i+1)
		if i < len(names) {
			name = names[i]
		}
		if _, err := strconv.ParseFloat(name, 64); err == nil {
			continue // A literal: its value is its name.
		}
		parts = append(parts, name+" = "+summarize(t))
	}
	return strings.Join(parts, ", ")
}

// summarize formats a tensor for a message, eliding large ones.
func summarize(t *Tensor) string {
	if t.Size() <= 16 {
		return t.String()
	}
	return fmt.Sprintf("<%s tensor>", ShapeString(t.Shape))
}

// suggest returns the candidate closest to name (case-insensitively) when it
// is close enough to be a likely typo, or "".
func suggest(name string, candidates []string) string {
	// One-letter names are too close to everything: x is one edit from
	// every other one-letter name, so they only match when the case
	// differs.
	limit := 2
	n := utf8.RuneCountInString(name)
	switch {
	case n == 1:
		limit = 0
	case n <= 5:
		limit = 1
	}
	best, bestD := "", 1<<30
	ln := strings.ToLower(name)
	for _, c := range candidates {
		// Names whose lengths differ by more than the limit are further
		// apart than it; skipping them keeps many suggestions cheap.
		if diff := utf8.RuneCountInString(c) - n; diff > limit || -diff > limit {
			continue
		}
		d := editDistance(ln, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD == 0 || bestD > limit {
		if bestD == 0 && best != name {
			return best // Differs only in case.
		}
		return ""
	}
	return best
}

// didYouMean returns `; did you mean "x"?` for a close candidate, or "".
func didYouMean(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// editDistance is the optimal-string-alignment distance between a and b,
// by runes: insertions, deletions, substitutions and transpositions of
// neighbours ("lable" → "label") each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
