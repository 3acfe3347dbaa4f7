package explain_test

import (
	"bytes"
	"fmt"
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/chainviz/chainviz/backward/explain"
)

// The md format is checked by rendering it: goldmark (CommonMark with
// GitHub's extensions) must read it as headings, paragraphs and tables with
// no raw HTML and no markup made out of the LaTeX (an underscore opening
// emphasis, a backslash eaten as an escape, brackets read as a link); every
// $$…$$ and $…$ must reach the HTML unchanged, which is what MathJax in
// GitHub and Obsidian then typesets; and each formula must typeset in TeX.

var (
	inlineMath = regexp.MustCompile(`\$[^$\n]+\$`)
	h1         = regexp.MustCompile(`<h1>(.*)</h1>`)
)

// mdReport is what checkMarkdown found in a document.
type mdReport struct {
	problems []string
	// h1 is the rendered text of the level-1 heading; h2 the source text
	// of the level-2 headings.
	h1     string
	h2     []string
	tables int
	math   []string
	html   string
}

func checkMarkdown(src string) mdReport {
	var r mdReport
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	source := []byte(src)
	doc := md.Parser().Parse(text.NewReader(source))
	plain := func(n ast.Node) string {
		var b strings.Builder
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*ast.Text); ok {
				b.Write(t.Segment.Value(source))
			}
		}
		return b.String()
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindHTMLBlock, ast.KindRawHTML:
			r.problems = append(r.problems, "raw HTML")
		case ast.KindEmphasis, ast.KindLink, ast.KindAutoLink, ast.KindImage, ast.KindCodeSpan, extast.KindStrikethrough:
			r.problems = append(r.problems, fmt.Sprintf("unexpected %s in %q", n.Kind(), plain(n.Parent())))
		case ast.KindHeading:
			h := n.(*ast.Heading)
			if h.Level == 2 {
				r.h2 = append(r.h2, plain(h))
			}
		case extast.KindTable:
			r.tables++
		}
		return ast.WalkContinue, nil
	})
	var out bytes.Buffer
	if err := md.Convert(source, &out); err != nil {
		r.problems = append(r.problems, err.Error())
	}
	r.html = html.UnescapeString(out.String())
	if m := h1.FindStringSubmatch(r.html); m != nil {
		r.h1 = m[1]
	}
	for _, line := range strings.Split(src, "\n") {
		var spans []string
		switch {
		case strings.HasPrefix(line, "$$"):
			if !strings.HasSuffix(line, "$$") || strings.Count(line, "$$") != 2 {
				r.problems = append(r.problems, "a display formula not alone on its line: "+line)
				continue
			}
			if !strings.Contains(r.html, "<p>"+line+"</p>") {
				r.problems = append(r.problems, "display formula not kept as its own paragraph: "+line)
			}
			spans = []string{strings.Trim(line, "$")}
		case strings.HasPrefix(line, "#"), strings.HasPrefix(line, "|"):
		default:
			for _, m := range inlineMath.FindAllString(line, -1) {
				if !strings.Contains(r.html, m) {
					r.problems = append(r.problems, "inline formula changed by Markdown: "+m)
				}
				spans = append(spans, strings.Trim(m, "$"))
			}
		}
		for _, s := range spans {
			for _, c := range s {
				if c > 127 {
					r.problems = append(r.problems, fmt.Sprintf("non-ASCII %q in formula %s", c, s))
					break
				}
			}
		}
		r.math = append(r.math, spans...)
	}
	return r
}

// TestExplainMarkdown renders the md output of every spec of specs/.
func TestExplainMarkdown(t *testing.T) {
	specs, err := filepath.Glob(filepath.Join(specDir, "*.yaml"))
	if err != nil || len(specs) < 10 {
		t.Fatalf("found %d specs (%v)", len(specs), err)
	}
	for _, path := range specs {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			e := explainFile(t, name, explain.Options{LR: 0.01, Steps: 3, Order: 2})
			src := format(t, e, "md")
			r := checkMarkdown(src)
			for _, p := range r.problems {
				t.Error(p)
			}
			if r.h1 != e.Annotated.Graph.Name {
				t.Errorf("title heading %q, want %q", r.h1, e.Annotated.Graph.Name)
			}
			// Forward pass, one heading per derivation, gradient descent.
			wantH2 := 1 + len(e.Derivations)
			if e.Losses != nil {
				wantH2++
			}
			if len(e.Annotated.Warnings) > 0 {
				wantH2++
			}
			if len(r.h2) != wantH2 {
				t.Errorf("section headings %q, want %d", r.h2, wantH2)
			}
			if wantTables := min(len(e.Losses), 1); r.tables != wantTables {
				t.Errorf("%d tables, want %d", r.tables, wantTables)
			}
			if len(r.math) < 5 {
				t.Errorf("only %d formulas", len(r.math))
			}
			checkMathTeX(t, name, r.math)
			if name == "worked_example" && !strings.Contains(r.html, `<p>$$= 18 \times 2 \times 1 \times 2 = 72$$</p>`) {
				t.Errorf("the note's line is not in the HTML:\n%s", r.html)
			}
		})
	}
}

// TestMarkdownCheckerFails makes sure the Markdown check can fail: LaTeX
// that Markdown would mangle is reported.
func TestMarkdownCheckerFails(t *testing.T) {
	for _, bad := range []string{
		`$$\mathit{ab}_{1} + \mathit{cd}_{2}$$`, // }_{ … }_{ is emphasis.
		`$$\{x\} = 1$$`,                         // \{ is an escape.
		`$$a <b> c$$`,                           // raw HTML.
		`$$[x](y)$$`,                            // a link.
		`$$a = 1$$ $$b = 2$$`,                   // two formulas on a line.
		`text $x_{1}·y$ more`,                   // non-ASCII in a formula.
	} {
		if r := checkMarkdown(bad + "\n"); len(r.problems) == 0 {
			t.Errorf("no problem found in %s", bad)
		}
	}
}

// TestExplainTeX typesets the tex output of every spec of specs/.
func TestExplainTeX(t *testing.T) {
	specs, err := filepath.Glob(filepath.Join(specDir, "*.yaml"))
	if err != nil || len(specs) < 10 {
		t.Fatalf("found %d specs (%v)", len(specs), err)
	}
	for _, path := range specs {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			e := explainFile(t, name, explain.Options{LR: 0.01, Steps: 3, Order: 2})
			src := format(t, e, "tex")
			checkTeXFragment(t, name, src)
			if name == "worked_example" {
				mustContain(t, "tex", src, "\\begin{align*}\n  \\frac{\\partial L}{\\partial W_{1}} &= \\frac{\\partial L}{\\partial z_{2}}",
					" \\\\\n  &= 18 \\times 2 \\times 1 \\times 2 \\\\\n  &= 72\n\\end{align*}\n")
			}
		})
	}
	// A δ-form derivation and a --full one, too.
	checkTeXFragment(t, "doublings", format(t, explainSource(t, doublings(5), explain.Options{}), "tex"))
	checkTeXFragment(t, "full", format(t, explainFile(t, "mlp_batch", explain.Options{Full: true}), "tex"))
	checkTeXFragment(t, "delta", format(t, explainFile(t, "three_layer", explain.Options{Delta: true}), "tex"))
}
