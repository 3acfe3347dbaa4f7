package render

import (
	"math"
	"strconv"
	"strings"

	"github.com/chainviz/chainviz/graph"
)

// minus is the typographic minus sign the diagrams use for negative numbers;
// it is as wide as a digit and reads better than a hyphen.
const minus = "−"

// formatNumber formats v with p significant digits. Integers, and numbers
// too large to need a fraction, are written without decimals; magnitudes
// below 1e-4 are written with an exponent (1.5e-7). A number that is not an
// integer never looks like one: when rounding leaves no fraction (1.00004
// at 4 digits, 123.4 at 3) it is marked approximate, ≈1 or ≈123.
func formatNumber(v float64, p int) string {
	switch {
	case v == 0:
		return "0" // Also for −0.
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return minus + "∞"
	}
	abs := math.Abs(v)
	var s string
	switch {
	case abs < 1e15 && (v == math.Trunc(v) || abs >= math.Pow(10, float64(p))):
		s = strconv.FormatFloat(v, 'f', 0, 64)
	default:
		s = strconv.FormatFloat(v, 'g', p, 64)
		if i := strings.IndexByte(s, 'e'); i >= 0 {
			s = s[:i] + shortExponent(s[i+1:])
		}
	}
	approx := ""
	if v != math.Trunc(v) && !strings.ContainsAny(s, ".e") {
		approx = "≈"
	}
	if strings.HasPrefix(s, "-") {
		s = minus + s[1:]
	}
	return approx + s
}

// shortExponent turns Go's exponent "-07" or "+21" into "e-7" or "e21".
func shortExponent(exp string) string {
	sign := ""
	if exp != "" && (exp[0] == '-' || exp[0] == '+') {
		if exp[0] == '-' {
			sign = "-"
		}
		exp = exp[1:]
	}
	return "e" + sign + strings.TrimLeft(exp, "0")
}

// subscripts maps ASCII digits to Unicode subscript digits.
var subscripts = strings.NewReplacer(
	"0", "₀", "1", "₁", "2", "₂", "3", "₃", "4", "₄",
	"5", "₅", "6", "₆", "7", "₇", "8", "₈", "9", "₉",
)

// prettyName writes a name made of letters and a short number, such as W1,
// z12 or x_2, with a subscript index (W₁, z₁₂, x₂). Other names are
// returned unchanged.
func prettyName(name string) string {
	i := 0
	for i < len(name) && isLetter(name[i]) {
		i++
	}
	if i == 0 || i == len(name) {
		return name
	}
	letters, digits := name[:i], name[i:]
	digits = strings.TrimPrefix(digits, "_")
	if len(digits) == 0 || len(digits) > 3 {
		return name
	}
	for j := 0; j < len(digits); j++ {
		if !isDigit(digits[j]) {
			return name
		}
	}
	return letters + subscripts.Replace(digits)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }

// prettyExpr rewrites the names in a formula for display: identifiers get
// subscripts through prettyName unless consts gives their text (a node
// shown as written), and anonymous constants (#1, #2, …) are replaced by
// consts[name], their displayed value.
func prettyExpr(expr string, consts map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case isLetter(c) || c == '_':
			// A dotted name (L.1, h1.z, made by a formula or a block call)
			// is one name, which prettyName leaves as it is.
			j := i
			for j < len(expr) && (isIdentByte(expr[j]) || expr[j] == '.' && j+1 < len(expr) && isIdentByte(expr[j+1])) {
				j++
			}
			if v, ok := consts[expr[i:j]]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(prettyName(expr[i:j]))
			}
			i = j
		case isDigit(c):
			// A number, including a digit run glued to letters as in 1e5,
			// is left as it is.
			j := i
			for j < len(expr) && isIdentByte(expr[j]) {
				j++
			}
			b.WriteString(expr[i:j])
			i = j
		case c == '#':
			j := i + 1
			for j < len(expr) && isDigit(expr[j]) {
				j++
			}
			if v, ok := consts[expr[i:j]]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(expr[i:j])
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// isAnonymous reports whether n is an anonymous constant written as a
// literal in the spec; such nodes are shown by their value.
func isAnonymous(n *graph.Node) bool {
	return n.Kind == graph.KindConst && strings.HasPrefix(n.Name, "#")
}

// shapeText writes a shape as 2×3 (a vector as 3, a scalar as "scalar").
func shapeText(shape []int) string {
	if len(shape) == 0 {
		return "scalar"
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, "×")
}

// headerShape writes the shape in a node's header so that it cannot be read
// as a count of inputs: a vector as [3], a matrix as 2×3.
func headerShape(shape []int) string {
	if len(shape) == 1 {
		return "[" + strconv.Itoa(shape[0]) + "]"
	}
	return shapeText(shape)
}

// Elision marks for summarised tensors.
const (
	elideCol  = "⋯"
	elideRow  = "⋮"
	elideBoth = "⋱"
)

// cells lays a tensor out as rows of formatted numbers. A vector is one row.
// When the tensor has more than maxRows rows or maxCols columns, the middle
// is replaced by elision marks, keeping the first rows and columns and the
// last one, as NumPy prints large arrays.
func cells(t *graph.Tensor, p, maxRows, maxCols int) [][]string {
	rows, cols := 1, 1
	switch t.Rank() {
	case 1:
		cols = t.Shape[0]
	case 2:
		rows, cols = t.Shape[0], t.Shape[1]
	}
	ri, ci := keep(rows, maxRows), keep(cols, maxCols)
	out := make([][]string, len(ri))
	for i, r := range ri {
		out[i] = make([]string, len(ci))
		for j, c := range ci {
			switch {
			case r < 0 && c < 0:
				out[i][j] = elideBoth
			case r < 0:
				out[i][j] = elideRow
			case c < 0:
				out[i][j] = elideCol
			default:
				out[i][j] = formatNumber(t.Data[r*cols+c], p)
			}
		}
	}
	return out
}

// keep returns the indices of n items shown in at most max slots: all of
// them when they fit, else the first max−2, −1 (an elision mark) and the
// last.
func keep(n, max int) []int {
	var idx []int
	if n <= max {
		for i := 0; i < n; i++ {
			idx = append(idx, i)
		}
		return idx
	}
	for i := 0; i < max-2; i++ {
		idx = append(idx, i)
	}
	return append(idx, -1, n-1)
}

// inline writes a tensor on one line: a scalar as its number, a small
// vector or matrix in brackets, anything with more than maxInline elements
// by its shape alone.
func inline(t *graph.Tensor, p int) string {
	lines := tensorLines(t, p)
	if t.Rank() == 2 && len(lines) > 1 {
		return "[" + strings.Join(lines, ", ") + "]"
	}
	return lines[0]
}

// tensorLines writes a tensor in a few short lines: a scalar as its number,
// a small vector as [1, 2, 3], each row of a small matrix on its own line,
// and anything with more than maxInline elements by its shape, as [2×3].
func tensorLines(t *graph.Tensor, p int) []string {
	if t.IsScalar() {
		return []string{formatNumber(t.Item(), p)}
	}
	if t.Size() > maxInline {
		return []string{"[" + shapeText(t.Shape) + "]"}
	}
	rows := cells(t, p, maxInline, maxInline)
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = "[" + strings.Join(r, ", ") + "]"
	}
	return lines
}

// maxInline is the largest number of elements tensorLines writes out.
const maxInline = 4
