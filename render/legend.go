package render

import (
	"strconv"
	"strings"
)

// caption returns the HTML-like graph label: the title (the spec's name
// when it has none); the description or, in a frame of the step-by-step
// animation, what happens in it; the warnings; and the legend.
func (d *diagram) caption() string {
	g := d.a.Graph
	title := g.Title
	if strings.TrimSpace(title) == "" {
		title = g.Name
	}
	notes := d.textRows(g.Description, d.pal.Muted, sizeSmall+1)
	if d.step != nil {
		notes = d.step.captionRows(d)
	}
	return d.captionTable(title, notes+d.planRows()+d.summaryRows(), d.legend())
}

// planRows returns the caption's notes on what the drawing leaves out: the
// focus, the collapsed groups and shortened edge labels.
func (d *diagram) planRows() string {
	var notes []string
	if p := d.plan; p != nil && p.shown != nil {
		kept := 0
		for _, n := range d.a.Graph.Nodes {
			if p.shown[n.ID] && !isAnonymous(n) {
				kept++
			}
		}
		notes = append(notes, "Focus on "+d.o.Focus+", "+strconv.Itoa(d.o.Depth)+" "+plural(d.o.Depth, "step")+" up- and downstream: "+
			strconv.Itoa(kept)+" of "+strconv.Itoa(len(d.a.Graph.Nodes))+" nodes; a dashed “… N more” marks where the graph goes on.")
	}
	if p := d.plan; p != nil {
		var names []string
		for i, c := range p.collapsed {
			if c && p.rolledRoll(i) == nil {
				names = append(names, p.groups[i].Name)
			}
		}
		if len(names) > 0 {
			notes = append(notes, "Collapsed: "+strings.Join(names, ", ")+". A box lists the values leaving its group; an edge into it carries the sum of the gradients of the edges it stands for, = ∂L/∂out × ∂out/∂in summed over the paths inside.")
		}
	}
	if n := d.rollNote(); n != "" {
		notes = append(notes, n)
	}
	if d.compact {
		notes = append(notes, "With "+strconv.Itoa(d.drawnNodes())+" boxes, each node shows its name, op, value (green) and gradient ∂L/∂node (red, after ∂) only; --focus NODE or --collapse draws fewer boxes in full.")
	}
	if d.o.EdgeLabels == LabelsAuto && d.labels != LabelsFull {
		what := "local derivatives are left out"
		if d.labels == LabelsGrad {
			what = "they show the gradient only"
		}
		notes = append(notes, "Edge labels are shortened for "+strconv.Itoa(d.drawnNodes())+" boxes: "+what+" (--edge-labels full shows everything).")
	}
	var b strings.Builder
	for _, n := range notes {
		b.WriteString(d.textRows(n, d.pal.Muted, sizeSmall+1))
	}
	return b.String()
}

// captionTable lays out a graph label: the title in large bold type, then
// the given table rows, then the legend.
func (d *diagram) captionTable(title, rows, legend string) string {
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">`)
	for _, line := range wrapLines(title, titleWidth) {
		b.WriteString(`<TR><TD ALIGN="LEFT">`)
		b.WriteString(font(bold(escapeHTML(line)), d.pal.Text, sizeTitle))
		b.WriteString(`</TD></TR>`)
	}
	b.WriteString(rows)
	b.WriteString(`<TR><TD ALIGN="LEFT" CELLPADDING="4">`)
	b.WriteString(legend)
	b.WriteString(`</TD></TR></TABLE>`)
	return b.String()
}

// textRows returns text as caption rows, wrapped at descWidth, in the given
// colour and size.
func (d *diagram) textRows(text, color string, size float64) string {
	var b strings.Builder
	for _, line := range wrapLines(text, descWidth) {
		b.WriteString(`<TR><TD ALIGN="LEFT">`)
		b.WriteString(font(escapeHTML(line), color, size))
		b.WriteString(`</TD></TR>`)
	}
	return b.String()
}

// legend returns a one-row table with a swatch for each node style the
// graph uses and the colours of values and gradients, as far as the view
// shows them.
func (d *diagram) legend() string {
	p := d.pal
	var b strings.Builder
	present := map[nodeStyle]bool{}
	otherLoss := false
	for _, n := range d.a.Graph.Nodes {
		present[styleOf(n, d.out)] = true
		otherLoss = otherLoss || n != d.out && n.Op != nil && n.Op.Loss
	}
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="3" CELLPADDING="3"><TR>`)
	for st, name := range styleNames {
		if !present[nodeStyle(st)] {
			continue
		}
		if nodeStyle(st) == styleOutput && otherLoss {
			name = "output, loss" // A loss that is not the output is drawn alike.
		}
		b.WriteString(d.swatch(p.Kinds[nodeStyle(st)], name, nodeStyle(st) == styleConst))
	}
	if d.o.View != ViewBackward {
		b.WriteString(d.colorKey("green", p.Forward, " forward value"))
	}
	if d.o.View != ViewForward {
		b.WriteString(d.colorKey("red", p.Gradient, " gradient "+d.partialText("·")))
		if len(d.a.Updated) > 0 {
			b.WriteString(d.colorKey("blue", p.Update, " param after one gradient-descent step"))
		}
		b.WriteString(`<TD BORDER="0">` + font("edge: gradient = upstream × local", p.Muted, sizeLegend) + `</TD>`)
	}
	b.WriteString(`</TR></TABLE>`)
	return b.String()
}

// swatch returns a legend cell drawn like a node of the colours kc, dashed
// or not, with the (escaped) name in it.
func (d *diagram) swatch(kc kindColors, name string, dashed bool) string {
	style := ""
	if dashed {
		style = ` STYLE="dashed"`
	}
	return `<TD BGCOLOR="` + kc.Fill + `" COLOR="` + kc.Border + `"` + style + `>` + font(name, d.pal.Text, sizeLegend) + `</TD>`
}

// colorKey returns a legend cell that names a text colour: the colour's
// name in bold and that colour, then what it shows.
func (d *diagram) colorKey(name, color, what string) string {
	return `<TD BORDER="0">` + font(bold(name), color, sizeLegend) + font(escapeHTML(what), d.pal.Text, sizeLegend) + `</TD>`
}
