package render

import "github.com/chainviz/chainviz/graph"

// palette holds the colours of one theme, as #rrggbb strings.
type palette struct {
	Background string
	Text       string
	Muted      string
	// Forward colours forward values; Gradient colours gradients.
	Forward  string
	Gradient string
	// ForwardTint and GradientTint are the backgrounds of tensor panels.
	ForwardTint  string
	GradientTint string
	// Update colours a param's value after a step of gradient descent.
	Update string
	// Wire is the colour of edges in the full view; NoGrad that of edges
	// along which no gradient flows.
	Wire   string
	NoGrad string
	// Current marks what changes in a frame of the step-by-step
	// animation, on a CurrentTint background; Pending draws what is not
	// computed yet, with PendingLine for its borders and wires.
	Current     string
	CurrentTint string
	Pending     string
	PendingLine string
	// Warn draws the marker and border of a node with a warning.
	Warn string
	// Kinds holds the fill and border of each node style.
	Kinds map[nodeStyle]kindColors
}

// kindColors are the fill, header band and border colours of a node style.
type kindColors struct {
	Fill, Header, Border string
}

// nodeStyle is how a node is drawn; it refines graph.Kind by singling out
// the output.
type nodeStyle int

const (
	styleInput nodeStyle = iota
	styleParam
	styleConst
	styleOp
	styleOutput
)

// styleNames are the legend's names for the node styles, in legend order.
var styleNames = [...]string{
	styleInput:  "input",
	styleParam:  "param",
	styleConst:  "constant",
	styleOp:     "op",
	styleOutput: "output",
}

// styleOf returns how n is drawn in a graph whose output is out. A loss
// (graph.Op.Loss) is drawn like the output wherever it is.
func styleOf(n, out *graph.Node) nodeStyle {
	switch {
	case n == out, n.Op != nil && n.Op.Loss:
		return styleOutput
	case n.Kind == graph.KindInput:
		return styleInput
	case n.Kind == graph.KindParam:
		return styleParam
	case n.Kind == graph.KindConst:
		return styleConst
	default:
		return styleOp
	}
}

var lightPalette = palette{
	Background:   "#ffffff",
	Text:         "#1f2328",
	Muted:        "#59636e",
	Forward:      "#1a7f37",
	Gradient:     "#cf222e",
	ForwardTint:  "#e8f5ec",
	GradientTint: "#fdeeee",
	Update:       "#0550ae",
	Wire:         "#424a53",
	NoGrad:       "#8c959f",
	Current:      "#bf3989",
	CurrentTint:  "#ffeff7",
	Pending:      "#8c959f",
	PendingLine:  "#d0d7de",
	Warn:         "#bc4c00",
	Kinds: map[nodeStyle]kindColors{
		styleInput:  {Fill: "#eef6ff", Header: "#d0e7ff", Border: "#3b82c4"},
		styleParam:  {Fill: "#fff8e1", Header: "#ffe7a3", Border: "#b7860b"},
		styleConst:  {Fill: "#f6f8fa", Header: "#eaeef2", Border: "#8c959f"},
		styleOp:     {Fill: "#ffffff", Header: "#eaeef2", Border: "#57606a"},
		styleOutput: {Fill: "#f8f0ff", Header: "#e4d0fb", Border: "#8250df"},
	},
}

var darkPalette = palette{
	Background:   "#0d1117",
	Text:         "#e6edf3",
	Muted:        "#9198a1",
	Forward:      "#56d364",
	Gradient:     "#ff7b72",
	ForwardTint:  "#10291a",
	GradientTint: "#341618",
	Update:       "#79c0ff",
	Wire:         "#b1bac4",
	NoGrad:       "#6e7681",
	Current:      "#db61a2",
	CurrentTint:  "#2d1526",
	Pending:      "#6e7681",
	PendingLine:  "#30363d",
	Warn:         "#f0883e",
	Kinds: map[nodeStyle]kindColors{
		styleInput:  {Fill: "#0b2545", Header: "#12396b", Border: "#58a6ff"},
		styleParam:  {Fill: "#2e2300", Header: "#4a3800", Border: "#d29922"},
		styleConst:  {Fill: "#161b22", Header: "#21262d", Border: "#6e7681"},
		styleOp:     {Fill: "#161b22", Header: "#262c36", Border: "#8b949e"},
		styleOutput: {Fill: "#231441", Header: "#3c1e70", Border: "#a371f7"},
	},
}

// paletteOf returns the colours of theme t.
func paletteOf(t Theme) *palette {
	if t == Dark {
		return &darkPalette
	}
	return &lightPalette
}
