package graph

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// EscapeControl returns s with every control character except newline and
// tab (C0, DEL and C1, such as ESC, NUL or U+0085) written as an escape
// (\x1b, \x00, \u0085), and invalid UTF-8 bytes as \xff. Text from a spec,
// such as a title a YAML escape put an ESC in, passes through it on its way
// to a terminal, so that it can never move the cursor, recolour or clear
// the screen.
func EscapeControl(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isControl(r, size) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case isControl(r, size) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isControl(r, size):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isControl reports whether the rune r, of size bytes, must be escaped.
func isControl(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true
	case r == '\n' || r == '\t':
		return false
	}
	return r < 0x20 || r >= 0x7f && r < 0xa0
}
