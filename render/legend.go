package render

import "strings"

// caption returns the HTML-like graph label: the title (the spec's name
// when it has none), the description and the legend.
func (d *diagram) caption() string {
	p := d.pal
	g := d.a.Graph
	title := g.Title
	if strings.TrimSpace(title) == "" {
		title = g.Name
	}
	var b strings.Builder
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">`)
	for _, line := range wrapLines(title, titleWidth) {
		b.WriteString(`<TR><TD ALIGN="LEFT">`)
		b.WriteString(font(bold(escapeHTML(line)), p.Text, sizeTitle))
		b.WriteString(`</TD></TR>`)
	}
	for _, line := range wrapLines(g.Description, descWidth) {
		b.WriteString(`<TR><TD ALIGN="LEFT">`)
		b.WriteString(font(escapeHTML(line), p.Muted, sizeSmall+1))
		b.WriteString(`</TD></TR>`)
	}
	b.WriteString(`<TR><TD ALIGN="LEFT" CELLPADDING="4">`)
	b.WriteString(d.legend())
	b.WriteString(`</TD></TR></TABLE>`)
	return b.String()
}

// legend returns a one-row table with a swatch for each node style the
// graph uses and the colours of values and gradients, as far as the view
// shows them.
func (d *diagram) legend() string {
	p := d.pal
	var b strings.Builder
	present := map[nodeStyle]bool{}
	for _, n := range d.a.Graph.Nodes {
		present[styleOf(n, d.out)] = true
	}
	b.WriteString(`<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="3" CELLPADDING="3"><TR>`)
	for st, name := range styleNames {
		if !present[nodeStyle(st)] {
			continue
		}
		kc := p.Kinds[nodeStyle(st)]
		b.WriteString(`<TD BGCOLOR="` + kc.Fill + `" COLOR="` + kc.Border + `"`)
		if nodeStyle(st) == styleConst {
			b.WriteString(` STYLE="dashed"`)
		}
		b.WriteString(`>` + font(name, p.Text, sizeLegend) + `</TD>`)
	}
	if d.o.View != ViewBackward {
		b.WriteString(`<TD BORDER="0">` + font(bold("green"), p.Forward, sizeLegend) +
			font(" forward value", p.Text, sizeLegend) + `</TD>`)
	}
	if d.o.View != ViewForward {
		b.WriteString(`<TD BORDER="0">` + font(bold("red"), p.Gradient, sizeLegend) +
			font(" gradient "+d.partialOf("·"), p.Text, sizeLegend) + `</TD>`)
		if len(d.a.Updated) > 0 {
			b.WriteString(`<TD BORDER="0">` + font(bold("blue"), p.Update, sizeLegend) +
				font(" param after one gradient-descent step", p.Text, sizeLegend) + `</TD>`)
		}
		b.WriteString(`<TD BORDER="0">` + font("edge: gradient = upstream × local", p.Muted, sizeLegend) + `</TD>`)
	}
	b.WriteString(`</TR></TABLE>`)
	return b.String()
}
