package explain

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// Formats lists the output formats of Explanation.Write: Markdown with
// $$…$$ LaTeX (GitHub, Obsidian), a LaTeX fragment, and plain Unicode text.
var Formats = []string{"md", "tex", "text"}

// Write writes e in the given format: "md", "tex" or "text".
func (e *Explanation) Write(w io.Writer, format string) error {
	bw := bufio.NewWriter(w)
	doc := e.layout()
	switch format {
	case "md":
		writeMarkdown(bw, doc)
	case "tex":
		writeTeX(bw, doc, e.Annotated.Graph.Name, e.Annotated.Graph.Title)
	case "text":
		writeText(bw, doc)
	default:
		return &OptionError{Option: "Format", Value: format, Msg: "unknown format; the formats are " + strings.Join(Formats, ", ")}
	}
	return bw.Flush()
}

// String returns e in the text format.
func (e *Explanation) String() string {
	var b strings.Builder
	_ = e.Write(&b, "text")
	return b.String()
}

// width is the number of runes of s, its width in a monospaced font.
func width(s string) int { return utf8.RuneCountInString(s) }

// writeText writes plain Unicode. A split equation aligns its continuation
// lines under its first "=":
//
//	∂L/∂W1 = ∂L/∂z2 · ∂z2/∂h1 · ∂h1/∂z1 · ∂z1/∂W1
//	       = 18 × 2 × 1 × 2
//	       = 72
func writeText(w *bufio.Writer, doc []block) {
	prose := func(sp []span) string {
		var b strings.Builder
		for _, s := range sp {
			if s.m != nil {
				b.WriteString(s.m.u)
			} else {
				b.WriteString(s.text)
			}
		}
		return b.String()
	}
	line := func(eq equation, indent string, lhsWidth int) {
		lhs := eq.lhs.u + strings.Repeat(" ", max(0, lhsWidth-width(eq.lhs.u)))
		w.WriteString(indent + lhs)
		for i, r := range eq.rhs {
			if eq.split && i > 0 {
				w.WriteString("\n" + indent + strings.Repeat(" ", width(lhs)))
			}
			w.WriteString(" = " + r.u)
		}
		if eq.note != nil {
			w.WriteString(eq.note.u)
		}
		w.WriteString("\n")
	}
	for i, b := range doc {
		if i > 0 {
			w.WriteString("\n")
		}
		switch b.kind {
		case bHeading:
			h := prose(b.spans)
			rule := "─"
			if b.level == 1 {
				rule = "═"
			}
			w.WriteString(h + "\n" + strings.Repeat(rule, width(h)) + "\n")
		case bPara, bTitle:
			w.WriteString(prose(b.spans) + "\n")
		case bComment:
			w.WriteString("  " + prose(b.spans) + "\n")
		case bEq:
			for _, eq := range b.eqs {
				line(eq, "", 0)
			}
		case bList:
			wd := 0
			for _, eq := range b.eqs {
				wd = max(wd, width(eq.lhs.u))
			}
			for _, eq := range b.eqs {
				line(eq, "  ", wd)
			}
		case bTable:
			writeTextTable(w, b)
		}
	}
}

// writeTextTable writes a table with right-aligned columns.
func writeTextTable(w *bufio.Writer, b block) {
	rows := append([][]mexpr{b.head}, b.rows...)
	widths := make([]int, len(b.head))
	for _, r := range rows {
		for j, c := range r {
			widths[j] = max(widths[j], width(c.u))
		}
	}
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, c := range r {
			cells[j] = strings.Repeat(" ", widths[j]-width(c.u)) + c.u
		}
		w.WriteString("  " + strings.Join(cells, "  ") + "\n")
		if i == 0 {
			seps := make([]string, len(r))
			for j := range seps {
				seps[j] = strings.Repeat("─", widths[j])
			}
			w.WriteString("  " + strings.Join(seps, "  ") + "\n")
		}
	}
}

// mdEscape escapes the characters Markdown could read as markup in prose.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>#|$~&!", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writeMarkdown writes Markdown: every equation is its own $$…$$
// paragraph, which GitHub and Obsidian render as display math; a split
// equation continues in a second block starting with "=", as the note
// writes $$= 18 \times 2 \times 1 \times 2 = 72$$. An equation wider than
// a page continues the same way (see eqLines).
func writeMarkdown(w *bufio.Writer, doc []block) {
	prose := inlineMath(mdEscape, mdMath)
	eqs := func(list []equation) {
		for i, eq := range list {
			if i > 0 {
				w.WriteString("\n")
			}
			w.WriteString(mdLines(eq, eqLines(eq, false)))
		}
	}
	for i, b := range doc {
		if i > 0 {
			w.WriteString("\n")
		}
		switch b.kind {
		case bHeading:
			var h strings.Builder
			for _, s := range b.spans {
				if s.m != nil {
					h.WriteString(mdEscape(s.m.u))
				} else {
					h.WriteString(mdEscape(s.text))
				}
			}
			w.WriteString(strings.Repeat("#", b.level) + " " + h.String() + "\n")
		case bPara, bTitle:
			w.WriteString(prose(b.spans) + "\n")
		case bComment:
			w.WriteString("- " + prose(b.spans) + "\n")
		case bEq, bList:
			eqs(b.eqs)
		case bTable:
			row := func(cells []mexpr) string {
				parts := make([]string, len(cells))
				for j, c := range cells {
					parts[j] = mdEscape(c.u)
				}
				return "| " + strings.Join(parts, " | ") + " |\n"
			}
			w.WriteString(row(b.head))
			w.WriteString("|" + strings.Repeat("---:|", len(b.head)) + "\n")
			for _, r := range b.rows {
				w.WriteString(row(r))
			}
		}
	}
}

// mdMath adapts LaTeX for Markdown: the row separator \\ of a bmatrix,
// which Markdown would read as an escaped backslash, becomes \cr, which
// KaTeX and MathJax read the same way.
func mdMath(t string) string { return strings.ReplaceAll(t, `\\`, `\cr`) }

// texEscape escapes prose for LaTeX.
func texEscape(s string) string {
	r := strings.NewReplacer(`\`, `\textbackslash{}`, "{", `\{`, "}", `\}`, "$", `\$`, "&", `\&`,
		"#", `\#`, "%", `\%`, "_", `\_`, "~", `\textasciitilde{}`, "^", `\textasciicircum{}`, "--", "-{}-")
	return r.Replace(s)
}

// writeTeX writes a LaTeX fragment for a document that loads amsmath:
// split equations and lists become align* environments, single equations
// \[ … \], tables tabular. An equation wider than a page is broken at "="
// or between the terms of a sum, on lines aligned at its "=" (eqLines).
func writeTeX(w *bufio.Writer, doc []block, name, title string) {
	w.WriteString("% chainviz explain " + name)
	if title != "" {
		w.WriteString(": " + strings.ReplaceAll(title, "\n", " "))
	}
	w.WriteString("\n% A LaTeX fragment; it needs \\usepackage{amsmath}.\n")
	prose := inlineMath(texEscape, func(t string) string { return t })
	for _, b := range doc {
		if b.kind == bTitle {
			continue // The title is in the header comment already.
		}
		w.WriteString("\n")
		switch b.kind {
		case bHeading:
			cmd := `\subsection*`
			if b.level == 1 {
				cmd = `\section*`
			}
			w.WriteString(cmd + "{" + prose(b.spans) + "}\n")
		case bPara:
			w.WriteString(prose(b.spans) + "\n")
		case bComment:
			var c strings.Builder
			for _, s := range b.spans {
				if s.m != nil {
					c.WriteString(s.m.u)
				} else {
					c.WriteString(s.text)
				}
			}
			w.WriteString("% " + strings.ReplaceAll(c.String(), "\n", "\n% ") + "\n")
		case bEq:
			for _, eq := range b.eqs {
				lines := eqLines(eq, true)
				if len(lines) > 1 {
					w.WriteString("\\begin{align*}\n  " + texLines(eq, lines) + "\n\\end{align*}\n")
					continue
				}
				w.WriteString(`\[ ` + strings.Replace(texLines(eq, lines), " &= ", " = ", 1) + " \\]\n")
			}
		case bList:
			w.WriteString("\\begin{align*}\n")
			for i, eq := range b.eqs {
				end := " \\\\\n"
				if i == len(b.eqs)-1 {
					end = "\n"
				}
				w.WriteString("  " + texLines(eq, eqLines(eq, true)) + end)
			}
			w.WriteString("\\end{align*}\n")
		case bTable:
			w.WriteString("\\begin{tabular}{" + strings.Repeat("r", len(b.head)) + "}\n")
			cells := func(r []mexpr) string {
				parts := make([]string, len(r))
				for j, c := range r {
					parts[j] = "$" + c.t + "$"
				}
				return strings.Join(parts, " & ")
			}
			w.WriteString("  " + cells(b.head) + " \\\\\n  \\hline\n")
			for _, r := range b.rows {
				w.WriteString("  " + cells(r) + " \\\\\n")
			}
			w.WriteString("\\end{tabular}\n")
		}
	}
}

// inlineMath returns a function that writes prose with its formulas as
// inline $…$ math, converted by math, and its text escaped by escape, as
// Markdown and LaTeX both write it.
func inlineMath(escape, math func(string) string) func([]span) string {
	return func(sp []span) string {
		var b strings.Builder
		for _, s := range sp {
			if s.m != nil {
				b.WriteString("$" + math(s.m.t) + "$")
			} else {
				b.WriteString(escape(s.text))
			}
		}
		return b.String()
	}
}
