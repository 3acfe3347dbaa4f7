package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// mdLink matches a Markdown link or image: [text](target) or ![alt](target).
var mdLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)

// codeSpan matches an inline code span, whose text is not a link.
var codeSpan = regexp.MustCompile("`+[^`]*`+")

// headingAnchors returns the GitHub anchors of the headings of a Markdown
// text: lower case, punctuation dropped, spaces as hyphens.
func headingAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	for _, line := range outsideCode(text) {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#")))
		var b strings.Builder
		for _, r := range h {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127:
				b.WriteRune(r)
			}
		}
		anchors[b.String()] = true
	}
	return anchors
}

// outsideCode returns the lines of text outside fenced code blocks.
func outsideCode(text string) []string {
	var lines []string
	fence := ""
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			// CommonMark: the info string of a backtick fence has no
			// backtick, else the line is text with code spans.
			open := t[:len(t)-len(strings.TrimLeft(t, t[:1]))]
			if open[0] != '`' || !strings.Contains(t[len(open):], "`") {
				fence = open
				continue
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// TestDocLinksResolve checks that every relative link of README.md and
// specs/README.md names a file or folder of the repository, and that every
// anchor names a heading of its page.
func TestDocLinksResolve(t *testing.T) {
	root := filepath.Join("..", "..")
	checked := 0
	for _, doc := range []string{"README.md", filepath.Join("specs", "README.md")} {
		src, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range outsideCode(string(src)) {
			for _, m := range mdLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				file, anchor, _ := strings.Cut(target, "#")
				path := filepath.Join(root, filepath.Dir(doc), filepath.FromSlash(file))
				if file == "" {
					path = filepath.Join(root, doc)
				}
				rel, err := filepath.Rel(root, path)
				if err != nil || strings.HasPrefix(rel, "..") {
					t.Errorf("%s: link %s leaves the repository", doc, target)
					continue
				}
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s: link %s: %v", doc, target, err)
					continue
				}
				if anchor != "" {
					page, err := os.ReadFile(path)
					if err != nil || !headingAnchors(string(page))[anchor] {
						t.Errorf("%s: link %s: no heading with the anchor #%s in %s", doc, target, anchor, rel)
					}
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked only %d links; is the link pattern broken?", checked)
	}
}

// TestExampleSpecsPointAtSchema checks that every example spec starts with
// the line that gives editors the schema, and that the path resolves.
func TestExampleSpecsPointAtSchema(t *testing.T) {
	specs, err := filepath.Glob(filepath.Join("..", "..", "specs", "*.yaml"))
	if err != nil || len(specs) == 0 {
		t.Fatalf("no specs (%v)", err)
	}
	const line = "# yaml-language-server: $schema=chainviz.schema.json\n"
	if _, err := os.Stat(filepath.Join("..", "..", "specs", "chainviz.schema.json")); err != nil {
		t.Fatal(err)
	}
	for _, spec := range specs {
		src, err := os.ReadFile(spec)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(src), line) {
			t.Errorf("%s does not start with %q", spec, line)
		}
	}
}
