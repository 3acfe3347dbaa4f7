package render

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// escapeHTML makes s safe as text inside a Graphviz HTML-like label and,
// through it, inside the SVG Graphviz writes: markup characters become
// entities, backslashes are doubled, and bytes that are not valid UTF-8 or not allowed in XML
// (control characters, U+FFFE, U+FFFF) are dropped. Newlines must have been
// split off by the caller; a remaining one is dropped too.
func escapeHTML(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			// Invalid UTF-8 is dropped.
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '\\':
			// Graphviz expands \G, \N and \E in label text to the graph,
			// node and edge names, and reads a doubled backslash as one.
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r >= 0x7f && r < 0xa0 || r == 0xfffe || r == 0xffff:
			// Control characters cannot appear in XML 1.0 text.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// quoteDOT writes s as a DOT double-quoted string. Graphviz reads a
// backslash followed by a letter as an escape sequence (\N, \G, \l), so
// backslashes are doubled; quotes are escaped and line breaks become \n.
// It is used for plain attribute values such as colours; text from a spec
// only ever goes into HTML-like labels through escapeHTML.
func quoteDOT(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "") {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// wrapLines splits text into lines at its newlines and wraps each line at
// word boundaries so that none is longer than width runes (a single longer
// word is cut). Trailing empty lines are dropped.
func wrapLines(text string, width int) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	for _, para := range strings.Split(text, "\n") {
		para = strings.TrimRight(para, " \t\r")
		if para == "" {
			out = append(out, "")
			continue
		}
		line := ""
		for _, word := range strings.Fields(para) {
			for utf8.RuneCountInString(word) > width {
				if line != "" {
					out = append(out, line)
					line = ""
				}
				cut := runePrefix(word, width)
				out = append(out, cut)
				word = word[len(cut):]
			}
			switch {
			case line == "":
				line = word
			case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width:
				out = append(out, line)
				line = word
			default:
				line += " " + word
			}
		}
		if line != "" {
			out = append(out, line)
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// runePrefix returns the first n runes of s.
func runePrefix(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// font wraps already escaped HTML in a FONT element with the given colour
// and, when size is not zero, point size.
func font(html, color string, size float64) string {
	var b strings.Builder
	b.WriteString(`<FONT COLOR="`)
	b.WriteString(color)
	b.WriteByte('"')
	if size != 0 {
		b.WriteString(` POINT-SIZE="`)
		b.WriteString(strconv.FormatFloat(size, 'f', -1, 64))
		b.WriteByte('"')
	}
	b.WriteByte('>')
	b.WriteString(html)
	b.WriteString(`</FONT>`)
	return b.String()
}

// bold wraps already escaped HTML in a B element.
func bold(html string) string { return "<B>" + html + "</B>" }
