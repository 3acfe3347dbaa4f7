package render

import "strings"

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
	return d.captionTable(title, notes+d.warningRows(), d.legend())
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
