package explain

import (
	"strings"
	"testing"
)

// TestEqLines checks where equations break: not when they fit, at "="
// when they do not, between the terms of a sum too wide for a line, and
// never inside brackets; a matrix counts as its widest row.
func TestEqLines(t *testing.T) {
	num := func(u string) mexpr { return mText(u, texFormula(u)) }
	lhs := mText("∂L/∂W1", `\frac{\partial L}{\partial W_{1}}`)
	short := equation{lhs: lhs, rhs: []mexpr{num("18 × 2"), num("36")}}
	if got := texLines(short, eqLines(short, true)); got != `\frac{\partial L}{\partial W_{1}} &= 18 \times 2 = 36` {
		t.Errorf("short equation: %q", got)
	}
	long := strings.Repeat("1.234567891 × ", 4) + "2"
	eq := equation{lhs: lhs, rhs: []mexpr{num(long), num(long), num("7")}}
	lines := eqLines(eq, true)
	if len(lines) != 2 || len(lines[0]) != 1 || len(lines[1]) != 2 {
		t.Errorf("two wide right-hand sides: %d lines %v", len(lines), lines)
	}
	for _, l := range lines {
		w := width(lhs.u)
		for _, p := range l {
			w += width(p.op.u) + width(p.x.u)
		}
		if w > pageWidth {
			t.Errorf("a line %d wide", w)
		}
	}
	terms := make([]string, 12)
	for i := range terms {
		terms[i] = "(2 + 1.234567891)"
		if i%3 == 1 {
			terms[i] = "−1.5"
		}
	}
	sum := num(strings.ReplaceAll(strings.Join(terms, " + "), "+ −", "− "))
	eq = equation{lhs: lhs, rhs: []mexpr{sum}}
	tex := texLines(eq, eqLines(eq, true))
	if !strings.Contains(tex, " \\\\\n  &\\quad + (2 + 1.234567891)") && !strings.Contains(tex, " \\\\\n  &\\quad - 1.5") {
		t.Errorf("a wide sum is not broken between its terms:\n%s", tex)
	}
	for _, line := range strings.Split(tex, "\n") {
		if strings.Count(line, "(") != strings.Count(line, ")") {
			t.Errorf("broken inside brackets: %s", line)
		}
	}
	md := mdLines(eq, eqLines(eq, false))
	if !strings.Contains(md, "$$\n\n$$+ ") && !strings.Contains(md, "$$\n\n$$- ") {
		t.Errorf("md does not continue the sum in a new paragraph:\n%s", md)
	}
	matrix := "[[" + strings.Repeat("1.5, 2.5], [", 20) + "3, 4]]"
	if w := shownWidth("W = " + matrix); w != len("W = [1.5, 2.5]") {
		t.Errorf("shownWidth of a 21×2 matrix: %d", w)
	}
}
