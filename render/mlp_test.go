package render

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
	"github.com/chainviz/chainviz/render/internal/mlpgen"
)

// The measured tests of large drawings, on a generated 5-layer scalar MLP
// of about 370 nodes (specs/large/mlp_layers.yaml) and one of about 500.

// mlpLayers returns the spec of specs/large/mlp_layers.yaml.
func mlpLayers() string { return mlpgen.Spec("mlp_layers", 5, []int{5, 5, 5, 5, 1}) }

// TestMLPLayersSpecCommitted keeps specs/large/mlp_layers.yaml the spec the
// generator writes; -update rewrites it.
func TestMLPLayersSpecCommitted(t *testing.T) {
	path := filepath.Join("..", "specs", "large", "mlp_layers.yaml")
	want := mlpLayers()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Errorf("%s is not the generated spec (%v); run go test ./render -run TestMLPLayersSpecCommitted -update", path, err)
	}
}

// TestMLPDefaultRender: the default drawing of the 370-node MLP has no two
// texts that overlap, and its PNG has at least 1 px per pt and sides of at
// most 8,000 px.
func TestMLPDefaultRender(t *testing.T) {
	if testing.Short() {
		t.Skip("lays out a 370-node graph twice")
	}
	a := loadSource(t, mlpLayers())
	if n := a.Graph.Len(); n < 350 || n > 390 {
		t.Fatalf("the MLP has %d nodes, want about 370", n)
	}
	out, notes, err := RenderNoted(a, []Format{FormatSVG, FormatPNG}, Options{RankDir: Auto}, 0)
	if err != nil {
		t.Fatal(err)
	}
	svg := out[0]
	for _, o := range textOverlaps(loadAdvanceFonts(t), svg) {
		t.Error(o)
	}
	w, h, ok := svgSize(svg)
	if !ok {
		t.Fatal("the SVG has no size")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(out[1]))
	if err != nil {
		t.Fatal(err)
	}
	scale := float64(cfg.Width) / w
	t.Logf("drawing %.0f × %.0f pt, PNG %d × %d px, %.2f px/pt; notes: %q", w, h, cfg.Width, cfg.Height, scale, notes)
	if scale < 0.995 || cfg.Width > maxSide || cfg.Height > maxSide {
		t.Errorf("PNG %d × %d px for a %.0f × %.0f pt drawing: want ≥ 1 px/pt and sides ≤ %d px", cfg.Width, cfg.Height, w, h, maxSide)
	}
	if scale < DefaultPNGScale && len(notes) == 0 {
		t.Error("the PNG was drawn below the scale asked for without a note")
	}
}

// TestMLPCollapseAll: with one group per layer collapsed, the drawing has
// at most 12 boxes, and every gradient on an edge into a box equals the
// sum of the gradients, in the annotated JSON, of the edges it stands for.
func TestMLPCollapseAll(t *testing.T) {
	a := loadSource(t, mlpLayers())
	opt := Options{Collapse: []string{"all"}}
	dot := string(DOT(a, opt))
	boxes := regexp.MustCompile(`(?m)^\s*(n|g)(\d+) \[`).FindAllStringSubmatch(dot, -1)
	if len(boxes) > 12 || len(boxes) < 6 {
		t.Errorf("%d boxes drawn, want 6 to 12", len(boxes))
	}
	// The annotated JSON, as it is written for users.
	var buf bytes.Buffer
	if err := backward.WriteJSON(&buf, a); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Edges []struct {
			From, To string
			Grad     *float64
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// The MLP's groups do not nest: a node's group is its top-level one.
	top := func(name string) string {
		if n := a.Graph.Node(name); n != nil {
			return n.Group()
		}
		return ""
	}
	into := regexp.MustCompile(`(?m)^\s*n(\d+) -> x(\d+):p`)
	toBox := regexp.MustCompile(`(?m)^\s*x(\d+):p:\w -> g(\d+) `)
	label := regexp.MustCompile(`(?m)^\s*x(\d+) \[label=<(.*)>\];$`)
	boxOf := map[string]string{}
	for _, m := range toBox.FindAllStringSubmatch(dot, -1) {
		boxOf[m[1]] = m[2]
	}
	labels := map[string]string{}
	for _, m := range label.FindAllStringSubmatch(dot, -1) {
		labels[m[1]] = m[2]
	}
	red := regexp.MustCompile(`<FONT COLOR="` + paletteOf(Light).Gradient + `"[^>]*><B>([^<]*)</B>`)
	checked := 0
	for _, m := range into.FindAllStringSubmatch(dot, -1) {
		id, _ := strconv.Atoi(m[1])
		from := a.Graph.Nodes[id].Name
		b, _ := strconv.Atoi(boxOf[m[2]])
		group := a.Graph.Groups[b].Name
		sum, n := 0.0, 0
		for _, e := range doc.Edges {
			if e.From == from && e.Grad != nil && top(e.To) == group {
				sum += *e.Grad
				n++
			}
		}
		g := red.FindStringSubmatch(labels[m[2]])
		if n == 0 {
			if g != nil {
				t.Errorf("%s → %s shows a gradient %s where no edge carries one", from, group, g[1])
			}
			continue
		}
		if g == nil {
			t.Errorf("%s → %s shows no gradient; the %d edges sum to %g", from, group, n, sum)
			continue
		}
		if want := formatNumber(sum, DefaultPrecision); strings.ReplaceAll(g[1], minus, "-") != strings.ReplaceAll(want, minus, "-") {
			t.Errorf("%s → %s shows %s, but its %d edges in the annotated JSON sum to %s", from, group, g[1], n, want)
		}
		checked++
	}
	if checked < 5 {
		t.Errorf("only %d crossing gradients checked", checked)
	}
}

// TestMLPCompositeLocal checks a composite local derivative against the
// chain rule by hand: through the last layer, ∂z5_0/∂h4_j is W5_0_j, and
// through a whole layer the product ∂L/∂out × composite equals the summed
// gradient.
func TestMLPCompositeLocal(t *testing.T) {
	a := loadSource(t, mlpLayers())
	d := newDiagram(a, Options{Collapse: []string{"all"}})
	box := d.plan.index["layer5"]
	out := a.Graph.Node("z5_0")
	for j := range 5 {
		h := a.Graph.Node("h4_" + strconv.Itoa(j))
		var idx []int
		for _, i := range d.from[h.ID] {
			if d.plan.folded[a.Edges[i].To.ID] == box {
				idx = append(idx, i)
			}
		}
		loc, ok := d.compositeLocal(out, box, idx)
		want := a.Graph.Node("W5_0_" + strconv.Itoa(j)).Value.Item()
		if !ok || !closeTo(loc, want) {
			t.Errorf("∂z5_0/∂h4_%d = %v (%v), want W5_0_%d = %v", j, loc, ok, j, want)
		}
		sum := CrossingGrad(a, idx)
		if g := d.grad(out).Item() * loc; !closeTo(g, sum.Item()) {
			t.Errorf("∂L/∂z5_0 × ∂z5_0/∂h4_%d = %v, but the edges carry %v", j, g, sum.Item())
		}
	}
}

// TestMLPFocus: the focus on a middle node at depth 1 draws at most 25
// nodes, with stubs where the graph goes on.
func TestMLPFocus(t *testing.T) {
	a := loadSource(t, mlpLayers())
	dot := string(DOT(a, Options{Focus: "h3_2", Depth: 1}))
	nodes := regexp.MustCompile(`(?m)^\s*n\d+ \[`).FindAllString(dot, -1)
	stubs := regexp.MustCompile(`(?m)^\s*s[io]\d+ \[`).FindAllString(dot, -1)
	if len(nodes) > 25 || len(nodes) < 3 {
		t.Errorf("%d nodes drawn, want 3 to 25", len(nodes))
	}
	if len(stubs) == 0 || !strings.Contains(dot, "more") {
		t.Error("no stub says the graph goes on")
	}
	if err := (Options{Focus: "nope"}).CheckGraph(a); err == nil {
		t.Error("an unknown focus node is accepted")
	}
}

// TestMLPWarningLines: the warnings of a 500-node ReLU MLP fit in at most
// 10 lines.
func TestMLPWarningLines(t *testing.T) {
	src := mlpgen.Spec("mlp500", 6, []int{6, 6, 6, 6, 1})
	g, err := graph.Load("mlp500.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if n := g.Len(); n < 450 || n > 550 {
		t.Fatalf("the MLP has %d nodes, want about 500", n)
	}
	a, err := backward.Annotate(g)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Warnings) < 20 {
		t.Fatalf("only %d warnings; the test wants many of one kind", len(a.Warnings))
	}
	lines := SummarizeWarnings(a.Warnings)
	if len(lines) > 10 {
		t.Errorf("%d warning lines for %d warnings:\n%s", len(lines), len(a.Warnings), strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[0], strconv.Itoa(len(a.Warnings))+" leaves") && len(lines) == 1 {
		t.Errorf("the summary does not count the warnings: %s", lines[0])
	}
}
