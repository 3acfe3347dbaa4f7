package render

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestRenderFilesDrawings(t *testing.T) {
	dir := t.TempDir()
	sum, err := RenderFiles([]Input{specInput(t, "fanout")}, Config{
		Formats:  []Format{FormatSVG, FormatDOT},
		Out:      dir,
		Drawings: DrawBackwardGraph | DrawFrames | DrawAnimation,
	})
	if err != nil || sum.Err() != nil {
		t.Fatal(err, sum.Err())
	}
	// fanout has 6 nodes and 6 edges: 14 frames in two formats, the
	// backward graph in two formats and the animation; no diagram.
	want := []string{"fanout-anim.svg", "fanout-backward.dot", "fanout-backward.svg"}
	for k := 1; k <= 14; k++ {
		for _, ext := range []string{"dot", "svg"} {
			want = append(want, "fanout-frame-"+twoDigits(k)+"."+ext)
		}
	}
	sort.Strings(want)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, " "), strings.Join(want, " "))
	}
	if len(sum.Results[0].Files) != len(want) {
		t.Errorf("the summary counts %d files, want %d", len(sum.Results[0].Files), len(want))
	}
	frame, _ := os.ReadFile(filepath.Join(dir, "fanout-frame-03.svg"))
	anim, _ := os.ReadFile(filepath.Join(dir, "fanout-anim.svg"))
	if len(frame) == 0 || !strings.Contains(string(anim), string(prefixIDs(frame[strings.Index(string(frame), "<g id="):strings.LastIndex(string(frame), "</svg>")], "f3-"))) {
		t.Error("the animation does not hold frame 3 as written")
	}

	// The animation alone may be written to a named .svg file.
	file := filepath.Join(dir, "steps.svg")
	if _, err := RenderFiles([]Input{specInput(t, "fanout")}, Config{Out: file, Drawings: DrawAnimation}); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(file); err != nil || !strings.Contains(string(data), "cv-frame") {
		t.Errorf("the animation was not written to %s: %v", file, err)
	}
}

func twoDigits(k int) string {
	if k < 10 {
		return "0" + itoa(k)
	}
	return itoa(k)
}

func TestRenderFilesDrawingsUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Out: filepath.Join(dir, "f.svg"), Drawings: DrawFrames}, "give a folder"},
		{Config{Out: filepath.Join(dir, "f.svg"), Drawings: DrawDiagram | DrawBackwardGraph}, "give a folder"},
		{Config{Out: filepath.Join(dir, "f.png"), Drawings: DrawAnimation}, "is an SVG file"},
		{Config{Out: dir, Formats: []Format{FormatJSON}, Drawings: DrawBackwardGraph}, "json"},
	} {
		_, err := RenderFiles([]Input{specInput(t, "fanout")}, c.cfg)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want a usage error saying %q", c.cfg, err, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a usage error wrote %d files", len(entries))
	}
	// The backward graph alone is one file per format, so it may be named.
	file := filepath.Join(dir, "bg.dot")
	if _, err := RenderFiles([]Input{specInput(t, "fanout")}, Config{Out: file, Drawings: DrawBackwardGraph}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(file); !strings.Contains(string(data), "Backward graph of") {
		t.Error("the backward graph was not written to the named file")
	}
}
