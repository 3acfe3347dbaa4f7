package graph

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	goyaml "github.com/goccy/go-yaml"
	goparser "github.com/goccy/go-yaml/parser"
)

// This file gives YAML syntax errors exact positions. yaml.v3 reports only a
// line, often the line where the enclosing construct began, so the source is
// first scanned for bytes YAML cannot hold, and a syntax error is then
// located with goccy/go-yaml's parser, whose tokens carry line and column.
// That parser's cost grows faster than its input (it recurses on nesting
// and formats its error with the tokens around it), so it only reads files
// of at most syntaxParseLimit bytes whose rough depth (see roughDepth) is
// within the limit; for any other file the error stays on the line yaml.v3
// names, or moves to the bracket left open.

// syntaxParseLimit is the largest file whose syntax error is located with
// the second parser.
const syntaxParseLimit = 64 << 10

// SourceLines splits src into lines the way YAML counts them: a line ends
// at \n, \r\n, a lone \r, NEL (U+0085), LS (U+2028) or PS (U+2029).
// Diagnostics' line numbers index this slice (from 1).
func SourceLines(src []byte) []string {
	// Sized for the common case, where every line ends with '\n'.
	lines := make([]string, 0, bytes.Count(src, []byte{'\n'})+1)
	start := 0
	s := string(src)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\r':
			lines = append(lines, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				size = 2
			}
			start = i + size
		case '\n', 0x85, 0x2028, 0x2029:
			lines = append(lines, s[start:i])
			start = i + size
		}
		i += size
	}
	return append(lines, s[start:])
}

// scanText reports the first byte that cannot be in a YAML text: invalid
// UTF-8 or a control character other than tab, newline and carriage return.
func (p *parser) scanText(src []byte) bool {
	line, col := 1, 1
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		pos := Pos{File: p.file, Line: line, Col: col}
		switch {
		case r == utf8.RuneError && size <= 1:
			p.errorf(pos, "invalid UTF-8 (byte 0x%02x); a spec must be UTF-8 text", src[i])
			return false
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f:
			p.errorf(pos, "invalid YAML: control characters are not allowed")
			return false
		}
		switch {
		case r == '\r' && i+1 < len(src) && src[i+1] == '\n':
			// The \n that follows ends the line.
		case r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029:
			line, col = line+1, 1
		default:
			col++
		}
		i += size
	}
	return true
}

// syntaxPos locates a syntax error that yaml.v3 reported with message msg at
// line (its best guess), returning the position and a clearer message.
func (p *parser) syntaxPos(src []byte, line int, msg string) (Pos, string) {
	pos := Pos{File: p.file, Line: line, Col: 1}
	if len(src) > syntaxParseLimit || roughDepth(p.lines) > p.limits.MaxDepth {
		// Point at a bracket left open, the likeliest cause, or else at
		// the first character of the line.
		if l, c, ok := unclosedBracket(src, 0); ok {
			pos.Line, pos.Col = l, c
		} else if line >= 1 && line <= len(p.lines) {
			text := p.lines[line-1]
			pos.Col = utf8.RuneCountInString(text) - utf8.RuneCountInString(strings.TrimLeft(text, " \t")) + 1
		}
		return pos, msg
	}
	_, err := goparser.ParseBytes(src, 0)
	var se *goyaml.SyntaxError
	if !errors.As(err, &se) || se.Token == nil || se.Token.Position == nil {
		return pos, msg
	}
	tp := se.Token.Position
	pos.Line, pos.Col = tp.Line, tp.Column
	if strings.Contains(msg, "',' or ']'") || strings.Contains(msg, "',' or '}'") {
		// Point at the bracket left open rather than where the parser gave
		// up, which is often the next line.
		if l, c, ok := unclosedBracket(src, tp.Offset); ok {
			pos.Line, pos.Col = l, c
		}
	}
	if strings.Contains(msg, "mapping values") && charAt(src, pos) != ':' {
		// Point at the colon that starts the unexpected mapping value.
		for c := pos.Col; c < pos.Col+200; c++ {
			if r := charAt(src, Pos{Line: pos.Line, Col: c}); r == ':' {
				pos.Col = c
				break
			} else if r == 0 {
				break
			}
		}
	}
	if strings.Contains(se.Message, "'\t'") || strings.Contains(msg, "cannot start any token") && charAt(src, pos) == '\t' {
		msg = "found a tab character that violates indentation"
	}
	return pos, msg
}

// unclosedBracket finds the innermost [ or { still open before offset,
// ignoring brackets inside quotes and comments.
func unclosedBracket(src []byte, offset int) (line, col int, ok bool) {
	type open struct{ line, col int }
	var stack []open
	line, col = 1, 1
	var quote rune
	comment := false
	for i, r := range string(src) {
		if i >= offset && offset > 0 {
			break
		}
		switch {
		case r == '\n':
			comment = false
			if quote == 0 {
				// Brackets of block YAML do not span lines unless flow
				// collections do; keep the stack.
			}
		case comment:
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == '#':
			comment = true
		case r == '[' || r == '{':
			stack = append(stack, open{line, col})
		case (r == ']' || r == '}') && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	if len(stack) == 0 {
		return 0, 0, false
	}
	top := stack[len(stack)-1]
	return top.line, top.col, true
}

// charAt returns the character at pos in src, or 0.
func charAt(src []byte, pos Pos) rune {
	lines := SourceLines(src)
	if pos.Line < 1 || pos.Line-1 >= len(lines) {
		return 0
	}
	r := []rune(lines[pos.Line-1])
	if pos.Col-1 >= len(r) || pos.Col < 1 {
		return 0
	}
	return r[pos.Col-1]
}

// plural returns "1 element" or "n elements".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
