package render

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// pdfText is a minimal reader of the PDFs canvas writes: it returns the
// MediaBox of the (single) page and the text drawn, decoded through each
// font's ToUnicode map.
func pdfText(t *testing.T, data []byte) (box []float64, text string) {
	t.Helper()
	objs := map[string]string{} // Object number → its body, streams inflated.
	for _, m := range regexp.MustCompile(`(?s)(\d+) 0 obj(.*?)endobj`).FindAllSubmatch(data, -1) {
		body := string(m[2])
		if i := strings.Index(body, "stream"); i >= 0 && strings.Contains(body[:i], "/FlateDecode") {
			raw := strings.TrimLeft(body[i+len("stream"):], "\r\n")
			raw = raw[:strings.LastIndex(raw, "endstream")]
			zr, err := zlib.NewReader(strings.NewReader(raw))
			if err != nil {
				t.Fatalf("object %s: %v", m[1], err)
			}
			inflated, _ := io.ReadAll(zr) // A trailing newline may upset the checksum.
			body = body[:i] + "stream\n" + string(inflated)
		}
		objs[string(m[1])] = body
	}
	var page, content string
	for _, o := range objs {
		if strings.Contains(o, "/Type/Page/") || strings.Contains(o, "/Type/Page ") {
			page = o
		}
	}
	mb := regexp.MustCompile(`/MediaBox\s*\[([^\]]*)\]`).FindStringSubmatch(page)
	if mb == nil {
		t.Fatalf("no page with a MediaBox")
	}
	for _, f := range strings.Fields(mb[1]) {
		v, _ := strconv.ParseFloat(f, 64)
		box = append(box, v)
	}
	content = objs[regexp.MustCompile(`/Contents (\d+) 0 R`).FindStringSubmatch(page)[1]]
	// Each font's code → text map, from its ToUnicode CMap.
	cmaps := map[string]map[int]rune{}
	for _, f := range regexp.MustCompile(`/(F\d+) (\d+) 0 R`).FindAllStringSubmatch(page, -1) {
		ref := regexp.MustCompile(`/ToUnicode (\d+) 0 R`).FindStringSubmatch(objs[f[2]])
		if ref == nil {
			t.Fatalf("font %s has no ToUnicode map", f[1])
		}
		cm := map[int]rune{}
		hex := func(s string) int { v, _ := strconv.ParseInt(s, 16, 32); return int(v) }
		for _, e := range regexp.MustCompile(`<([0-9A-F]{4})> <([0-9A-F]{4})>\n`).FindAllStringSubmatch(objs[ref[1]], -1) {
			cm[hex(e[1])] = rune(hex(e[2]))
		}
		for _, e := range regexp.MustCompile(`<([0-9A-F]{4})> <([0-9A-F]{4})> <([0-9A-F]{4})>`).FindAllStringSubmatch(objs[ref[1]], -1) {
			for c := hex(e[1]); c <= hex(e[2]); c++ {
				cm[c] = rune(hex(e[3]) + c - hex(e[1]))
			}
		}
		cmaps[f[1]] = cm
	}
	// The text: the literal strings of TJ arrays, two bytes a code.
	var b strings.Builder
	font := ""
	tokens := regexp.MustCompile(`(?s)/(F\d+) [\d.]+ Tf|\[((?:\((?:\\.|[^\\)])*\)|[^\]])*)\]TJ`)
	for _, m := range tokens.FindAllStringSubmatch(content, -1) {
		if m[1] != "" {
			font = m[1]
			continue
		}
		for _, s := range regexp.MustCompile(`(?s)\(((?:\\.|[^\\)])*)\)`).FindAllStringSubmatch(m[2], -1) {
			codes := unescapePDF(s[1])
			for i := 0; i+1 < len(codes); i += 2 {
				b.WriteRune(cmaps[font][int(codes[i])<<8|int(codes[i+1])])
			}
		}
		b.WriteString("\n")
	}
	return box, b.String()
}

// unescapePDF decodes the escapes of a PDF literal string.
func unescapePDF(s string) []byte {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			out = append(out, s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		default:
			if c >= '0' && c <= '7' {
				j := i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(s[i:j], 8, 8)
				out = append(out, byte(v))
				i = j - 1
			} else {
				out = append(out, c)
			}
		}
	}
	return out
}

// TestPDFWorkedExample checks that the worked example's PDF is a page of
// the drawing's natural size in points whose text holds the gradient of W1,
// 72, and that the same drawing gives the same bytes.
func TestPDFWorkedExample(t *testing.T) {
	a := loadSpec(t, "worked_example")
	outs, err := Render(a, []Format{FormatSVG, FormatPDF}, Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	svg, data := outs[0], outs[1]
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", data[:min(len(data), 20)])
	}
	if bytes.Contains(data, []byte("/CreationDate")) {
		t.Error("the PDF carries the clock's creation date, so it is not reproducible")
	}
	widthPt, _ := svgWidth(svg)
	heightPt, _ := strconv.ParseFloat(string(regexp.MustCompile(`<svg width="[0-9.]+pt" height="([0-9.]+)pt"`).FindSubmatch(svg)[1]), 64)
	box, text := pdfText(t, data)
	if len(box) != 4 || box[0] != 0 || box[1] != 0 || abs(int(box[2]-widthPt)) > 1 || abs(int(box[3]-heightPt)) > 1 {
		t.Errorf("MediaBox %v, want the SVG's %g × %g points", box, widthPt, heightPt)
	}
	for _, want := range []string{"72", "W1", "ReLU"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text has no %q:\n%s", want, text)
		}
	}
	again, err := PDF(svg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Error("the same SVG gave two different PDFs")
	}
}

// TestPDFCrossReferences checks that every entry of the rebuilt
// cross-reference table points at its object, and startxref at the table.
func TestPDFCrossReferences(t *testing.T) {
	outs, err := Render(loadSpec(t, "worked_example"), []Format{FormatPDF}, Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	data := outs[0]
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no startxref at the end")
	}
	at, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(data[at:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the table", at)
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n \n`).FindAllSubmatch(data[at:], -1)
	if len(entries) < 5 {
		t.Fatalf("only %d objects", len(entries))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if want := strconv.Itoa(i+1) + " 0 obj"; !bytes.HasPrefix(data[off:], []byte(want)) {
			t.Errorf("entry %d points at %q", i+1, data[off:min(off+12, len(data))])
		}
	}
}

// TestFixFontDate checks that two fonts differing only in their
// modification date become identical, with a head checksum that matches.
func TestFixFontDate(t *testing.T) {
	font := func(modified byte) []byte {
		f := make([]byte, 12+16+56)
		copy(f, "\x00\x01\x00\x00\x00\x01")
		copy(f[12:], "head")
		binary.BigEndian.PutUint32(f[12+8:], 28)
		binary.BigEndian.PutUint32(f[12+12:], 54)
		f[28+27] = 7        // created
		f[28+35] = modified // modified
		return f
	}
	a, b := font(1), font(2)
	if !fixFontDate(a) || !fixFontDate(b) {
		t.Fatal("not recognized as a font")
	}
	if !bytes.Equal(a, b) {
		t.Error("the fonts still differ")
	}
	if a[28+35] != 7 {
		t.Errorf("modified = %d, want the creation date 7", a[28+35])
	}
	head := append([]byte(nil), a[28:28+54]...)
	binary.BigEndian.PutUint32(head[8:], 0)
	if got := binary.BigEndian.Uint32(a[12+4:]); got != sfntChecksum(head) {
		t.Errorf("head checksum %x, want %x", got, sfntChecksum(head))
	}
	if sfntChecksum(a) != 0xB1B0AFBA {
		t.Errorf("whole-font checksum %x, want B1B0AFBA", sfntChecksum(a))
	}
	if fixFontDate([]byte("%PDF-1.7 not a font")) {
		t.Error("a non-font was taken for a font")
	}
}
