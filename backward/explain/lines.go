package explain

import "strings"

// This file breaks equations too wide for a page into lines, for the tex
// and md writers: at "=", and when one right-hand side alone is too wide
// (a sum over many paths), between the terms of its sum.

// pageWidth is the widest equation line, in characters of its Unicode
// form as shownWidth counts them, that the writers keep on one line: about
// what a page of LaTeX holds in display math.
const pageWidth = 80

// shownWidth is the width of a formula's Unicode form as LaTeX shows it:
// a matrix, [[1, 2], [3, 4]] in Unicode, counts as its widest row, since
// a bmatrix stacks its rows.
func shownWidth(u string) int {
	n := 0
	for {
		i := strings.Index(u, "[[")
		if i < 0 {
			return n + width(u)
		}
		if _, m := texMatrix(u[i:]); m > 0 {
			wide := 0
			for _, row := range strings.Split(u[i+2:i+m-2], "], [") {
				wide = max(wide, width(row))
			}
			n += width(u[:i]) + wide + 2
			u = u[i+m:]
			continue
		}
		n += width(u[:i+2])
		u = u[i+2:]
	}
}

// piece is one part of a broken equation: a right-hand side, or one term
// of it, with the relation or operator before it (" = ", " + ", " − ").
type piece struct{ op, x mexpr }

// eqLines breaks eq into lines of pieces; the first line follows eq.lhs,
// the others are aligned under its "=". A split equation starts a new
// line before its second right-hand side, and before every later one
// when each is true (tex puts each on its own line, md the rest together,
// as the note writes its worked example). Otherwise a line is broken only
// when the next piece would make it wider than pageWidth.
func eqLines(eq equation, each bool) [][]piece {
	lhs := shownWidth(eq.lhs.u)
	lines := [][]piece{nil}
	cur := lhs
	for i, r := range eq.rhs {
		for k, p := range rhsPieces(r, lhs) {
			w := width(p.op.u) + shownWidth(p.x.u)
			last := len(lines) - 1
			forced := k == 0 && eq.split && (i == 1 || each && i > 0)
			if forced || len(lines[last]) > 0 && cur+w > pageWidth {
				lines = append(lines, nil)
				last++
				cur = lhs
			}
			lines[last] = append(lines[last], p)
			cur += w
		}
	}
	return lines
}

// rhsPieces is r after " = ": one piece, or, when r does not fit on a line
// after a left-hand side lhs characters wide, the terms of its sum.
func rhsPieces(r mexpr, lhs int) []piece {
	eq := mText(" = ", " = ")
	if lhs+width(eq.u)+shownWidth(r.u) <= pageWidth {
		return []piece{{eq, r}}
	}
	us := splitTop(r.u, []string{" + ", " − "})
	ts := splitTop(r.t, []string{" + ", " - "})
	if len(us) != len(ts) {
		return []piece{{eq, r}}
	}
	ps := make([]piece, len(us))
	for i := range us {
		op := eq
		switch {
		case i == 0:
		case us[i].sep == " − ":
			op = opMinus
		default:
			op = opPlus
		}
		ps[i] = piece{op, mText(us[i].s, ts[i].s)}
	}
	return ps
}

// term is a part of a sum and the separator before it.
type term struct{ sep, s string }

// splitTop splits s at the separators that are outside every bracket.
func splitTop(s string, seps []string) []term {
	var out []term
	depth, start, sep := 0, 0, ""
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
		if depth != 0 {
			continue
		}
		for _, p := range seps {
			if strings.HasPrefix(s[i:], p) {
				out = append(out, term{sep, s[start:i]})
				sep, start = p, i+len(p)
				i += len(p) - 1
				break
			}
		}
	}
	return append(out, term{sep, s[start:]})
}

// texLines writes eq as rows of an align*: "lhs &= …", then "&= …" or
// "&\quad + …" for each further line, with the note at the end.
func texLines(eq equation, lines [][]piece) string {
	var b strings.Builder
	b.WriteString(eq.lhs.t)
	for l, line := range lines {
		for k, p := range line {
			switch {
			case l == 0 && k == 0:
				b.WriteString(" &= " + p.x.t)
			case k > 0:
				b.WriteString(p.op.t + p.x.t)
			case p.op.u == " = ":
				b.WriteString(" \\\\\n  &= " + p.x.t)
			default:
				b.WriteString(" \\\\\n  &\\quad " + strings.TrimSpace(p.op.t) + " " + p.x.t)
			}
		}
	}
	if eq.note != nil {
		b.WriteString(" " + eq.note.t)
	}
	return b.String()
}

// mdLines writes eq as $$…$$ paragraphs, one per line: the first with the
// left-hand side, the others starting with their "=" or operator.
func mdLines(eq equation, lines [][]piece) string {
	var b strings.Builder
	for l, line := range lines {
		if l > 0 {
			b.WriteString("$$\n\n$$")
		} else {
			b.WriteString("$$" + mdMath(eq.lhs.t))
		}
		for k, p := range line {
			if l > 0 && k == 0 {
				b.WriteString(strings.TrimLeft(p.op.t, " ") + mdMath(p.x.t))
				continue
			}
			b.WriteString(p.op.t + mdMath(p.x.t))
		}
	}
	if eq.note != nil {
		b.WriteString(" " + mdMath(eq.note.t))
	}
	b.WriteString("$$\n")
	return b.String()
}
