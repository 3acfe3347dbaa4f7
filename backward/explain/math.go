package explain

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chainviz/chainviz/graph"
)

// This file writes formulas in two notations at once: plain Unicode for the
// text format (∂L/∂W1, 18 × 2) and LaTeX for the md and tex formats
// (\frac{\partial L}{\partial W_{1}}, 18 \times 2).
//
// The LaTeX must also survive Markdown, which runs before the math in
// renderers without a math extension and which GitHub and Obsidian users
// may preview anywhere. It therefore never contains a backslash before
// punctuation (Markdown would eat the backslash: \{ \, \\ \_), never "*",
// "<" or "&", and an underscore always follows a letter or digit and
// precedes "{", so it can never open emphasis: W_{1}, \mathit{dd_{3}}.

// mexpr is a formula fragment in Unicode (u) and LaTeX (t).
type mexpr struct{ u, t string }

// mText returns a fragment with the given Unicode and LaTeX spellings.
func mText(u, t string) mexpr { return mexpr{u, t} }

// The separators of products, sums and equations.
var (
	opCdot  = mText(" · ", ` \cdot `)
	opTimes = mText(" × ", ` \times `)
	opPlus  = mText(" + ", " + ")
	opMinus = mText(" − ", " - ")
	opOdot  = mText(" ⊙ ", ` \odot `)
)

// mCat concatenates fragments.
func mCat(xs ...mexpr) mexpr {
	var u, t strings.Builder
	for _, x := range xs {
		u.WriteString(x.u)
		t.WriteString(x.t)
	}
	return mexpr{u.String(), t.String()}
}

// mJoin joins fragments with a separator.
func mJoin(sep mexpr, xs []mexpr) mexpr {
	var parts []mexpr
	for i, x := range xs {
		if i > 0 {
			parts = append(parts, sep)
		}
		parts = append(parts, x)
	}
	return mCat(parts...)
}

// mSum joins terms with plus signs, writing a term that starts with a minus
// sign as a subtraction: δ_b ⊙ x − δ_a, not δ_b ⊙ x + −δ_a.
func mSum(terms []mexpr) mexpr {
	var parts []mexpr
	for i, t := range terms {
		switch {
		case i == 0:
			parts = append(parts, t)
		case strings.HasPrefix(t.u, "−") && strings.HasPrefix(t.t, "-"):
			parts = append(parts, opMinus, mText(strings.TrimPrefix(t.u, "−"), strings.TrimPrefix(t.t, "-")))
		default:
			parts = append(parts, opPlus, t)
		}
	}
	return mCat(parts...)
}

// mName is a node's name: W1 and W_{1}; anonymous constants show their
// value.
func (st style) name(n *graph.Node) mexpr {
	if n.Kind == graph.KindConst && (n.Name == "" || n.Name[0] == '#') {
		return st.num(n.Value.Item())
	}
	if m, ok := st.written[n.Name]; ok {
		return m
	}
	return mText(n.Name, texName(n.Name))
}

// mPartial is ∂num/∂den.
func (st style) partial(num, den *graph.Node) mexpr {
	a, b := st.name(num), st.name(den)
	return mText("∂"+a.u+"/∂"+b.u, `\frac{\partial `+a.t+`}{\partial `+b.t+`}`)
}

// mPartial2 is ∂²num/∂den².
func (st style) partial2(num, den *graph.Node) mexpr {
	a, b := st.name(num), st.name(den)
	return mText("∂²"+a.u+"/∂"+b.u+"²", `\frac{\partial^{2} `+a.t+`}{\partial `+b.t+`^{2}}`)
}

// mDelta is δ_v, the gradient of the output with respect to v.
func (st style) delta(n *graph.Node) mexpr {
	a := st.name(n)
	return mText("δ_"+a.u, `\delta_{`+a.t+`}`)
}

// mT is the transpose of x.
func mT(x mexpr) mexpr {
	if strings.ContainsAny(x.u, " ·") {
		x = mParen(x)
	}
	return mCat(x, mText("ᵀ", `^{\top}`))
}

// mParen wraps x in parentheses.
func mParen(x mexpr) mexpr { return mCat(mText("(", "("), x, mText(")", ")")) }

// mParenIf wraps x in parentheses when it has an operator outside
// parentheses or starts with a minus sign, so that it can be a factor of a
// product.
func mParenIf(x mexpr) mexpr {
	if needsParen(x.u) {
		return mParen(x)
	}
	return x
}

func needsParen(s string) bool {
	if strings.HasPrefix(s, "−") || strings.HasPrefix(s, "-") {
		return true
	}
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case ' ', '+', '/':
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// DefaultPrecision is the number of significant digits explain writes
// when Options.Precision is zero.
const DefaultPrecision = 10

// style is how an explanation writes numbers and names, the same in every
// formula of the document: numbers with a number of significant digits
// (Options.Precision), names with the digits that end them as subscripts
// (W_{1}) except the names shown as written.
type style struct {
	// prec is the number of significant digits, from 1 to 17.
	prec int
	// written maps the names shown as written to their text: the nodes
	// with a display text (graph.Node.Display), and every node with
	// Options.NoSubscripts.
	written map[string]mexpr
}

// newStyle returns the style of opts for the nodes of g.
func newStyle(opts Options, g *graph.Graph) style {
	st := style{prec: opts.Precision, written: map[string]mexpr{}}
	if st.prec == 0 {
		st.prec = DefaultPrecision
	}
	for _, n := range g.Nodes {
		switch {
		case n.Display() != "":
			st.written[n.Name] = mText(n.Display(), texFormulaNamed(n.Display(), nil, texPlainName))
		case opts.NoSubscripts:
			st.written[n.Name] = mText(n.Name, texPlainName(n.Name))
		}
	}
	return st
}

// numText formats a number for display: st.prec significant digits,
// Unicode minus signs. With the default 10 digits it is graph.NumberText.
func (st style) numText(v float64) string {
	return strings.ReplaceAll(graph.FormatNumber(roundSig(v, st.prec)), "-", "−")
}

// roundSig rounds v to p significant digits, as graph.RoundSig does to 10.
func roundSig(v float64, p int) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', p, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// mNum is a number; a negative number is parenthesised by callers that
// multiply it (see mFactor).
func (st style) num(v float64) mexpr {
	u := st.numText(v)
	return mText(u, texNumber(u))
}

// mFactor is a number as a factor of a product: (−2) for negatives.
func (st style) factor(v float64) mexpr {
	m := st.num(v)
	if v < 0 {
		return mParen(m)
	}
	return m
}

// texNumber converts a number written by numText to LaTeX: 1e−7 becomes
// 1 \times 10^{-7}.
func texNumber(u string) string {
	s := strings.ReplaceAll(u, "−", "-")
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		return s[:i] + ` \times 10^{` + s[i+1:] + `}`
	}
	return s
}

// maxShown is the largest tensor whose elements are written out.
const maxShown = 16

// mTensor is a tensor's value, or a description of its shape when it has
// more than maxShown elements.
func (st style) tensor(t *graph.Tensor) mexpr {
	if t == nil {
		return mText("?", "?")
	}
	if t.Size() > maxShown {
		s := graph.ShapeString(t.Shape)
		return mText("("+s+" tensor)", `(`+s+`\ \mathrm{tensor})`)
	}
	u := t.Format(st.numText)
	return mText(u, texFormula(u))
}

// mTensorFactor is mTensor parenthesised when it is a negative scalar.
func (st style) tensorFactor(t *graph.Tensor) mexpr {
	if t != nil && t.IsScalar() {
		return st.factor(t.Item())
	}
	return st.tensor(t)
}

// formula is a formula written by an op's Formula or Local function, in
// which every identifier is a node name, a number or a function name.
func (st style) formula(s string) mexpr { return st.formulaOf(s, nil) }

// formulaOf is formula for a formula written by op, whose function name
// is known even when op is not a built-in one. The names shown as written
// (st.written) replace the node names in both notations.
func (st style) formulaOf(s string, op *graph.Op) mexpr {
	if len(st.written) == 0 {
		return mText(s, texFormulaOf(s, op))
	}
	tex := func(id string) string {
		if m, ok := st.written[id]; ok {
			return m.t
		}
		return texName(id)
	}
	return mText(st.writtenNames(s), texFormulaNamed(s, op, tex))
}

// writtenNames replaces, in a Unicode formula, the identifiers that are
// names shown as written by their text.
func (st style) writtenNames(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if !isIdentStart(s[i]) || i > 0 && (isIdentStart(s[i-1]) || s[i-1] >= '0' && s[i-1] <= '9') {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 1
		for j < len(s) && (isIdentStart(s[j]) || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		if m, ok := st.written[s[i:j]]; ok {
			b.WriteString(m.u)
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// texPlainName writes a name in LaTeX without subscripts for its digits:
// w2, \mathit{Wx2}; an underscore still starts a subscript.
func texPlainName(name string) string {
	head, sub, _ := strings.Cut(name, "_")
	i := 0
	for i < len(head) && isIdentStart(head[i]) {
		i++
	}
	rest := head[i:]
	allDigits := strings.Trim(rest, "0123456789") == ""
	switch {
	case sub != "":
		return `\mathit{` + head + `_{` + strings.ReplaceAll(sub, "_", ",") + `}}`
	case i == 1 && allDigits:
		return head
	default:
		return `\mathit{` + head + `}`
	}
}

// texName writes a node name in LaTeX: x, W_{1}, \mathit{Wx},
// \mathit{dd_{3}}, \mathit{n0_{t}} (underscores become subscripts).
func texName(name string) string {
	if strings.Contains(name, ".") {
		// A node made by a formula or a block call (L.1, h1.z): the name
		// as it is, so that it reads as in the diagram and the JSON.
		return `\mathit{` + strings.ReplaceAll(name, "_", `\_`) + `}`
	}
	parts := strings.FieldsFunc(name, func(r rune) bool { return r == '_' })
	if len(parts) == 0 {
		return `\mathit{x}`
	}
	head := parts[0]
	sub := strings.Join(parts[1:], ",")
	i := len(head)
	for i > 0 && head[i-1] >= '0' && head[i-1] <= '9' {
		i--
	}
	letters, digits := head[:i], head[i:]
	if i == 0 { // All digits cannot happen for names; keep it safe.
		letters, digits = head, ""
	}
	switch {
	case sub != "":
		return `\mathit{` + head + `_{` + sub + `}}`
	case len(letters) == 1 && digits == "":
		return letters
	case len(letters) == 1:
		return letters + `_{` + digits + `}`
	case digits == "":
		return `\mathit{` + letters + `}`
	default:
		return `\mathit{` + letters + `_{` + digits + `}}`
	}
}

// texFunctions maps the function names formulas use to LaTeX: those the
// built-in ops declare (graph.Op.Func and TeX), and two that are not ops.
var texFunctions = func() map[string]string {
	m := map[string]string{"log": `\log`, "max": `\max`}
	for _, op := range graph.Builtin().All() {
		if op.Func != "" {
			m[op.Func] = op.TeX
		}
	}
	return m
}()

// texSymbols maps the non-ASCII symbols of formulas to LaTeX.
var texSymbols = map[rune]string{
	'·': ` \cdot `, '×': ` \times `, '−': "-", '²': "^{2}", '³': "^{3}", 'ᵀ': `^{\top}`,
	'σ': `\sigma`, 'Σ': `\sum `, '⊙': ` \odot `, '⊗': ` \otimes `, '∂': `\partial `,
	'δ': `\delta`, '→': ` \to `, '≈': ` \approx `, '≤': ` \le `, '≥': ` \ge `,
}

// texFormula converts a Unicode formula to LaTeX. Identifiers followed by
// "(" that name known functions become LaTeX operators; every other
// identifier is a node name; 1[…] (the indicator of ReLU's derivative)
// becomes \mathbf{1}[…]; a^b and a^(…) get braces.
func texFormula(s string) string { return texFormulaOf(s, nil) }

// texFormulaOf is texFormula with op's function name (graph.Op.Func) known
// as well; op may be nil.
func texFormulaOf(s string, op *graph.Op) string { return texFormulaNamed(s, op, texName) }

// texFormulaNamed is texFormulaOf writing the identifiers that are not
// function calls with name.
func texFormulaNamed(s string, op *graph.Op, name func(string) string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case strings.HasPrefix(s[i:], "Σ_rows"):
			// The sum over each row, as the δ forms of row-wise ops write it.
			b.WriteString(`\sum_{\mathrm{rows}}`)
			i += len("Σ_rows")
		case c == '[' && strings.HasPrefix(s[i:], "[["):
			if m, n := texMatrix(s[i:]); n > 0 {
				b.WriteString(m)
				i += n
				continue
			}
			b.WriteByte(c)
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && (isIdentStart(s[j]) || s[j] >= '0' && s[j] <= '9' ||
				s[j] == '.' && j+1 < len(s) && (isIdentStart(s[j+1]) || s[j+1] >= '0' && s[j+1] <= '9')) {
				// A dot inside a name joins the parts of L.1 or h1.z.
				j++
			}
			id := s[i:j]
			next := ""
			if j < len(s) {
				next = s[j:]
			}
			fn, known := texFunctions[id]
			if op != nil && op.Func != "" && id == op.Func {
				fn, known = op.TeX, true
			}
			isCall := strings.HasPrefix(next, "(") || strings.HasPrefix(next, "²(") || id == "ln" && strings.HasPrefix(next, " ")
			if known && isCall {
				b.WriteString(fn)
				if id == "ln" && strings.HasPrefix(next, " ") {
					b.WriteString(" ")
					j++
				}
			} else {
				b.WriteString(name(id))
			}
			i = j
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			num := s[i:j]
			// An exponent: 1e-7 or 1e−7.
			if j < len(s) && s[j] == 'e' {
				k := j + 1
				if strings.HasPrefix(s[k:], "−") {
					k += len("−")
				} else if k < len(s) && s[k] == '-' {
					k++
				}
				if k < len(s) && s[k] >= '0' && s[k] <= '9' {
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
					num = texNumber(s[i:k])
					j = k
				}
			}
			if num == "1" && j < len(s) && s[j] == '[' && (i == 0 || !isIdentStart(s[i-1])) {
				num = `\mathbf{1}`
			}
			b.WriteString(num)
			i = j
		case c == '^':
			i++
			b.WriteString("^{")
			if i < len(s) && s[i] == '(' {
				depth, j := 0, i
				for ; j < len(s); j++ {
					if s[j] == '(' {
						depth++
					} else if s[j] == ')' {
						depth--
						if depth == 0 {
							j++
							break
						}
					}
				}
				if depth != 0 { // Unbalanced: take the rest as the exponent.
					j = len(s) + 1
				}
				b.WriteString(texFormulaNamed(s[i+1:j-1], nil, name))
				i = min(j, len(s))
			} else {
				j := i
				if strings.HasPrefix(s[j:], "−") {
					j += len("−")
				}
				for j < len(s) && (isIdentStart(s[j]) || s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
					j++
				}
				b.WriteString(texFormulaNamed(s[i:j], nil, name))
				i = j
			}
			b.WriteString("}")
		case c == '>' || c == '<':
			b.WriteString(" " + map[byte]string{'>': ">", '<': `\lt`}[c] + " ")
			i++
		case c == '*':
			b.WriteString(` \ast `)
			i++
		case c == '\\' || c == '{' || c == '}' || c == '$' || c == '%' || c == '#' || c == '~' || c == '&':
			// Characters that are special in LaTeX; formulas do not use
			// them, but names of constants could in principle.
			i++
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if t, ok := texSymbols[r]; ok {
				b.WriteString(t)
			} else {
				b.WriteString(`\text{` + string(r) + `}`)
			}
			i += n
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// texMatrix converts a matrix written by graph.Tensor.Format at the start
// of s, [[1, 2], [−3, 4]], to \begin{bmatrix} 1 & 2 \\ -3 & 4 \end{bmatrix},
// and returns it with the number of bytes of s it read. It returns n = 0
// when s does not start with a list of rows of numbers; a tensor of rank 3
// becomes a list of matrices. The Markdown writer replaces the row
// separator \\ by \cr, which Markdown leaves alone (see mdMath).
func texMatrix(s string) (tex string, n int) {
	end := strings.Index(s, "]]")
	if end < 0 {
		return "", 0
	}
	inner := s[2:end]
	if strings.ContainsAny(inner, "()^{}") {
		return "", 0
	}
	rows := strings.Split(inner, "], [")
	var b strings.Builder
	b.WriteString(`\begin{bmatrix} `)
	for r, row := range rows {
		if row == "" || strings.ContainsAny(row, "[]") {
			return "", 0
		}
		if r > 0 {
			b.WriteString(` \\ `)
		}
		for k, cell := range strings.Split(row, ", ") {
			if !isNumber(cell) {
				return "", 0
			}
			if k > 0 {
				b.WriteString(" & ")
			}
			b.WriteString(texFormula(cell))
		}
	}
	b.WriteString(` \end{bmatrix}`)
	return b.String(), end + 2
}

// isNumber reports whether s is a number as numText writes it: digits,
// a point, an exponent and minus signs, or the words of non-finite values.
func isNumber(s string) bool {
	switch strings.TrimPrefix(strings.TrimPrefix(s, "−"), "-") {
	case "", ".":
		return false
	case "NaN", "Inf", "+Inf":
		return true
	}
	for _, r := range strings.TrimPrefix(strings.TrimPrefix(s, "−"), "-") {
		if !(r >= '0' && r <= '9' || r == '.' || r == 'e' || r == '−' || r == '-' || r == '+') {
			return false
		}
	}
	return true
}

// isIdentStart reports whether c may start (or, with digits, continue) an
// identifier.
func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
