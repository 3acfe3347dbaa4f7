package render

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/chainviz/chainviz/backward"
)

// maxNamedRunes is the most characters a missing-glyph warning names.
const maxNamedRunes = 12

// UndrawableText returns, in order of first appearance and each once, the
// characters of a's spec texts (title, description, names and labels) that
// no font embedded for the PNG has: the PNG leaves them out. A viewer of
// the SVG may still draw them with its own fonts.
func UndrawableText(a *backward.Annotated) []rune {
	if loadMetrics() != nil {
		return nil
	}
	seen := map[rune]bool{}
	var out []rune
	check := func(s string) {
		for _, r := range s {
			if r < 0x80 || seen[r] || unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				continue
			}
			seen[r] = true
			if metrics.dejavu.GlyphIndex(r) == 0 && metrics.fallback.GlyphIndex(r) == 0 {
				out = append(out, r)
			}
		}
	}
	check(a.Graph.Title)
	check(a.Graph.Description)
	for _, n := range a.Graph.Nodes {
		check(n.Name)
		check(n.Label())
		check(n.Display())
	}
	return out
}

// undrawableWarning returns the warning about the characters rs that the
// PNG cannot draw, naming them.
func undrawableWarning(rs []rune) string {
	var names []string
	for i, r := range rs {
		if i == maxNamedRunes {
			names = append(names, fmt.Sprintf("… and %d more", len(rs)-i))
			break
		}
		names = append(names, fmt.Sprintf("%c (U+%04X)", r, r))
	}
	them, are := "them", "they are"
	if len(rs) == 1 {
		them, are = "it", "it is"
	}
	return fmt.Sprintf("the PNG cannot draw %s: no embedded font has %s (DejaVu Sans has Latin, Greek, Cyrillic "+
		"and math; NanumSquare has Hangul), so %s left out of the PNG; the SVG names fonts a viewer may have",
		strings.Join(names, ", "), them, are)
}
