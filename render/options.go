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
	// NoSubscripts shows every name as written (W1, not W₁); a node's
	// display text (graph.Node.Display) is shown as written either way.
	NoSubscripts bool
}

// ParseView returns the view named s ("full", "forward" or "backward").
func ParseView(s string) (View, error) {
	return parseEnum(s, "view", ViewFull, ViewForward, ViewBackward)
}

// ParseRankDir returns the rank direction named s ("LR" or "TB", in any
// case).
func ParseRankDir(s string) (RankDir, error) {
	return parseEnum(strings.ToUpper(s), "rankdir", LR, TB)
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
	if o.Precision < 0 || o.Precision > maxPrecision {
		return fmt.Errorf("precision %d out of range (want 1 to %d)", o.Precision, maxPrecision)
	}
	return nil
}

// normalized returns o with zero and differently cased fields replaced by
// their canonical values, so the rest of the package never sees them.
// Invalid values fall back to the defaults; Validate reports them.
func (o Options) normalized() Options {
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
	return o
}
