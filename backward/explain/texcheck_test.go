package explain_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"star-tex.org/x/tex"
)

// This file checks LaTeX by running it through TeX itself (star-tex, a Go
// port of Knuth's TeX with the plain format). The LaTeX commands explain
// uses that plain TeX lacks are defined by texShims with their plain
// meaning, amsmath's bmatrix among them (\begin{bmatrix} … \end{bmatrix}
// is plain TeX's \left[\matrix{…}\right]), and the align* and tabular
// environments, which stand on lines of their own, are translated to
// plain TeX by plainTeX; everything else must be known to TeX, with balanced braces, or
// TeX reports an error ("! Undefined control sequence.", "! Missing }
// inserted.", …) and the check fails.

// texShims defines the LaTeX-only commands of explain's output.
const texShims = `\nonstopmode
\def\frac#1#2{{#1\over#2}}
\def\mathit#1{{#1}}
\def\mathrm#1{{\rm#1}}
\def\mathbf#1{{\bf#1}}
\def\operatorname#1{\mathop{\rm#1}\nolimits}
\def\text#1{\hbox{#1}}
\def\lt{<}
\def\textbackslash{$\backslash$}
\def\textasciitilde{\char126 }
\def\textasciicircum{\char94 }
\def\heading#1{\par\noindent{\bf#1}\par}
\def\begin#1{\expandafter\ifx\csname begin#1\endcsname\relax\undefinedenvironment\fi\csname begin#1\endcsname}
\expandafter\def\csname beginbmatrix\endcsname#1\end#2{\left[\matrix{#1}\right]}
\def\\{\cr}
`

// runTeX typesets body (plain TeX after texShims) and returns TeX's error
// messages, each with the line it was found on.
func runTeX(t *testing.T, body string) []string {
	t.Helper()
	src := texShims + body + "\n\\end\n"
	var dvi, out bytes.Buffer
	e := tex.New()
	e.Stdout, e.Stderr = &out, &out
	e.Stdin = bytes.NewReader(nil)
	if err := e.Process(&dvi, strings.NewReader(src)); err != nil {
		return []string{err.Error()}
	}
	var errs []string
	lines := strings.Split(out.String(), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "! ") {
			ctx := strings.Join(lines[i+1:min(i+4, len(lines))], " | ")
			errs = append(errs, l+" "+ctx)
		}
	}
	if dvi.Len() == 0 {
		errs = append(errs, "TeX wrote no output")
	}
	return errs
}

// checkMathTeX typesets each formula as display math and fails the test
// on any TeX error.
func checkMathTeX(t *testing.T, name string, formulas []string) {
	t.Helper()
	var b strings.Builder
	for _, f := range formulas {
		b.WriteString(wrapTeX("$$"+f+"$$") + "\n\\par\n")
	}
	for _, e := range runTeX(t, b.String()) {
		t.Errorf("%s: TeX: %s", name, e)
	}
}

var beginEnd = regexp.MustCompile(`\\(begin|end)\{([^}]*)\}`)

// checkEnvironments checks that \begin and \end pair up and that only the
// environments explain writes are used: align*, tabular, and bmatrix,
// alone or in an align*.
func checkEnvironments(t *testing.T, name, src string) {
	t.Helper()
	var stack []string
	for _, m := range beginEnd.FindAllStringSubmatch(src, -1) {
		env := m[2]
		if env != "align*" && env != "tabular" && env != "bmatrix" {
			t.Errorf("%s: unexpected environment %q", name, env)
		}
		if m[1] == "begin" {
			// A matrix may stand in an align*; nothing else nests.
			if len(stack) > 0 && (env != "bmatrix" || stack[len(stack)-1] != "align*") {
				t.Errorf("%s: \\begin{%s} nested in %s", name, env, stack[len(stack)-1])
			}
			stack = append(stack, env)
			continue
		}
		if len(stack) == 0 || stack[len(stack)-1] != env {
			t.Errorf("%s: \\end{%s} without its \\begin", name, env)
			continue
		}
		stack = stack[:len(stack)-1]
	}
	if len(stack) > 0 {
		t.Errorf("%s: unclosed \\begin{%s}", name, stack[0])
	}
}

// plainTeX translates explain's LaTeX fragment to plain TeX: align* becomes
// \eqalign, \[ \] display math, tabular \halign, \section* and
// \subsection* a bold line.
func plainTeX(src string) string {
	var b strings.Builder
	inAlign, inTable := false, false
	for _, line := range strings.Split(src, "\n") {
		switch {
		case line == `\begin{align*}`:
			inAlign = true
			b.WriteString("$$\\eqalign{\n")
			continue
		case line == `\end{align*}`:
			inAlign = false
			b.WriteString("}$$\n")
			continue
		case strings.HasPrefix(line, `\begin{tabular}`):
			inTable = true
			b.WriteString("\\halign{\\hfil#&&\\quad\\hfil#\\cr\n")
			continue
		case line == `\end{tabular}`:
			inTable = false
			b.WriteString("}\n")
			continue
		}
		if inAlign || inTable {
			// A matrix's "&" must not end the cell of the \eqalign
			// around it: a group hides it, as a LaTeX environment is one.
			line = strings.ReplaceAll(line, `\begin{bmatrix}`, `{\begin{bmatrix}`)
			line = strings.ReplaceAll(line, `\end{bmatrix}`, `\end{bmatrix}}`)
			line = strings.ReplaceAll(line, `\\`, `\cr`)
			line = strings.ReplaceAll(line, `\hline`, `\noalign{\hrule}`)
		}
		line = strings.ReplaceAll(line, `\[`, "$$")
		line = strings.ReplaceAll(line, `\]`, "$$")
		line = strings.ReplaceAll(line, `\section*{`, `\heading{`)
		line = strings.ReplaceAll(line, `\subsection*{`, `\heading{`)
		b.WriteString(wrapTeX(line) + "\n")
	}
	return b.String()
}

// wrapTeX breaks a line longer than star-tex's input buffer (500
// characters; LaTeX's is far larger) at spaces, which TeX reads the same
// as line ends. Comments are left alone.
func wrapTeX(line string) string {
	const width = 400
	if strings.HasPrefix(line, "%") {
		return line
	}
	var b strings.Builder
	for len(line) > width {
		i := strings.LastIndexByte(line[:width], ' ')
		if i <= 0 {
			break
		}
		b.WriteString(line[:i] + "\n")
		line = line[i+1:]
	}
	b.WriteString(line)
	return b.String()
}

// checkTeXFragment checks a LaTeX fragment written by explain: ASCII
// outside comments, paired environments, and no TeX errors.
func checkTeXFragment(t *testing.T, name, src string) {
	t.Helper()
	for i, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "%") {
			continue
		}
		for _, r := range line {
			if r > 127 {
				t.Errorf("%s:%d: non-ASCII %q outside a comment: %s", name, i+1, r, line)
				break
			}
		}
	}
	checkEnvironments(t, name, src)
	for _, e := range runTeX(t, plainTeX(src)) {
		t.Errorf("%s: TeX: %s", name, e)
	}
}

// TestTeXCheckerFails makes sure the checker can fail: TeX must report
// broken formulas.
func TestTeXCheckerFails(t *testing.T) {
	for _, bad := range []string{`\frac{a}{b`, `x}`, `\undefinedcommand{x}`, `a^`,
		`\begin{pmatrix} 1 \end{pmatrix}`, `\begin{bmatrix} 1 & 2 \\ 3 & 4`} {
		if errs := runTeX(t, fmt.Sprintf("$$%s$$\n\\par\n", bad)); len(errs) == 0 {
			t.Errorf("TeX accepted %q", bad)
		}
	}
	for _, good := range []string{`\frac{\partial L}{\partial W_{1}} = 18 \times 2`,
		`W = \begin{bmatrix} 1 & 2 \\ -3 & 4 \end{bmatrix} \cdot \begin{bmatrix} 5 \cr 6 \end{bmatrix}`} {
		if errs := runTeX(t, "$$"+good+"$$\n\\par\n"); len(errs) > 0 {
			t.Errorf("TeX rejected a good formula %s: %v", good, errs)
		}
	}
}
