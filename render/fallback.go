package render

import (
	_ "embed"
	"html"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/tdewolff/canvas"
	tdfont "github.com/tdewolff/font"
)

// hangulTTF is NanumSquare Regular (SIL Open Font License, see
// fonts/NanumSquare-OFL.txt): it has every Hangul syllable, which DejaVu
// Sans lacks, and the seed specs' descriptions are partly Korean.
//
//go:embed fonts/NanumSquareR.ttf
var hangulTTF []byte

// fallbackFamily is the family name the PNG rasterizer knows the fallback
// font by.
const fallbackFamily = "chainviz fallback"

// metrics holds the fonts the PNG path measures text with: which runes
// DejaVu Sans has, and the faces that give text widths.
var metrics struct {
	once                  sync.Once
	err                   error
	dejavu, fallback      *tdfont.SFNT
	regular, bold, hangul *canvas.FontFamily
}

func loadMetrics() error {
	metrics.once.Do(func() {
		m := &metrics
		if m.dejavu, m.err = tdfont.ParseSFNT(dejavusans.TTF, 0); m.err != nil {
			return
		}
		if m.fallback, m.err = tdfont.ParseSFNT(hangulTTF, 0); m.err != nil {
			return
		}
		m.regular, m.bold, m.hangul = canvas.NewFontFamily("r"), canvas.NewFontFamily("b"), canvas.NewFontFamily("h")
		for _, f := range []struct {
			fam  *canvas.FontFamily
			data []byte
		}{{m.regular, dejavusans.TTF}, {m.bold, dejavusansbold.TTF}, {m.hangul, hangulTTF}} {
			if m.err = f.fam.LoadFont(f.data, 0, canvas.FontRegular); m.err != nil {
				return
			}
		}
	})
	return metrics.err
}

// needsFallback reports whether DejaVu Sans lacks r and the fallback font
// has it.
func needsFallback(r rune) bool {
	return r >= 0x80 && metrics.dejavu.GlyphIndex(r) == 0 && metrics.fallback.GlyphIndex(r) != 0
}

// textElement matches a text element of Graphviz's SVG after
// rasterFriendly's font rewrite: its attributes and its escaped content.
var textElement = regexp.MustCompile(`<text ([^>]*)>([^<]*)</text>`)

// textAttr matches one attribute of a text element.
var textAttr = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)

// withFallbackRuns splits every text element that holds runes DejaVu Sans
// lacks into runs, each its own text element placed where the previous one
// ends, so that canvas (which draws each element in one font) draws those
// runes in the fallback font instead of as empty boxes. Elements that need
// no fallback are left as they are.
func withFallbackRuns(svg []byte) []byte {
	if loadMetrics() != nil {
		return svg
	}
	return textElement.ReplaceAllFunc(svg, func(el []byte) []byte {
		m := textElement.FindSubmatch(el)
		text := html.UnescapeString(string(m[2]))
		if !strings.ContainsFunc(text, needsFallback) {
			return el
		}
		attrs := map[string]string{}
		var order []string
		for _, a := range textAttr.FindAllStringSubmatch(string(m[1]), -1) {
			attrs[a[1]] = a[2]
			order = append(order, a[1])
		}
		x, _ := strconv.ParseFloat(attrs["x"], 64)
		size, _ := strconv.ParseFloat(attrs["font-size"], 64)
		primary := metrics.regular
		if attrs["font-family"] == boldFamily {
			primary = metrics.bold
		}
		runs := splitRuns(text)
		widths := make([]float64, len(runs))
		total := 0.0
		for i, r := range runs {
			fam := primary
			if r.fallback {
				fam = metrics.hangul
			}
			// canvas reads SVG lengths as millimetres; sizes are in points.
			widths[i] = fam.Face(size * 72 / 25.4).TextWidth(r.text)
			total += widths[i]
		}
		switch attrs["text-anchor"] {
		case "middle":
			x -= total / 2
		case "end":
			x -= total
		}
		var b strings.Builder
		for i, r := range runs {
			attrs["x"] = strconv.FormatFloat(x, 'f', 2, 64)
			attrs["text-anchor"] = "start"
			family := attrs["font-family"]
			if r.fallback {
				attrs["font-family"] = fallbackFamily
			}
			b.WriteString("<text")
			for _, k := range order {
				b.WriteString(" " + k + `="` + attrs[k] + `"`)
			}
			b.WriteString(">" + html.EscapeString(r.text) + "</text>")
			attrs["font-family"] = family
			x += widths[i]
		}
		return []byte(b.String())
	})
}

// run is a stretch of text drawn in one font.
type run struct {
	text     string
	fallback bool
}

// splitRuns cuts text where it switches between runes DejaVu Sans has and
// runes only the fallback font has; spaces stay in the current run.
func splitRuns(text string) []run {
	var runs []run
	for _, r := range text {
		fb := needsFallback(r)
		if n := len(runs); n > 0 && (runs[n-1].fallback == fb || r == ' ') {
			runs[n-1].text += string(r)
			continue
		}
		runs = append(runs, run{string(r), fb})
	}
	return runs
}
