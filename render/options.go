// Package render turns an annotated computation graph into pictures: DOT
// text (a pure, deterministic function of the graph), SVG laid out by
// Graphviz compiled to WebAssembly, and PNG rasterized from that SVG with an
// embedded font. It also writes the files of a batch atomically.
//
// The pipeline is
//
//	backward.Annotated ──DOT──▶ DOT text ──SVG──▶ SVG ──PNG──▶ PNG
//
// and only this package imports go-graphviz.
package render

import (
	"fmt"
	"strings"

	"github.com/chainviz/chainviz/backward"
)

// View selects what a diagram shows.
type View string

// The views a diagram can be drawn in.
const (
	// ViewFull shows forward values and the backward flow together.
	ViewFull View = "full"
	// ViewForward shows forward values only.
	ViewForward View = "forward"
	// ViewBackward shows the backward pass: arrows from the output back to
	// the leaves, carrying gradients.
	ViewBackward View = "backward"
)

// RankDir is the direction in which the graph flows from leaves to output.
type RankDir string

// The supported rank directions.
const (
	// LR lays the graph out from left to right, as the chain-rule note does.
	LR RankDir = "LR"
	// TB lays the graph out from top to bottom.
	TB RankDir = "TB"
	// Auto lays the graph out both ways and keeps the drawing whose shape
	// is closer to a 16:9 page (see Render). DOT alone draws it LR.
	Auto RankDir = "auto"
)

// EdgeLabels says how much each edge's label shows.
type EdgeLabels string

// The edge label policies.
const (
	// LabelsFull shows the forward value, the gradient as upstream ×
	// local and the local derivative's formula.
	LabelsFull EdgeLabels = "full"
	// LabelsNoLocal drops the line of the local derivative.
	LabelsNoLocal EdgeLabels = "nolocal"
	// LabelsGrad shows only the gradient the edge carries back (the value
	// in the forward view).
	LabelsGrad EdgeLabels = "grad"
	// LabelsNone shows no numbers on edges.
	LabelsNone EdgeLabels = "none"
	// LabelsAuto is LabelsFull up to autoFullNodes drawn nodes,
	// LabelsNoLocal up to autoNoLocalNodes and LabelsGrad beyond; the
	// caption says when labels were shortened.
	LabelsAuto EdgeLabels = "auto"
)

// The sizes, in drawn nodes, at which LabelsAuto shortens edge labels.
// They come from the measured sizes of generated scalar MLPs: no texts
// overlap with any policy, but full labels make an 81-node MLP 5028 × 3297
// pt (3847 × 3297 with the gradient only) and a 187-node one 6592 × 5495 pt
// (4271 × 3291), while a PNG stays sharp up to 8000 px a side.
const (
	autoFullNodes    = 60
	autoNoLocalNodes = 150
)

// Theme selects the colour palette.
type Theme string

// The supported themes.
const (
	Light Theme = "light"
	Dark  Theme = "dark"
)

// DefaultPrecision is the number of significant digits numbers are shown
// with when Options.Precision is zero.
const DefaultPrecision = 4

// maxPrecision is the largest precision that still changes anything: 17
// significant digits round-trip every float64.
const maxPrecision = 17

// Options controls how a diagram is drawn. The zero value draws the full
// view, left to right, with DefaultPrecision digits in the light theme.
type Options struct {
	View    View
	RankDir RankDir
	// Precision is the number of significant digits of the numbers shown;
	// integers are always shown without decimals. Zero means
	// DefaultPrecision.
	Precision int
	Theme     Theme
	// EdgeLabels is the edge label policy; zero means LabelsAuto.
	EdgeLabels EdgeLabels
	// Collapse names the groups drawn as one box each, or holds "all" for
	// every top-level group.
	Collapse []string
	// Focus, when set, draws only this node's neighbourhood: the nodes at
	// most Depth edges up- or downstream (Depth zero means 1), with a stub
	// "… N more" where the graph goes on.
	Focus string
	Depth int
	// Roll draws repeated calls of one block that read the same params
	// (shared weights, as in an unrolled RNN) as one box with a ×N badge
	// and a loop edge; see roll.go.
	Roll bool
	// normal is set by normalized, so that options validated and
	// normalized once at the entry (RenderFiles, RenderNoted) are not
	// parsed again by each drawing.
	normal bool
	// NoSubscripts shows every name as written (W1, not W₁); a node's
	// display text (graph.Node.Display) is shown as written either way.
	NoSubscripts bool
}

// ParseView returns the view named s ("full", "forward" or "backward").
func ParseView(s string) (View, error) {
	return parseEnum(s, "view", ViewFull, ViewForward, ViewBackward)
}

// ParseRankDir returns the rank direction named s ("LR", "TB" or "auto",
// in any case).
func ParseRankDir(s string) (RankDir, error) {
	if strings.EqualFold(s, string(Auto)) {
		return Auto, nil
	}
	return parseEnum(strings.ToUpper(s), "rankdir", LR, TB, Auto)
}

// ParseEdgeLabels returns the edge label policy named s ("full", "grad",
// "none" or "auto"; "nolocal" too).
func ParseEdgeLabels(s string) (EdgeLabels, error) {
	return parseEnum(s, "edge label policy", LabelsFull, LabelsGrad, LabelsNone, LabelsAuto, LabelsNoLocal)
}

// ParseTheme returns the theme named s ("light" or "dark").
func ParseTheme(s string) (Theme, error) {
	return parseEnum(s, "theme", Light, Dark)
}

func parseEnum[T ~string](s, what string, allowed ...T) (T, error) {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if strings.EqualFold(s, string(a)) {
			return a, nil
		}
		names[i] = string(a)
	}
	var zero T
	return zero, fmt.Errorf("unknown %s %q (want %s)", what, s, strings.Join(names, ", "))
}

// Validate reports an error when a field of o holds a value that is neither
// zero nor one of the documented choices.
func (o Options) Validate() error {
	if o.View != "" {
		if _, err := ParseView(string(o.View)); err != nil {
			return err
		}
	}
	if o.RankDir != "" {
		if _, err := ParseRankDir(string(o.RankDir)); err != nil {
			return err
		}
	}
	if o.Theme != "" {
		if _, err := ParseTheme(string(o.Theme)); err != nil {
			return err
		}
	}
	if o.EdgeLabels != "" {
		if _, err := ParseEdgeLabels(string(o.EdgeLabels)); err != nil {
			return err
		}
	}
	if o.Precision < 0 || o.Precision > maxPrecision {
		return fmt.Errorf("precision %d out of range (want 1 to %d)", o.Precision, maxPrecision)
	}
	if o.Depth < 0 || o.Depth > maxDepth {
		return fmt.Errorf("depth %d out of range (want 1 to %d)", o.Depth, maxDepth)
	}
	if o.Focus != "" && len(o.Collapse) > 0 {
		return fmt.Errorf("--focus and --collapse cannot be combined; focus draws a neighbourhood node by node")
	}
	if o.Roll && (o.Focus != "" || len(o.Collapse) > 0) {
		return fmt.Errorf("--roll cannot be combined with --focus or --collapse; a rolled drawing folds the calls itself")
	}
	return nil
}

// maxDepth bounds Options.Depth.
const maxDepth = 1000

// CheckGraph reports an error when o names a group or a node that a's
// graph does not have (Collapse, Focus).
func (o Options) CheckGraph(a *backward.Annotated) error {
	g := a.Graph
	names := make([]string, 0, len(g.Groups))
	have := map[string]bool{}
	for _, gr := range g.Groups {
		names = append(names, gr.Name)
		have[gr.Name] = true
	}
	for _, c := range o.Collapse {
		if c == "all" || have[c] {
			continue
		}
		if len(names) == 0 {
			return fmt.Errorf("collapse: the graph has no groups, so %q cannot be collapsed (declare groups in the spec: see specs/README.md)", c)
		}
		return fmt.Errorf("collapse: unknown group %q (the groups are %s)", c, strings.Join(names, ", "))
	}
	if o.Focus != "" && g.Node(o.Focus) == nil {
		return fmt.Errorf("focus: unknown node %q", o.Focus)
	}
	return nil
}

// normalized returns o with zero and differently cased fields replaced by
// their canonical values, so the rest of the package never sees them.
// Invalid values fall back to the defaults; Validate reports them.
func (o Options) normalized() Options {
	if o.normal {
		return o
	}
	o.normal = true
	o.View, _ = ParseView(string(o.View))
	if o.View == "" {
		o.View = ViewFull
	}
	o.RankDir, _ = ParseRankDir(string(o.RankDir))
	if o.RankDir == "" {
		o.RankDir = LR
	}
	o.Theme, _ = ParseTheme(string(o.Theme))
	if o.Theme == "" {
		o.Theme = Light
	}
	if o.Precision <= 0 || o.Precision > maxPrecision {
		o.Precision = DefaultPrecision
	}
	o.EdgeLabels, _ = ParseEdgeLabels(string(o.EdgeLabels))
	if o.EdgeLabels == "" {
		o.EdgeLabels = LabelsAuto
	}
	if o.Depth <= 0 || o.Depth > maxDepth {
		o.Depth = 1
	}
	return o
}
