package render

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward"
)

// specInput returns a batch input that loads a spec of testdata.
func specInput(t *testing.T, name string) Input {
	return Input{Name: "testdata/" + name + ".yaml", Load: func() (*backward.Annotated, error) {
		return loadSpec(t, name), nil
	}}
}

// badInput returns a batch input whose spec does not load.
func badInput(name string) Input {
	return Input{Name: name, Load: func() (*backward.Annotated, error) {
		return nil, errors.New(name + ":3:7: unknown op \"mull\"; did you mean \"mul\"?")
	}}
}

func TestRenderFilesBatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var errs bytes.Buffer
	sum, err := RenderFiles([]Input{specInput(t, "worked_example"), badInput("bad.yaml"), specInput(t, "fanout")},
		Config{Formats: []Format{FormatSVG, FormatPNG, FormatDOT, FormatJSON}, Out: dir, Errors: &errs})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed() != 1 || sum.Err() == nil {
		t.Errorf("%d failed, want 1 (the bad spec)", sum.Failed())
	}
	if got, want := sum.String(), "rendered 2 of 3 specs into 8 files; 1 failed"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if !strings.Contains(errs.String(), `bad.yaml:3:7: unknown op "mull"`) {
		t.Errorf("the bad spec's error is not reported: %q", errs.String())
	}
	for _, name := range []string{"worked_example", "fanout"} {
		for _, ext := range []string{"svg", "png", "dot", "json"} {
			data, err := os.ReadFile(filepath.Join(dir, name+"."+ext))
			if err != nil {
				t.Error(err)
				continue
			}
			switch ext {
			case "png":
				if _, err := png.Decode(bytes.NewReader(data)); err != nil {
					t.Errorf("%s.png: %v", name, err)
				}
			case "json":
				if !bytes.Contains(data, []byte(`"format": "chainviz.annotated/v1"`)) && !bytes.Contains(data, []byte(`"format":"chainviz.annotated/v1"`)) {
					t.Errorf("%s.json is not annotated JSON", name)
				}
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 8 {
		t.Errorf("%d files in the output folder, want 8 (no temporary files left)", len(entries))
	}
}

func TestRenderFilesSingleFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "picture.png")
	sum, err := RenderFiles([]Input{specInput(t, "fanout")}, Config{Out: out})
	if err != nil || sum.Err() != nil {
		t.Fatal(err, sum.Err())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Errorf("-o picture.png did not get a PNG: %v", err)
	}
	// A folder that exists is a folder even with an extension.
	folder := filepath.Join(dir, "diagrams.svg")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := RenderFiles([]Input{specInput(t, "fanout")}, Config{Out: folder}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(folder, "fanout.svg")); err != nil {
		t.Error(err)
	}
}

func TestRenderFilesUsageErrors(t *testing.T) {
	dir := t.TempDir()
	two := []Input{specInput(t, "fanout"), specInput(t, "worked_example")}
	for _, c := range []struct {
		inputs []Input
		cfg    Config
		want   string
	}{
		{two, Config{Out: filepath.Join(dir, "x.svg")}, "2 specs were given"},
		{two[:1], Config{Out: filepath.Join(dir, "x.svg"), Formats: []Format{FormatPNG}}, "is a svg file"},
		{two[:1], Config{Out: filepath.Join(dir, "x.svg"), Formats: []Format{FormatSVG, FormatDOT}}, "is a svg file"},
		{two[:1], Config{Out: dir, Options: Options{View: "upside-down"}}, "unknown view"},
	} {
		_, err := RenderFiles(c.inputs, c.cfg)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want a usage error containing %q", c.cfg, err, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a usage error wrote %d files", len(entries))
	}
}

// TestRenderFilesNames checks that a spec's name cannot lead outside the
// output folder and that two specs of one name do not overwrite each other.
func TestRenderFilesNames(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	escape := Input{Name: "evil.yaml", Load: func() (*backward.Annotated, error) {
		a := loadSpec(t, "fanout")
		a.Graph.Name = "../escaped"
		return a, nil
	}}
	var errs bytes.Buffer
	sum, err := RenderFiles([]Input{escape, specInput(t, "fanout"), specInput(t, "fanout")}, Config{Out: out, Errors: &errs})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed() != 2 {
		t.Errorf("%d failed, want 2:\n%s", sum.Failed(), errs.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "escaped.svg")); err == nil {
		t.Error("a name with ../ wrote outside the output folder")
	}
	if !strings.Contains(errs.String(), "cannot be used as a file name") || !strings.Contains(errs.String(), "is also the name of") {
		t.Errorf("errors: %s", errs.String())
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.svg")
	if err := WriteFileAtomic(path, []byte("good")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("better")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "better" {
		t.Errorf("file holds %q", data)
	}
	// A failed write leaves the old file and no temporary file.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(sub, []byte("x")); err == nil {
		t.Error("writing over a folder succeeded")
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "b.svg"), []byte("x")); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d entries in the folder, want 2 (a.svg and sub)", len(entries))
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", info.Mode(), err)
	}
}
