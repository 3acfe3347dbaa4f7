package render

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// frameSVGs returns the SVG of every frame of a test spec.
func frameSVGs(t *testing.T, spec string) [][]byte {
	t.Helper()
	frames, err := Frames(loadSpec(t, spec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	svgs := make([][]byte, len(frames))
	for k, f := range frames {
		if svgs[k], err = SVG(f.DOT); err != nil {
			t.Fatalf("frame %d: %v", k+1, err)
		}
	}
	return svgs
}

func TestAnimate(t *testing.T) {
	svgs := frameSVGs(t, "fanout")
	anim, err := Animate(svgs)
	if err != nil {
		t.Fatal(err)
	}
	// Well-formed XML, with unique ids.
	ids := map[string]bool{}
	dec := xml.NewDecoder(bytes.NewReader(anim))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the animated SVG is not well-formed XML: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok {
			for _, at := range el.Attr {
				if at.Name.Local == "id" {
					if ids[at.Value] {
						t.Errorf("id %q is used twice", at.Value)
					}
					ids[at.Value] = true
				}
			}
		}
	}
	// Every frame, each once, and the frames differ.
	groups := regexp.MustCompile(`(?s)<g id="frame\d+" class="cv-frame[^"]*" style="animation-delay: (-?\d+)s">\n(.*?)</svg>\n</g>`).FindAllSubmatch(anim, -1)
	if len(groups) != len(svgs) {
		t.Fatalf("%d frames in the animation, want %d", len(groups), len(svgs))
	}
	for k, g := range groups {
		if want := (k - len(svgs)) * FrameSeconds; string(g[1]) != itoa(want) {
			t.Errorf("frame %d starts at %ss, want %d", k+1, g[1], want)
		}
		if k > 0 && bytes.Equal(unprefix(g[2]), unprefix(groups[k-1][2])) {
			t.Errorf("frames %d and %d are the same", k, k+1)
		}
		if !bytes.Contains(g[2], []byte(">"+itoa(k+1)+"/"+itoa(len(svgs))+"<")) {
			t.Errorf("group %d is not frame %d", k+1, k+1)
		}
	}
	s := string(anim)
	for _, want := range []string{
		"animation: cv-show 28s step-end infinite", // 14 frames of 2 s.
		"@keyframes cv-show { 0% { opacity: 1; } 7.142857142857143% { opacity: 0; } }",
		`class="cv-frame cv-last"`, // Shown without animations.
		"prefers-reduced-motion",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the animated SVG lacks %q", want)
		}
	}
	if strings.Contains(s, "<script") || strings.Contains(s, "<!DOCTYPE") {
		t.Error("the animated SVG has a script or a doctype")
	}
	again, _ := Animate(frameSVGs(t, "fanout"))
	if !bytes.Equal(again, anim) {
		t.Error("the animated SVG is not deterministic")
	}
}

// unprefix removes the frame prefixes of ids, so that frames compare by
// what they draw.
func unprefix(b []byte) []byte {
	return regexp.MustCompile(`(id="|url\(#|href="#)f\d+-`).ReplaceAll(b, []byte("$1"))
}

func TestAnimateErrors(t *testing.T) {
	if _, err := Animate(nil); err == nil {
		t.Error("no frames are accepted")
	}
	if _, err := Animate([][]byte{[]byte("<html></html>")}); err == nil {
		t.Error("a frame that is not an SVG is accepted")
	}
	if _, err := Animate([][]byte{[]byte(`<svg viewBox="0 0 0 0"></svg>`)}); err == nil {
		t.Error("an empty viewBox is accepted")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
