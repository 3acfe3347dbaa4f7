package graph

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file reads keyword arguments: sum(X, axis=0) in the short form and
// {op: sum, in: [X], axis: 0} in the canonical form. An op takes at most one
// keyword (Op.Keyword); its value, an integer or a list of integers, becomes
// the node's Attr.

// Keyword describes an op's keyword argument.
type Keyword struct {
	// Name is the keyword, such as "axis".
	Name string
	// List is true when the value is a list of integers, such as
	// shape=[2, 3]; otherwise it is one integer.
	List bool
	// Required is true when the op cannot be used without it.
	Required bool
	// Hint shows a valid use in messages, such as "axis=0".
	Hint string
}

// rawKeyword is a keyword argument as written.
type rawKeyword struct {
	name    string
	value   []int
	isList  bool
	keyPos  Pos
	bad     bool
	present bool
}

// KeywordError is a shape rule's complaint about a keyword argument's
// value; the loader reports it at the keyword.
type KeywordError struct{ Msg string }

func (e *KeywordError) Error() string { return e.Msg }

// keywordErrorf returns a KeywordError.
func keywordErrorf(format string, args ...any) error {
	return &KeywordError{fmt.Sprintf(format, args...)}
}

// keywordNames returns the names of every keyword the ops in t take,
// sorted: the extra keys the canonical form accepts.
func (t *OpTable) keywordNames() []string {
	var names []string
	for _, op := range t.All() {
		if op.Keyword != nil && !contains(names, op.Keyword.Name) {
			names = append(names, op.Keyword.Name)
		}
	}
	return names
}

// splitArgs splits the body of a call at the commas outside brackets,
// returning each part with its byte offset in body.
//
// The parts and offsets are appended to parts and offs, which a caller may
// pass in to reuse their memory.
func splitArgs(body string, parts []string, offs []int) ([]string, []int) {
	depth, start := 0, 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				parts, offs = append(parts, body[start:i]), append(offs, start)
				start = i + 1
			}
		}
	}
	return append(parts, body[start:]), append(offs, start)
}

// parseKeywordValue reads an integer or a list of integers such as
// [2, 3] from the short form.
func parseKeywordValue(s string) (vals []int, isList, ok bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		inner := strings.TrimSpace(s[1 : len(s)-1])
		if inner == "" {
			return []int{}, true, true
		}
		for _, part := range strings.Split(inner, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil {
				return nil, true, false
			}
			vals = append(vals, v)
		}
		return vals, true, true
	}
	v, err := strconv.Atoi(s)
	return []int{v}, false, err == nil
}

// yamlKeywordValue reads an integer or a list of integers from the
// canonical form.
func yamlKeywordValue(v *yaml.Node) (vals []int, isList, ok bool) {
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!int":
		x, err := strconv.Atoi(v.Value)
		return []int{x}, false, err == nil
	case v.Kind == yaml.SequenceNode:
		vals = []int{}
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode || e.Tag != "!!int" {
				return nil, true, false
			}
			x, err := strconv.Atoi(e.Value)
			if err != nil {
				return nil, true, false
			}
			vals = append(vals, x)
		}
		return vals, true, true
	}
	return nil, false, false
}

// checkKeyword checks a keyword argument against the op it was given to
// and stores its value on the node.
func (p *parser) checkKeyword(n *rawNode, kw rawKeyword, valPos Pos) bool {
	what := "nodes." + n.name
	if kw.bad {
		want := "an integer"
		if n.op != nil && n.op.Keyword != nil && n.op.Keyword.Name == kw.name && n.op.Keyword.List {
			want = "a list of integers such as [2, 3]"
		}
		p.errorf(valPos, "%s: keyword %s: expected %s", what, kw.name, want)
		return false
	}
	if n.op == nil {
		return true // The unknown op was reported.
	}
	k := n.op.Keyword
	if k == nil {
		p.errorf(kw.keyPos, "%s: %s takes no keyword arguments, found %s", what, n.op.Name, kw.name)
		return false
	}
	if kw.name != k.Name {
		p.errorf(kw.keyPos, "%s: %s has no keyword %q%s (its keyword is %s, as in %s)", what, n.op.Name, truncate(kw.name, 40), didYouMean(kw.name, []string{k.Name}), k.Name, k.Hint)
		return false
	}
	if n.m().kw.present {
		p.errorf(kw.keyPos, "%s: keyword %s is given twice", what, kw.name)
		return false
	}
	if kw.isList != k.List {
		want := "an integer, as in " + k.Hint
		if k.List {
			want = "a list of integers, as in " + k.Hint
		}
		p.errorf(valPos, "%s: keyword %s: expected %s", what, kw.name, want)
		return false
	}
	kw.present = true
	n.edit().kw = kw
	return true
}

// checkRequired reports an op whose required keyword is missing.
func (p *parser) checkRequired(n *rawNode, pos Pos) bool {
	if n.op == nil || n.op.Keyword == nil || !n.op.Keyword.Required || n.m().kw.present {
		return true
	}
	p.errorf(pos, "nodes.%s: %s needs the keyword %s, as in %s", n.name, n.op.Name, n.op.Keyword.Name, n.op.Keyword.Hint)
	return false
}

// shapeErrorPos is where a shape rule's error is reported: at the keyword
// for a KeywordError, at the node otherwise.
func shapeErrorPos(n *Node, err error) Pos {
	var ke *KeywordError
	if errors.As(err, &ke) && n.keywordPos().Line > 0 {
		return n.keywordPos()
	}
	return n.Pos
}

// axisArg reads the axis keyword of a reduction of an input of the given
// shape: -1 (reduce everything) when absent.
func axisArg(shape, attr []int) (int, error) {
	if attr == nil {
		return -1, nil
	}
	a := attr[0]
	if a < 0 || a >= len(shape) {
		if len(shape) == 0 {
			return 0, keywordErrorf("axis=%d: a scalar has no axis", a)
		}
		return 0, keywordErrorf("axis=%d: a %s tensor has axes 0 to %d", a, ShapeString(shape), len(shape)-1)
	}
	return a, nil
}

// keywords returns the distinct keywords of the ops in t, by name.
func (t *OpTable) keywords() []*Keyword {
	var out []*Keyword
	for _, name := range t.keywordNames() {
		for _, op := range t.All() {
			if op.Keyword != nil && op.Keyword.Name == name {
				out = append(out, op.Keyword)
				break
			}
		}
	}
	return out
}

// opsWithKeyword returns the names of the spec ops that take the keyword.
func (t *OpTable) opsWithKeyword(name string) []string {
	var out []string
	for _, op := range t.All() {
		if !op.Internal && op.Keyword != nil && op.Keyword.Name == name {
			out = append(out, op.Name)
		}
	}
	return out
}
