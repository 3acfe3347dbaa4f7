package graph

import (
	"strings"
	"unicode/utf8"
)

// This file bounds how deeply a spec's YAML nests before any YAML parser
// sees it: parsers recurse on nesting, so a small file of brackets could
// otherwise cost gigabytes. The scan is one linear pass over the lines.

// depthScan tracks the nesting of a YAML text line by line: the open block
// collections by indentation, the open flow collections ([ and {), and
// whether a quoted scalar or a block scalar (| or >) continues on the next
// line.
type depthScan struct {
	indents []int
	flow    int
	quote   byte
	// block is the indentation of the line that started a block scalar, or
	// -1; more indented lines belong to the scalar and are not YAML.
	block int
}

// checkDepth reports the first place where the YAML nests more than
// p.limits.MaxDepth collections deep. A block collection counts once per
// indentation level and once per "- " that opens a sequence entry, a flow
// collection once per bracket. It returns false after an error.
func (p *parser) checkDepth() bool {
	s := depthScan{block: -1}
	for i, line := range p.lines {
		if col, depth := s.line(line, p.limits.MaxDepth); col > 0 {
			p.errorf(Pos{File: p.file, Line: i + 1, Col: col},
				"the YAML nests %d collections deep here, more than the limit of %d (raise it with --max-depth)", depth, p.limits.MaxDepth)
			return false
		}
	}
	return true
}

// line scans one line and returns the column (from 1) of the first
// bracket or indicator that nests deeper than limit, with that depth, or
// 0 if the line stays within it.
func (s *depthScan) line(line string, limit int) (col, depth int) {
	indent := len(line) - len(strings.TrimLeft(line, " "))
	rest := strings.TrimSpace(line)
	if s.block >= 0 {
		if rest == "" || indent > s.block {
			return 0, 0
		}
		s.block = -1
	}
	i := 0
	if s.flow == 0 && s.quote == 0 {
		if rest == "" || rest[0] == '#' {
			return 0, 0
		}
		for len(s.indents) > 0 && s.indents[len(s.indents)-1] > indent {
			s.indents = s.indents[:len(s.indents)-1]
		}
		if len(s.indents) == 0 || s.indents[len(s.indents)-1] < indent {
			s.indents = append(s.indents, indent)
		}
		i = indent
	}
	base := len(s.indents)
	dashes := 0
	// leading is true while only sequence indicators ("- ") have been
	// seen on the line: a dash further on is text, as in "a - b".
	leading := s.flow == 0 && s.quote == 0
	tokenStart := true
	for ; i < len(line); i++ {
		c := line[i]
		if s.quote != 0 {
			switch {
			case c == '\\' && s.quote == '"':
				i++
			case c == s.quote:
				s.quote = 0
			}
			tokenStart = false
			continue
		}
		switch {
		case c == '#' && tokenStart:
			return 0, 0
		case (c == '"' || c == '\'') && tokenStart:
			s.quote = c
		case c == '[' || c == '{':
			s.flow++
		case (c == ']' || c == '}') && s.flow > 0:
			s.flow--
		case c == '-' && leading && (i+1 == len(line) || line[i+1] == ' '):
			dashes++
		case (c == '|' || c == '>') && s.flow == 0 && tokenStart && blockIndicator(line[i+1:]):
			s.block = indent
			return 0, 0
		}
		if d := base + dashes + s.flow; d > limit {
			return utf8.RuneCountInString(line[:i]) + 1, d
		}
		leading = leading && (c == '-' || c == ' ')
		tokenStart = c == ' ' || c == '\t' || c == '[' || c == '{' || c == ','
	}
	return 0, 0
}

// roughDepth is an upper bound of how deeply src nests that no quote or
// comment can hide: the deepest run of open brackets, counting every
// bracket, plus the longest run of "- " starting a line, plus the number of
// distinct indentations. The second parser, which recurses, runs only when
// it is within the depth limit.
func roughDepth(lines []string) int {
	flow, deepest, indents := 0, 0, map[int]bool{}
	for _, line := range lines {
		indent := len(line) - len(strings.TrimLeft(line, " "))
		indents[indent] = true
		dashes := 0
		for i := indent; i+1 < len(line) && line[i] == '-' && line[i+1] == ' '; i += 2 {
			dashes++
		}
		deepest = max(deepest, dashes+len(indents))
		for i := 0; i < len(line); i++ {
			switch line[i] {
			case '[', '{':
				flow++
				deepest = max(deepest, flow+len(indents))
			case ']', '}':
				flow = max(0, flow-1)
			}
		}
	}
	return deepest
}

// blockIndicator reports whether rest, what follows a | or > at the start
// of a token, makes it a block scalar header: optional indentation and
// chomping indicators, then nothing but a comment.
func blockIndicator(rest string) bool {
	rest = strings.TrimLeft(rest, "+-0123456789")
	rest = strings.TrimLeft(rest, " \t")
	return rest == "" || rest[0] == '#'
}
