package render

import (
	"regexp"
	"strings"
	"testing"
)

func TestFramesCount(t *testing.T) {
	for _, spec := range []string{"worked_example", "fanout", "tensor", "warned"} {
		a := loadSpec(t, spec)
		frames, err := Frames(a, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if want := len(a.Graph.Nodes) + len(a.Edges) + TitleFrames; len(frames) != want {
			t.Errorf("%s: %d frames, want %d (nodes + edges + title frames)", spec, len(frames), want)
		}
		for k, f := range frames {
			if k > 0 && string(f.DOT) == string(frames[k-1].DOT) {
				t.Errorf("%s: frame %d is the same as frame %d", spec, k+1, k)
			}
			if f.Caption == "" {
				t.Errorf("%s: frame %d has no caption", spec, k+1)
			}
		}
		again, _ := Frames(loadSpec(t, spec), Options{})
		for k := range again {
			if string(again[k].DOT) != string(frames[k].DOT) {
				t.Fatalf("%s: frame %d is not deterministic", spec, k+1)
			}
		}
	}
}

// TestSteps checks that Steps lists the frames of Frames, with their
// captions, and says what each highlights.
func TestSteps(t *testing.T) {
	for _, spec := range []string{"worked_example", "fanout", "tensor", "warned"} {
		a := loadSpec(t, spec)
		steps, err := Steps(a, Options{})
		if err != nil {
			t.Fatal(err)
		}
		frames, _ := Frames(a, Options{})
		if want := len(a.Graph.Nodes) + len(a.Edges) + TitleFrames; len(steps) != want || len(frames) != want {
			t.Fatalf("%s: %d steps and %d frames, want %d (nodes + edges + title frames)", spec, len(steps), len(frames), want)
		}
		nodes := len(a.Graph.Nodes)
		seen := make([]bool, len(a.Edges))
		for k, s := range steps {
			if s.Caption != frames[k].Caption {
				t.Errorf("%s: step %d says %q, its frame %q", spec, k+1, s.Caption, frames[k].Caption)
			}
			switch {
			case k == 0:
				if s.Pass != PassForward || s.Node != -1 || s.Edge != -1 {
					t.Errorf("%s: forward title step %+v", spec, s)
				}
			case k <= nodes:
				if s.Pass != PassForward || s.Node != a.Graph.Nodes[k-1].ID || s.Edge != -1 {
					t.Errorf("%s: step %d is %+v, want node %d", spec, k+1, s, a.Graph.Nodes[k-1].ID)
				}
			case k == nodes+1:
				if s.Pass != PassBackward || s.Node != a.Graph.Output.ID || s.Edge != -1 {
					t.Errorf("%s: backward title step %+v", spec, s)
				}
			default:
				if s.Pass != PassBackward || s.Edge < 0 || s.Edge >= len(a.Edges) || seen[s.Edge] || s.Node != a.Edges[s.Edge].From.ID {
					t.Errorf("%s: step %d is %+v", spec, k+1, s)
					continue
				}
				seen[s.Edge] = true
			}
		}
	}
	// The worked example's backward pass starts at the output.
	a := loadSpec(t, "worked_example")
	steps, _ := Steps(a, Options{Precision: 2})
	if s := steps[len(a.Graph.Nodes)+2]; !strings.HasPrefix(s.Caption, "δ flows from L back to z₂") || a.Edges[s.Edge].To != a.Graph.Output {
		t.Errorf("first backward edge: %+v", s)
	}
	if _, err := Steps(a, Options{Precision: -1}); err == nil {
		t.Error("Steps accepts precision −1")
	}
}

func TestFramesWorkedExample(t *testing.T) {
	a := loadSpec(t, "worked_example")
	frames, err := Frames(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	captions := make([]string, len(frames))
	for k, f := range frames {
		captions[k] = f.Caption
	}
	all := strings.Join(captions, "\n")
	for _, want := range []string{
		"x = 2, an input.",
		"y = 5, an input without gradient (grad: false).",
		"a₁ = W₁·x = 3·2 = 6.",
		"h₁ = ReLU(z₁) = ReLU(7) = 7.",
		"L = Σ(z₂ − y)² = Σ(14 − 5)² = 81: the output.",
		"∂L/∂L = 1",
		"δ flows from a₂ back to h₁: ∂L/∂a₂ × ∂a₂/∂h₁ = 18 × 2 = 36.",
		"No gradient flows from L back to y: it is declared with grad: false.",
		"δ flows from a₁ back to W₁: ∂L/∂a₁ × ∂a₁/∂W₁ = 36 × 2 = 72.",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no caption says %q", want)
		}
	}
	// The forward pass is in node order, the backward pass starts at the
	// output.
	if !strings.HasPrefix(captions[1], "x = 2") || !strings.HasPrefix(captions[len(a.Graph.Nodes)+2], "δ flows from L back to z₂") {
		t.Errorf("the passes are out of order:\n%s", all)
	}
	// The caption is drawn, with the frame's number.
	if !strings.Contains(string(frames[8].DOT), "<B>9/25</B>") || !strings.Contains(string(frames[8].DOT), escapeHTML(captions[8])) {
		t.Error("frame 9 does not draw its number and caption")
	}

	full := nodeLines(DOT(a, Options{}))
	green, red := `COLOR="`+lightPalette.Forward+`"`, `COLOR="`+lightPalette.Gradient+`"`
	for k, f := range frames {
		lines := nodeLines(f.DOT)
		for id, line := range lines {
			switch {
			case k == 0 && strings.Contains(line, green):
				t.Errorf("the title frame shows a value: %s", line)
			case k <= len(a.Graph.Nodes) && strings.Contains(line, red):
				t.Errorf("frame %d of the forward pass shows a gradient: %s", k+1, line)
			}
			// In the last frame everything is computed: every node but
			// the highlighted one is drawn as in the diagram.
			if k == len(frames)-1 && id != "n0" && line != full[id] {
				t.Errorf("node %s of the last frame differs from the diagram:\n%s\n%s", id, line, full[id])
			}
		}
	}
	// Frame 4 computes W1: x and y are done, W1 is highlighted, a1 is
	// pending and its value hidden.
	f4 := nodeLines(frames[3].DOT)
	if !strings.Contains(f4["n2"], lightPalette.Current) || !strings.Contains(f4["n2"], green) {
		t.Errorf("W1 is not highlighted with its value in frame 4: %s", f4["n2"])
	}
	if !strings.Contains(f4["n6"], lightPalette.PendingLine) || strings.Contains(f4["n6"], green) {
		t.Errorf("a1 is not pending in frame 4: %s", f4["n6"])
	}
	// The backward frame that follows h1 → a2 draws that edge wide.
	k := indexOf(captions, "δ flows from a₂ back to h₁")
	if !regexp.MustCompile(`n8 -> e\d+:p:w \[[^]]*penwidth`).Match(frames[k].DOT) {
		t.Errorf("the edge h1 → a2 is not emphasised in its frame")
	}
}

func TestFramesFanOutSum(t *testing.T) {
	frames, err := Frames(loadSpec(t, "fanout"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The backward pass follows f's edges, then q's, then p's: p → x
	// completes x's gradient.
	k := len(frames) - 2
	if c := frames[k].Caption; c != "δ flows from p back to x: ∂f/∂p × ∂p/∂x = 1 × 3 = 3; so ∂f/∂x = 3 + 3 = 6." {
		t.Errorf("the frame that completes x's gradient does not sum it: %q", c)
	}
	for _, f := range frames[:k] {
		if strings.Contains(f.Caption, "so ∂f/∂x") {
			t.Errorf("x's gradient is summed before it is complete: %q", f.Caption)
		}
	}
}

// TestFramesLayout checks that no frame moves the picture: every frame's
// SVG has the size of the first.
func TestFramesLayout(t *testing.T) {
	frames, err := Frames(loadSpec(t, "fanout"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	size := regexp.MustCompile(`<svg width="[^"]*" height="[^"]*"`)
	var first string
	for k, f := range frames {
		svg, err := SVG(f.DOT)
		if err != nil {
			t.Fatalf("frame %d: %v", k+1, err)
		}
		got := size.FindString(string(svg))
		if k == 0 {
			first = got
		} else if got != first {
			t.Errorf("frame %d is %s, frame 1 %s", k+1, got, first)
		}
	}
}

func TestFramesLimit(t *testing.T) {
	a := loadSource(t, layered(MaxFrames/2))
	if _, err := Frames(a, Options{}); err == nil || !strings.Contains(err.Error(), "frames") {
		t.Errorf("a graph of %d nodes and %d edges gives frames: %v", a.Graph.Len(), len(a.Edges), err)
	}
	if _, err := Frames(loadSpec(t, "fanout"), Options{Theme: "sepia"}); err == nil {
		t.Error("bad options are accepted")
	}
}

func indexOf(captions []string, prefix string) int {
	for k, c := range captions {
		if strings.HasPrefix(c, prefix) {
			return k
		}
	}
	return -1
}
