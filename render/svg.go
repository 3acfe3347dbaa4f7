package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/goccy/go-graphviz"
)

// go-graphviz runs Graphviz compiled to WebAssembly in one module shared by
// the whole process. It is not safe for concurrent use, so every call into
// it holds gvMu. After any error the instance is replaced, because a failed
// call can leave it unusable; it is also replaced after rendersPerInstance
// renders, as go-graphviz's notes advise against memory growth. Measured
// here, that does not bound memory: the module's linear memory, which all
// instances share, still grows by about 0.2 MB per render of the worked
// example (the DOT text passed in is never freed), so a batch of thousands
// of large graphs is better split over several processes.
var (
	gvMu   sync.Mutex
	gv     *graphviz.Graphviz
	gvUses int
)

// rendersPerInstance is how many graphs one Graphviz instance lays out
// before it is closed and a fresh one is made.
const rendersPerInstance = 16

// layoutFormats lists the output formats asked of Graphviz. Any other format
// would make every later render on the instance fail, so none is ever
// passed; its own PNG renderer, in particular, draws no lines.
var layoutFormats = map[graphviz.Format]bool{
	graphviz.SVG: true,
}

// SVG lays out DOT text with Graphviz and returns the SVG. The output is
// deterministic: the same DOT gives the same bytes. It is safe for
// concurrent use (calls are serialized) and never panics.
//
// When UseLayoutPool has set a pool, the layout runs in one of its child
// processes, within its time limit; otherwise it runs in this process,
// without a limit.
func SVG(dot []byte) ([]byte, error) {
	var out []byte
	var err error
	if p := layoutPool.Load(); p != nil {
		out, err = p.Layout(dot)
	} else {
		out, err = runGraphviz(dot, graphviz.SVG)
	}
	if err != nil {
		return nil, err
	}
	if err := checkSVG(out); err != nil {
		return nil, err
	}
	return preserveSpaces(withFallbackFonts(out)), nil
}

// layoutPool, when set, runs the layouts of SVG.
var layoutPool atomic.Pointer[LayoutPool]

// UseLayoutPool makes SVG lay out in p's child processes, or in this
// process again when p is nil. Commands set it once, before rendering.
func UseLayoutPool(p *LayoutPool) { layoutPool.Store(p) }

// preserveSpaces marks the white space of every text element as
// significant. Graphviz writes each run of a label in its own <text>, and a
// browser drops the space that begins a run ("red" + " gradient" would read
// "redgradient"); the PNG rasterizer keeps it either way.
func preserveSpaces(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("<text "), []byte(`<text xml:space="preserve" `))
}

// withFallbackFonts names fallback fonts after DejaVu Sans in the SVG, for
// viewers that lack it: Verdana has nearly its widths and Arial is
// narrower, so text still fits the boxes Graphviz sized for DejaVu Sans,
// where a viewer's default serif font might not.
func withFallbackFonts(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte(`font-family="`+fontName+`"`), []byte(`font-family="`+fontName+`,Verdana,Arial,sans-serif"`))
}

// runGraphviz parses dot and renders it in the given format, holding gvMu
// and turning panics into errors.
func runGraphviz(dot []byte, format graphviz.Format) (out []byte, err error) {
	if !layoutFormats[format] {
		return nil, fmt.Errorf("graphviz: format %q is not supported", format)
	}
	gvMu.Lock()
	defer gvMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("graphviz: internal error: %v", r)
		}
		if err != nil {
			dropInstance()
		}
	}()
	ctx := context.Background()
	if gv == nil || gvUses >= rendersPerInstance {
		dropInstance()
		gv, err = graphviz.New(ctx)
		if err != nil {
			gv = nil
			return nil, fmt.Errorf("graphviz: starting: %w", err)
		}
	}
	gvUses++
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, fmt.Errorf("graphviz: reading DOT: %w", err)
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := gv.Render(ctx, g, format, &buf); err != nil {
		return nil, fmt.Errorf("graphviz: layout: %w", err)
	}
	if buf.Len() == 0 {
		return nil, errors.New("graphviz: layout produced no output")
	}
	return buf.Bytes(), nil
}

// dropInstance closes the current Graphviz instance, if any. The caller
// holds gvMu.
func dropInstance() {
	if gv != nil {
		_ = gv.Close()
	}
	gv, gvUses = nil, 0
}

// checkSVG reports an error when a node of the SVG has nothing drawn.
// Graphviz renders a malformed HTML-like label as nothing, without an error;
// every node chainviz draws has at least a line or a box.
func checkSVG(svg []byte) error {
	open, end := []byte(`class="node">`), []byte("</g>")
	for rest := svg; ; {
		i := bytes.Index(rest, open)
		if i < 0 {
			return nil
		}
		rest = rest[i+len(open):]
		j := bytes.Index(rest, end)
		if j < 0 {
			return errors.New("graphviz: truncated SVG")
		}
		group := rest[:j]
		if !bytes.Contains(group, []byte("<polygon")) && !bytes.Contains(group, []byte("<path")) &&
			!bytes.Contains(group, []byte("<text")) {
			title := group
			if a, b := bytes.Index(group, []byte("<title>")), bytes.Index(group, []byte("</title>")); a >= 0 && b > a {
				title = group[a+len("<title>") : b]
			}
			return fmt.Errorf("graphviz: node %s was drawn empty (malformed label)", bytes.TrimSpace(title))
		}
		rest = rest[j:]
	}
}
