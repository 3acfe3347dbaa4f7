package graph

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file parses formulas, the infix form of a node:
//
//	L: 0.5 * (W2 @ h1 + b2 - y)^2
//
// The grammar, from the loosest binding to the tightest:
//
//	sum     = product {("+" | "-") product}          left-associative
//	product = unary {("*" | "/" | "@") unary}        left-associative
//	unary   = ("-" | "+") unary | power              so -x^2 is -(x^2)
//	power   = primary ["^" unary]                    right-associative
//	primary = number | name | name "(" args ")" | "(" sum ")"
//	args    = [arg {"," arg}] ; a keyword argument key=value comes last
//
// A formula becomes a tree of expr; lower.go turns the tree into nodes.

// exprKind tells what an expr is.
type exprKind int

const (
	eName exprKind = iota
	eNum
	eCall
	eBinary
	eNeg
)

// expr is one node of a parsed formula. Offsets are byte offsets into the
// formula's text.
type expr struct {
	kind exprKind
	// name is the name, the called function, or the operator (+ - * / @ ^).
	name string
	num  float64
	args []*expr
	// kw is a call's keyword argument; kwValOff is where its value starts.
	kw              *rawKeyword
	kwOff, kwValOff int
	// off is where the name, number, function or operator is written;
	// start and end bound the whole sub-expression's text.
	off, start, end int
	// height is the length of the longest chain of operations below and
	// including e.
	height int
}

// binaryOps maps an infix operator to the op it applies.
var binaryOps = map[string]string{"+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul", "^": "pow"}

// maxFormulaDepth bounds the nesting of parentheses and calls, and
// maxFormulaHeight the chains of operations (a + b + c + …), so that a
// hostile formula cannot exhaust the stack of the parser or of the passes
// that walk its tree.
const (
	maxFormulaDepth  = 64
	maxFormulaHeight = 10000
)

// formulaError is a problem at a byte offset of a formula.
type formulaError struct {
	off int
	msg string
}

func (e *formulaError) Error() string { return e.msg }

// formulaParser is a recursive-descent parser over one formula's text.
type formulaParser struct {
	src   string
	pos   int
	depth int
}

// parseFormula parses src; the error, if any, is a *formulaError.
func parseFormula(src string) (*expr, error) {
	fp := &formulaParser{src: src}
	fp.skip()
	if fp.pos >= len(src) {
		return nil, &formulaError{0, "expected a formula, found nothing"}
	}
	e, err := fp.sum()
	if err != nil {
		return nil, err
	}
	fp.skip()
	if fp.pos < len(src) {
		return nil, fp.unexpected("an operator (+ - * / @ ^)")
	}
	return e, nil
}

func (fp *formulaParser) skip() {
	for fp.pos < len(fp.src) && (fp.src[fp.pos] == ' ' || fp.src[fp.pos] == '\t') {
		fp.pos++
	}
}

// peek returns the next non-blank byte, or 0 at the end.
func (fp *formulaParser) peek() byte {
	fp.skip()
	if fp.pos >= len(fp.src) {
		return 0
	}
	return fp.src[fp.pos]
}

// unexpected reports what was expected where the parser stands.
func (fp *formulaParser) unexpected(want string) error {
	fp.skip()
	if fp.pos >= len(fp.src) {
		return &formulaError{fp.pos, fmt.Sprintf("expected %s, found the end of the formula", want)}
	}
	return &formulaError{fp.pos, fmt.Sprintf("expected %s, found %q", want, fp.token())}
}

// token returns the token that starts at the parser's position, for
// messages.
func (fp *formulaParser) token() string {
	i := fp.pos
	if i < len(fp.src) && (isIdentByte(fp.src[i]) || fp.src[i] == '.') {
		j := i
		for j < len(fp.src) && (isIdentByte(fp.src[j]) || fp.src[j] == '.') {
			j++
		}
		return truncate(fp.src[i:j], 40)
	}
	_, size := utf8.DecodeRuneInString(fp.src[i:])
	return fp.src[i : i+size]
}

func (fp *formulaParser) sum() (*expr, error) {
	left, err := fp.product()
	if err != nil {
		return nil, err
	}
	for {
		c := fp.peek()
		if c != '+' && c != '-' {
			return left, nil
		}
		off := fp.pos
		fp.pos++
		right, err := fp.product()
		if err != nil {
			return nil, err
		}
		if left, err = binary(c, left, right, off); err != nil {
			return nil, err
		}
	}
}

func (fp *formulaParser) product() (*expr, error) {
	left, err := fp.unary()
	if err != nil {
		return nil, err
	}
	for {
		c := fp.peek()
		if c != '*' && c != '/' && c != '@' {
			return left, nil
		}
		off := fp.pos
		fp.pos++
		right, err := fp.unary()
		if err != nil {
			return nil, err
		}
		if left, err = binary(c, left, right, off); err != nil {
			return nil, err
		}
	}
}

func (fp *formulaParser) unary() (*expr, error) {
	c := fp.peek()
	if c != '-' && c != '+' {
		return fp.power()
	}
	off := fp.pos
	fp.pos++
	if err := fp.enter(off); err != nil {
		return nil, err
	}
	defer fp.leave()
	x, err := fp.unary()
	if err != nil {
		return nil, err
	}
	if c == '+' {
		x.start = off
		return x, nil
	}
	if x.kind == eNum && !strings.ContainsAny(fp.src[x.start:x.end], "^") {
		// A negative literal stays one constant, as in the short form's
		// mul(-1, x).
		return &expr{kind: eNum, num: -x.num, off: off, start: off, end: x.end}, nil
	}
	return &expr{kind: eNeg, name: "-", args: []*expr{x}, off: off, start: off, end: x.end, height: x.height + 1}, nil
}

func (fp *formulaParser) power() (*expr, error) {
	base, err := fp.primary()
	if err != nil {
		return nil, err
	}
	if fp.peek() != '^' {
		return base, nil
	}
	off := fp.pos
	fp.pos++
	if err := fp.enter(off); err != nil {
		return nil, err
	}
	defer fp.leave()
	exp, err := fp.unary()
	if err != nil {
		return nil, err
	}
	return binary('^', base, exp, off)
}

// binary returns the operation op of left and right, written at off.
func binary(op byte, left, right *expr, off int) (*expr, error) {
	h := max(left.height, right.height) + 1
	if h > maxFormulaHeight {
		return nil, &formulaError{off, fmt.Sprintf("the formula chains more than %d operations", maxFormulaHeight)}
	}
	return &expr{kind: eBinary, name: string(op), args: []*expr{left, right}, off: off, start: left.start, end: right.end, height: h}, nil
}

// enter counts one more level of nesting.
func (fp *formulaParser) enter(off int) error {
	fp.depth++
	if fp.depth > maxFormulaDepth {
		return &formulaError{off, fmt.Sprintf("the formula is nested more than %d levels deep", maxFormulaDepth)}
	}
	return nil
}

func (fp *formulaParser) leave() { fp.depth-- }

func (fp *formulaParser) primary() (*expr, error) {
	c := fp.peek()
	start := fp.pos
	switch {
	case c == '(':
		fp.pos++
		if err := fp.enter(start); err != nil {
			return nil, err
		}
		defer fp.leave()
		e, err := fp.sum()
		if err != nil {
			return nil, err
		}
		if fp.peek() != ')' {
			if fp.pos >= len(fp.src) {
				return nil, &formulaError{start, "\"(\" is never closed; expected \")\""}
			}
			return nil, fp.unexpected("\")\" or an operator")
		}
		fp.pos++
		e.start, e.end = start, fp.pos
		return e, nil
	case c >= '0' && c <= '9' || c == '.':
		return fp.number()
	case isIdentByte(c):
		j := fp.pos
		for j < len(fp.src) && isIdentByte(fp.src[j]) {
			j++
		}
		name := fp.src[fp.pos:j]
		fp.pos = j
		if fp.peek() == '(' {
			return fp.call(name, start)
		}
		fp.pos = j
		return &expr{kind: eName, name: name, off: start, start: start, end: j}, nil
	}
	return nil, fp.unexpected("a name, a number, a call or \"(\"")
}

// number reads a numeric literal: 2, 0.5, .5, 1e-3.
func (fp *formulaParser) number() (*expr, error) {
	start := fp.pos
	j := start
	digits := func() int {
		k := j
		for j < len(fp.src) && fp.src[j] >= '0' && fp.src[j] <= '9' {
			j++
		}
		return j - k
	}
	n := digits()
	if j < len(fp.src) && fp.src[j] == '.' {
		j++
		n += digits()
	}
	if n == 0 {
		return nil, &formulaError{start, "expected a number, found \".\""}
	}
	if j < len(fp.src) && (fp.src[j] == 'e' || fp.src[j] == 'E') {
		k := j + 1
		if k < len(fp.src) && (fp.src[k] == '+' || fp.src[k] == '-') {
			k++
		}
		if k < len(fp.src) && fp.src[k] >= '0' && fp.src[k] <= '9' {
			j = k
			digits()
		}
	}
	if j < len(fp.src) && (isIdentByte(fp.src[j]) || fp.src[j] == '.') {
		k := j
		for k < len(fp.src) && (isIdentByte(fp.src[k]) || fp.src[k] == '.') {
			k++
		}
		return nil, &formulaError{start, fmt.Sprintf("expected a number or a name, found %q", truncate(fp.src[start:k], 40))}
	}
	x, err := strconv.ParseFloat(fp.src[start:j], 64)
	if errors.Is(err, strconv.ErrRange) && math.IsInf(x, 0) {
		return nil, &formulaError{start, fmt.Sprintf("%s is too large for a float64 (values must be finite)", truncate(fp.src[start:j], 40))}
	}
	if err != nil {
		return nil, &formulaError{start, fmt.Sprintf("expected a number, found %q", truncate(fp.src[start:j], 40))}
	}
	fp.pos = j
	return &expr{kind: eNum, num: x, off: start, start: start, end: j}, nil
}

// call reads the arguments of name( … ); the parser stands on "(".
func (fp *formulaParser) call(name string, start int) (*expr, error) {
	open := fp.pos
	fp.pos++
	if err := fp.enter(open); err != nil {
		return nil, err
	}
	defer fp.leave()
	e := &expr{kind: eCall, name: name, off: start, start: start}
	if fp.peek() == ')' {
		fp.pos++
		e.end = fp.pos
		return e, nil
	}
	for {
		if e.kw != nil {
			return nil, &formulaError{fp.pos, fmt.Sprintf("an argument after the keyword argument %s; write the inputs first", e.kw.name)}
		}
		if kw, keyOff, valOff, ok := fp.keyword(); ok {
			e.kw, e.kwOff, e.kwValOff = kw, keyOff, valOff
		} else {
			if fp.peek() == ',' || fp.peek() == ')' {
				return nil, fp.unexpected("an argument")
			}
			a, err := fp.sum()
			if err != nil {
				return nil, err
			}
			e.args = append(e.args, a)
			if e.height = max(e.height, a.height+1); e.height > maxFormulaHeight {
				return nil, &formulaError{start, fmt.Sprintf("the formula chains more than %d operations", maxFormulaHeight)}
			}
		}
		switch fp.peek() {
		case ',':
			fp.pos++
			continue
		case ')':
			fp.pos++
			e.end = fp.pos
			return e, nil
		case 0:
			return nil, &formulaError{open, fmt.Sprintf("\"(\" of %s is never closed; expected \")\"", name)}
		}
		return nil, fp.unexpected("\",\" or \")\"")
	}
}

// keyword reads key=value when the parser stands on one; ok is false (and
// the position unchanged) otherwise.
func (fp *formulaParser) keyword() (kw *rawKeyword, keyOff, valOff int, ok bool) {
	fp.skip()
	i := fp.pos
	j := i
	for j < len(fp.src) && isIdentByte(fp.src[j]) {
		j++
	}
	if j == i || fp.src[i] >= '0' && fp.src[i] <= '9' {
		return nil, 0, 0, false
	}
	k := skipSpace(fp.src, j)
	if k >= len(fp.src) || fp.src[k] != '=' {
		return nil, 0, 0, false
	}
	v := skipSpace(fp.src, k+1)
	end := v
	if end < len(fp.src) && fp.src[end] == '[' {
		for end < len(fp.src) && fp.src[end] != ']' {
			end++
		}
		if end < len(fp.src) {
			end++
		}
	} else {
		for end < len(fp.src) && fp.src[end] != ',' && fp.src[end] != ')' {
			end++
		}
	}
	vals, isList, good := parseKeywordValue(fp.src[v:end])
	fp.pos = end
	return &rawKeyword{name: fp.src[i:j], value: vals, isList: isList, bad: !good}, i, v, true
}

// text returns the source text of e, for frame titles and the JSON,
// without the parentheses around the whole of it.
func (e *expr) text(src string) string {
	s := strings.TrimSpace(src[e.start:e.end])
	for len(s) >= 2 && s[0] == '(' && closingParen(s) == len(s)-1 {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// closingParen returns the index of the ")" that closes the "(" at s[0],
// or -1.
func closingParen(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}
