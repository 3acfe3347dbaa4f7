package main

import (
	"fmt"
	"strings"
)

// The markers of a block that md --in-place has rendered: the block's
// source in an HTML comment, then what it was rendered into, then the end.
const (
	mdSourceStart = "<!-- chainviz source"
	mdSourceEnd   = "-->"
	mdOutputEnd   = "<!-- chainviz end -->"
)

// mdBlock is a piece of a Markdown file: text copied as it is, or a
// chainviz fence.
type mdBlock struct {
	text  string
	fence *mdFence
}

// mdFence is one ```chainviz block.
type mdFence struct {
	// line is the line of the opening fence; the body starts on the next.
	line int
	// raw is the whole block as written, fences included.
	raw  string
	body []byte
	// file is the spec named by file=, relative to the Markdown file.
	file string
	// explain asks for the derivation, with respect to wrt (default: every
	// leaf with a gradient).
	explain bool
	wrt     []string
	// err is what is wrong with the block itself, reported with the
	// problems of the other blocks.
	err error
}

// parseMarkdown splits src into text and chainviz fences. Other fenced
// blocks are text, whatever they contain. The error, at file:line:col, is a
// block that does not end; the blocks before it are returned with it.
func parseMarkdown(file string, src []byte) ([]mdBlock, error) {
	lines := strings.SplitAfter(string(src), "\n")
	var blocks []mdBlock
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			blocks = append(blocks, mdBlock{text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimRight(line, " \t\r\n") == mdSourceStart {
			// A block rendered by --in-place: its source is read again and
			// its old output dropped.
			start := i + 1
			j := i + 1
			for j < len(lines) && strings.TrimSpace(lines[j]) != mdSourceEnd {
				j++
			}
			k := j
			for k < len(lines) && strings.TrimSpace(lines[k]) != mdOutputEnd {
				k++
			}
			if k >= len(lines) {
				flush()
				return blocks, fmt.Errorf("%s:%d:1: %q without its %q line", file, i+1, mdSourceStart, mdOutputEnd)
			}
			open, ok := fenceOpen(lines[start])
			if !ok || !isChainvizInfo(lines[start][len(open):]) {
				flush()
				return blocks, fmt.Errorf("%s:%d:1: expected a ```chainviz block after %q", file, start+1, mdSourceStart)
			}
			f, end, err := readFence(file, lines, start, open)
			if err != nil {
				flush()
				return blocks, err
			}
			if end+1 != j {
				flush()
				return blocks, fmt.Errorf("%s:%d:1: expected %q right after the block", file, end+2, mdSourceEnd)
			}
			flush()
			blocks = append(blocks, mdBlock{fence: f})
			i = k
			continue
		}
		open, ok := fenceOpen(line)
		if !ok {
			text.WriteString(line)
			continue
		}
		if !isChainvizInfo(line[len(open):]) {
			// Another language's block: copied up to its closing fence.
			text.WriteString(line)
			for i++; i < len(lines); i++ {
				text.WriteString(lines[i])
				if isFenceClose(lines[i], open) {
					break
				}
			}
			continue
		}
		f, end, err := readFence(file, lines, i, open)
		if err != nil {
			flush()
			return blocks, err
		}
		flush()
		blocks = append(blocks, mdBlock{fence: f})
		i = end
	}
	flush()
	return blocks, nil
}

// readFence reads the chainviz block whose opening fence is lines[at] and
// returns it with the index of its closing line.
func readFence(file string, lines []string, at int, open string) (*mdFence, int, error) {
	f := &mdFence{line: at + 1}
	f.err = f.parseInfo(file, strings.TrimSpace(lines[at][len(open):]))
	var body, raw strings.Builder
	raw.WriteString(lines[at])
	for j := at + 1; j < len(lines); j++ {
		raw.WriteString(lines[j])
		if isFenceClose(lines[j], open) {
			f.body, f.raw = []byte(body.String()), raw.String()
			if !strings.HasSuffix(f.raw, "\n") {
				f.raw += "\n"
			}
			if f.err == nil && strings.Contains(f.raw, mdSourceEnd) {
				f.err = fmt.Errorf("%s:%d:1: the block contains %q, which would end the comment md --in-place keeps it in", file, f.line, mdSourceEnd)
			}
			if f.err == nil && f.file != "" && strings.TrimSpace(body.String()) != "" {
				f.err = fmt.Errorf("%s:%d:1: a block with file= must be empty: the spec is read from the file", file, f.line)
			}
			if f.err == nil && f.file == "" && strings.TrimSpace(body.String()) == "" {
				f.err = fmt.Errorf("%s:%d:1: empty chainviz block: expected a spec, or file=PATH after chainviz", file, f.line)
			}
			return f, j, nil
		}
		body.WriteString(lines[j])
	}
	return nil, 0, fmt.Errorf("%s:%d:1: the chainviz block has no closing %s", file, f.line, open)
}

// parseInfo reads the words after chainviz: file=PATH, explain, wrt=A,B.
func (f *mdFence) parseInfo(file, info string) error {
	words := strings.Fields(info)[1:]
	for _, w := range words {
		key, val, hasVal := strings.Cut(w, "=")
		switch {
		case key == "file" && hasVal && val != "":
			f.file = val
		case key == "explain" && !hasVal:
			f.explain = true
		case key == "wrt" && hasVal && val != "":
			f.wrt = strings.Split(val, ",")
		default:
			return fmt.Errorf("%s:%d:1: unknown word %q after chainviz: expected file=PATH, explain or wrt=NAME,…", file, f.line, w)
		}
	}
	if f.wrt != nil && !f.explain {
		return fmt.Errorf("%s:%d:1: wrt= needs the word explain", file, f.line)
	}
	return nil
}

// fenceOpen returns the backticks or tildes that open a fenced block on
// line, if it opens one (CommonMark: three or more, at most three spaces of
// indentation).
func fenceOpen(line string) (string, bool) {
	trimmed := strings.TrimLeft(line, " ")
	if len(line)-len(trimmed) > 3 || len(trimmed) < 3 || (trimmed[0] != '`' && trimmed[0] != '~') {
		return "", false
	}
	n := 0
	for n < len(trimmed) && trimmed[n] == trimmed[0] {
		n++
	}
	if n < 3 || (trimmed[0] == '`' && strings.Contains(trimmed[n:], "`")) {
		return "", false
	}
	return line[:len(line)-len(trimmed)+n], true
}

// isChainvizInfo reports whether a fence's info string names chainviz.
func isChainvizInfo(info string) bool {
	words := strings.Fields(info)
	return len(words) > 0 && words[0] == "chainviz"
}

// isFenceClose reports whether line closes the block opened by open: the
// same character, at least as many, and nothing else.
func isFenceClose(line, open string) bool {
	ch := strings.TrimLeft(open, " ")
	t := strings.TrimSpace(line)
	if len(line)-len(strings.TrimLeft(line, " ")) > 3 || len(t) < len(ch) {
		return false
	}
	return strings.Trim(t, ch[:1]) == ""
}
