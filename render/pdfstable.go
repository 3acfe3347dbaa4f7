package render

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
)

// The font subsets canvas embeds in a PDF carry the clock's time as their
// modification date (in the sfnt head table), so two runs would differ.
// reproduciblePDF rewrites those fonts with the modification date set to
// the font's creation date, and rebuilds the cross-reference table for the
// new stream lengths. Every other byte is kept.

var (
	pdfXref   = regexp.MustCompile(`\nxref\n0 (\d+)\n`)
	pdfLength = regexp.MustCompile(`/Length (\d+)`)
)

// reproduciblePDF returns data with its embedded fonts' modification dates
// made constant; data must be a PDF written by canvas (one xref section).
func reproduciblePDF(data []byte) ([]byte, error) {
	locs := pdfXref.FindAllSubmatchIndex(data, -1)
	if len(locs) != 1 {
		return nil, fmt.Errorf("pdf: expected one cross-reference table, found %d", len(locs))
	}
	loc := locs[0]
	xrefAt := loc[0] + 1
	n, _ := strconv.Atoi(string(data[loc[2]:loc[3]]))
	entries := data[loc[1]:]
	if n < 1 || len(entries) < 20*n {
		return nil, fmt.Errorf("pdf: truncated cross-reference table")
	}
	offsets := make([]int, n) // Object number → offset; entry 0 is free.
	for i := 1; i < n; i++ {
		v, err := strconv.Atoi(string(bytes.TrimLeft(entries[20*i:20*i+10], "0")))
		if err != nil || v <= 0 || v >= xrefAt {
			return nil, fmt.Errorf("pdf: bad cross-reference entry %d", i)
		}
		offsets[i] = v
	}
	trailer := entries[20*n:]
	if i := bytes.Index(trailer, []byte("startxref")); i >= 0 {
		trailer = trailer[:i]
	}
	order := make([]int, 0, n-1)
	for i := 1; i < n; i++ {
		order = append(order, i)
	}
	sort.Slice(order, func(a, b int) bool { return offsets[order[a]] < offsets[order[b]] })
	var out bytes.Buffer
	out.Write(data[:offsets[order[0]]])
	newOffsets := make([]int, n)
	for k, obj := range order {
		end := xrefAt
		if k+1 < len(order) {
			end = offsets[order[k+1]]
		}
		body, err := stableObject(data[offsets[obj]:end])
		if err != nil {
			return nil, fmt.Errorf("pdf: object %d: %w", obj, err)
		}
		newOffsets[obj] = out.Len()
		out.Write(body)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", n)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&out, "%010d 00000 n \n", newOffsets[i])
	}
	out.Write(trailer)
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", xref)
	return out.Bytes(), nil
}

// stableObject returns a PDF object, rewriting its stream when that is a
// compressed font whose modification date depends on the clock.
func stableObject(obj []byte) ([]byte, error) {
	at := bytes.Index(obj, []byte(">>stream\n"))
	if at < 0 || !bytes.Contains(obj[:at], []byte("/FlateDecode")) {
		return obj, nil
	}
	m := pdfLength.FindSubmatchIndex(obj[:at])
	if m == nil {
		return obj, nil
	}
	length, _ := strconv.Atoi(string(obj[m[2]:m[3]]))
	start := at + len(">>stream\n")
	if start+length > len(obj) {
		return nil, fmt.Errorf("stream longer than the object")
	}
	zr, err := zlib.NewReader(bytes.NewReader(obj[start : start+length]))
	if err != nil {
		return obj, nil // Not a zlib stream: left as it is.
	}
	font, err := io.ReadAll(zr)
	if err != nil || !fixFontDate(font) {
		return obj, nil
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(font)
	zw.Close()
	var b bytes.Buffer
	b.Write(obj[:m[2]])
	b.WriteString(strconv.Itoa(z.Len()))
	b.Write(obj[m[3]:start])
	b.Write(z.Bytes())
	b.Write(obj[start+length:])
	return b.Bytes(), nil
}

// fixFontDate sets the modification date of an sfnt font (TrueType or
// OpenType) to its creation date and updates the checksums. It reports
// whether font is such a font.
func fixFontDate(font []byte) bool {
	if len(font) < 12 {
		return false
	}
	switch string(font[:4]) {
	case "\x00\x01\x00\x00", "OTTO", "true":
	default:
		return false
	}
	be := binary.BigEndian
	tables := int(be.Uint16(font[4:]))
	for i := range tables {
		rec := 12 + 16*i
		if rec+16 > len(font) {
			return false
		}
		if string(font[rec:rec+4]) != "head" {
			continue
		}
		off, size := int(be.Uint32(font[rec+8:])), int(be.Uint32(font[rec+12:]))
		if size < 54 || off+size > len(font) {
			return false
		}
		head := font[off : off+size]
		copy(head[28:36], head[20:28]) // modified = created
		be.PutUint32(head[8:], 0)      // checkSumAdjustment, computed last
		be.PutUint32(font[rec+4:], sfntChecksum(head))
		be.PutUint32(head[8:], 0xB1B0AFBA-sfntChecksum(font))
		return true
	}
	return false
}

// sfntChecksum is the sum of b's big-endian 32-bit words, zero-padded.
func sfntChecksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
