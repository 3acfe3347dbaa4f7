package render

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// loadRNN loads and annotates specs/rnn_unrolled.yaml.
func loadRNN(t *testing.T) *backward.Annotated {
	t.Helper()
	g, err := graph.LoadFile(filepath.Join("..", "specs", "rnn_unrolled.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// plainText returns an HTML-like label without its tags, with the minus
// sign as "-".
func plainText(label string) string {
	s := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(label, "\n")
	return strings.ReplaceAll(s, minus, "-")
}

// TestRollRNN: the rolled drawing of the unrolled RNN has one box for the
// three calls, with a ×3 badge and a loop edge, and no node of a call drawn
// on its own; the labels on the edges from Wx and Wh write their gradients
// as one term per call, each equal to the gradients the annotated JSON
// gives the edges from the weight into that call, summing to the weight's
// gradient.
func TestRollRNN(t *testing.T) {
	a := loadRNN(t)
	dot := string(DOT(a, Options{Roll: true, Precision: 17}))
	if n := strings.Count(dot, `id="roll_`); n != 1 {
		t.Fatalf("%d rolled boxes, want 1:\n%s", n, dot)
	}
	box := regexp.MustCompile(`(?m)^\s*(g\d+) \[id="roll_s1", label=<(.*)>\];$`).FindStringSubmatch(dot)
	if box == nil {
		t.Fatalf("no rolled box for the call s1:\n%s", dot)
	}
	if !strings.Contains(box[2], "×3") {
		t.Errorf("the rolled box has no ×3 badge: %s", box[2])
	}
	for _, s := range []string{"s1 = cell(x1, s0, Wx, Wh)", "s2 = cell(x2, s1, Wx, Wh)", "s3 = cell(x3, s2, Wx, Wh)", "s = cell(…, …, Wx, Wh)"} {
		if !strings.Contains(box[2], escapeHTML(s)) {
			t.Errorf("the rolled box does not list %q", s)
		}
	}
	if !regexp.MustCompile(`(?m)^\s*` + box[1] + ` -> ` + box[1] + ` \[`).MatchString(dot) {
		t.Errorf("no loop edge on %s", box[1])
	}
	if strings.Contains(dot, "cluster_") && strings.Contains(dot, `"group_s`) {
		t.Errorf("a call is still drawn as a frame")
	}
	for _, n := range a.Graph.Nodes {
		if strings.HasPrefix(n.Name, "s") && n.Name != "s0" && regexp.MustCompile(`(?m)^\s*n`+strconv.Itoa(n.ID)+` \[`).MatchString(dot) {
			t.Errorf("%s, a node of a rolled call, is drawn on its own", n.Name)
		}
	}

	// The annotated JSON, as it is written for users.
	var buf bytes.Buffer
	if err := backward.WriteJSON(&buf, a); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Nodes []struct {
			Name, Owner string
			Grad        *float64
		}
		Edges []struct {
			From, To string
			Grad     *float64
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	call := map[string]string{}
	leaf := map[string]float64{}
	for _, n := range doc.Nodes {
		call[n.Name] = n.Name
		if n.Owner != "" {
			call[n.Name] = n.Owner
		}
		if n.Grad != nil {
			leaf[n.Name] = *n.Grad
		}
	}
	labels := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*x(\d+) \[label=<(.*)>\];$`).FindAllStringSubmatch(dot, -1) {
		labels[m[1]] = m[2]
	}
	for _, w := range []string{"Wx", "Wh"} {
		n := a.Graph.Node(w)
		m := regexp.MustCompile(`(?m)^\s*n` + strconv.Itoa(n.ID) + ` -> x(\d+):p`).FindStringSubmatch(dot)
		if m == nil {
			t.Fatalf("no edge from %s into the rolled box", w)
		}
		text := plainText(labels[m[1]])
		eq := regexp.MustCompile(`∂L/∂` + prettyName(w) + ` = ([^\n]*)`).FindStringSubmatch(text)
		if eq == nil {
			t.Fatalf("the label of %s has no ∂L/∂%s = …: %q", w, w, text)
		}
		var terms []float64
		for _, s := range strings.Split(eq[1], " + ") {
			v, err := strconv.ParseFloat(strings.Trim(s, "()"), 64)
			if err != nil {
				t.Fatalf("%s: term %q: %v", w, s, err)
			}
			terms = append(terms, v)
		}
		want := map[string]float64{}
		for _, e := range doc.Edges {
			if e.From == w && e.Grad != nil {
				want[call[e.To]] += *e.Grad
			}
		}
		if len(terms) != 3 || len(want) != 3 {
			t.Fatalf("%s: %d terms, %d calls in the JSON, want 3: %q", w, len(terms), len(want), eq[1])
		}
		sum := 0.0
		for k, c := range []string{"s1", "s2", "s3"} {
			if !closeEnough(terms[k], want[c]) {
				t.Errorf("%s: term %d is %v, but the JSON's edges from %s into %s carry %v", w, k+1, terms[k], w, c, want[c])
			}
			sum += terms[k]
		}
		if !closeEnough(sum, leaf[w]) {
			t.Errorf("%s: the terms sum to %v, but the JSON gives ∂L/∂%s = %v", w, sum, w, leaf[w])
		}
	}
}

// closeEnough reports whether a and b agree to the 17 digits written, up
// to the rounding of a sum.
func closeEnough(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= 1e-14*max(1, a, -a, b, -b)
}

// TestRollNothing: calls of one block with different weights, and a block
// called once, are not rolled, and the caption says --roll had nothing to
// roll; without --roll, the caption says nothing of it.
func TestRollNothing(t *testing.T) {
	for name, src := range map[string]string{
		"different weights": `name: two
inputs: {x: 1}
params: {W1: 2, W2: 3}
blocks:
  lin: {args: [x, W], output: tanh(W * x)}
nodes:
  a: lin(x, W1)
  b: lin(a, W2)
output: b
`,
		"called once": `name: once
inputs: {x: 1}
params: {W: 2}
blocks:
  lin: {args: [x, W], output: tanh(W * x)}
nodes:
  a: lin(x, W)
  b: a * 3
output: b
`,
	} {
		a := loadSource(t, src)
		dot := string(DOT(a, Options{Roll: true}))
		if strings.Contains(dot, `id="roll_`) || strings.Contains(dot, "×2") {
			t.Errorf("%s: rolled:\n%s", name, dot)
		}
		if !strings.Contains(dot, "--roll: nothing to roll") {
			t.Errorf("%s: the caption does not say --roll had nothing to roll", name)
		}
		if !strings.Contains(dot, `"group_a"`) {
			t.Errorf("%s: the call a is not drawn as its frame", name)
		}
		if strings.Contains(string(DOT(a, Options{})), "roll") {
			t.Errorf("%s: the drawing without --roll speaks of it", name)
		}
	}
}

// TestRollRejected: --roll with --focus or --collapse is an option error.
func TestRollRejected(t *testing.T) {
	for _, o := range []Options{{Roll: true, Focus: "s2"}, {Roll: true, Collapse: []string{"all"}}} {
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "--roll cannot be combined") {
			t.Errorf("%+v: error %v, want --roll cannot be combined", o, err)
		}
	}
	if err := (Options{Roll: true}).Validate(); err != nil {
		t.Errorf("--roll alone: %v", err)
	}
}

// TestRollTensor: with matrix weights the calls are rolled too; an edge
// from a shared weight says its gradient is summed over the calls, an
// edge from a per-call input which call it feeds.
func TestRollTensor(t *testing.T) {
	a := loadSource(t, `name: rnnvec
inputs:
  x1: [1, 2]
  x2: [0.5, -1]
  s0: {value: [0, 0], grad: false}
params:
  Wx: [[0.5, 0.1], [0.2, -0.3]]
  Wh: [[1, 0], [0, -1]]
blocks:
  cell:
    args: [x, h, Wx, Wh]
    output: tanh(Wx @ x + Wh @ h)
nodes:
  s1: cell(x1, s0, Wx, Wh)
  s2: cell(x2, s1, Wx, Wh)
  L: sum(s2)
output: L
`)
	dot := string(DOT(a, Options{Roll: true}))
	if !strings.Contains(dot, "×2") || strings.Count(dot, `id="roll_`) != 1 {
		t.Fatalf("the two calls are not rolled into one box with ×2:\n%s", dot)
	}
	if n := strings.Count(dot, "summed over 2 calls"); n != 2 {
		t.Errorf("%d edges summed over 2 calls, want 2 (Wx, Wh)", n)
	}
	if !strings.Contains(dot, "into call 1") || !strings.Contains(dot, "into call 2") {
		t.Errorf("the edges from x1 and x2 do not say which call they feed")
	}
}
