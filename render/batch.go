package render

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// Input is one spec of a batch: the name it is reported by (its path, or
// "-" for standard input) and a function that loads and annotates it.
type Input struct {
	Name string
	Load func() (*backward.Annotated, error)
}

// Config says what RenderFiles writes, where, and where it reports.
type Config struct {
	// Formats lists the formats to write. Nil means the format named by
	// the extension of Out when Out is a file, and svg otherwise.
	Formats []Format
	// Out is a folder, created when missing, into which each spec's files
	// are written as <name>.<format>; or, for a single spec and format, a
	// file path ending in .svg, .png, .pdf, .dot or .json. Empty means "out".
	Out string
	// Options controls the drawing; PNGScale the PNG's pixels per point.
	Options  Options
	PNGScale float64
	// Drawings selects what is drawn of each spec and names the files
	// (see Drawing); zero means the diagram, <name>.<format>.
	Drawings Drawing
	// Errors receives one report per failed spec; nil discards them.
	Errors io.Writer
	// Warnings receives a line per spec whose PNG cannot draw some of its
	// text (see UndrawableText); nil discards them.
	Warnings io.Writer
	// Progress, when not nil, receives a progress line that is rewritten
	// in place as the batch goes (meant for a terminal).
	Progress io.Writer
}

// Result is what became of one input.
type Result struct {
	Input string
	// Files lists the files written, in format order.
	Files []string
	Err   error
}

// Summary is the outcome of a batch.
type Summary struct {
	Results []Result
}

// Failed returns the number of inputs that could not be rendered.
func (s *Summary) Failed() int {
	n := 0
	for _, r := range s.Results {
		if r.Err != nil {
			n++
		}
	}
	return n
}

// Err returns an error naming how many inputs failed, or nil when none did.
func (s *Summary) Err() error {
	if n := s.Failed(); n > 0 {
		return errors.New(s.String())
	}
	return nil
}

// Files returns the number of files written.
func (s *Summary) Files() int {
	files := 0
	for _, r := range s.Results {
		files += len(r.Files)
	}
	return files
}

// String returns the summary line: how many specs were rendered into how
// many files, and how many failed.
func (s *Summary) String() string {
	files := s.Files()
	ok := len(s.Results) - s.Failed()
	msg := fmt.Sprintf("rendered %d of %d %s into %d %s", ok, len(s.Results), plural(len(s.Results), "spec"), files, plural(files, "file"))
	if n := s.Failed(); n > 0 {
		msg += fmt.Sprintf("; %d failed", n)
	}
	return msg
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// UsageError reports a Config that cannot work, such as a file given as
// Out for several specs. RenderFiles returns it before writing anything.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// RenderFiles loads, renders and writes every input. A spec that fails is
// reported to cfg.Errors and the batch goes on; the summary tells what
// became of each. Each file is written atomically, and a spec's files are
// only written once all its formats have rendered. The error is a
// *UsageError when cfg cannot work; then nothing is written.
func RenderFiles(inputs []Input, cfg Config) (*Summary, error) {
	dir, file, fs, err := plan(len(inputs), cfg)
	if err != nil {
		return nil, err
	}
	// The options are validated once, here, and normalized: nothing
	// below parses them again.
	if err := cfg.Options.Validate(); err != nil {
		return nil, &UsageError{err.Error()}
	}
	cfg.Options = cfg.Options.normalized()
	if err := cfg.Drawings.check(fs, file != ""); err != nil {
		return nil, err
	}
	sum := &Summary{}
	used := map[string]string{} // Output name → input that took it.
	for i, in := range inputs {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "\r\033[Krendering %d/%d %s", i+1, len(inputs), in.Name)
		}
		res := Result{Input: in.Name}
		res.Files, res.Err = renderOne(in, dir, file, fs, cfg, used)
		if res.Err != nil && cfg.Errors != nil {
			fmt.Fprintln(cfg.Errors, res.Err)
		}
		sum.Results = append(sum.Results, res)
	}
	if cfg.Progress != nil {
		fmt.Fprint(cfg.Progress, "\r\033[K")
	}
	return sum, nil
}

// plan resolves cfg.Out and cfg.Formats into either a folder or a single
// file and the formats to write.
func plan(n int, cfg Config) (dir, file string, fs []Format, err error) {
	out := cfg.Out
	if out == "" {
		out = "out"
	}
	fs = cfg.Formats
	info, statErr := os.Stat(out)
	ext := strings.TrimPrefix(filepath.Ext(out), ".")
	extFormat, extErr := ParseFormat(ext)
	if (statErr == nil && info.IsDir()) || ext == "" || extErr != nil {
		if len(fs) == 0 {
			fs = []Format{FormatSVG}
		}
		return out, "", fs, nil
	}
	switch {
	case n > 1:
		return "", "", nil, &UsageError{fmt.Sprintf("-o %s is a file, but %d specs were given; give a folder", out, n)}
	case len(fs) == 0:
		fs = []Format{extFormat}
	case len(fs) > 1 || fs[0] != extFormat:
		return "", "", nil, &UsageError{fmt.Sprintf("-o %s is a %s file, but the formats asked for are %s", out, extFormat, joinFormats(fs))}
	}
	return "", out, fs, nil
}

func joinFormats(fs []Format) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

// renderOne loads one input, renders every format and writes the files.
func renderOne(in Input, dir, file string, fs []Format, cfg Config, used map[string]string) ([]string, error) {
	a, err := in.Load()
	if err != nil {
		return nil, err
	}
	name := ""
	if file == "" {
		name = a.Graph.Name
		if !graph.IsIdentifier(name) {
			return nil, fmt.Errorf("%s: name %q cannot be used as a file name", in.Name, name)
		}
		if other, ok := used[name]; ok {
			return nil, fmt.Errorf("%s: name %q is also the name of %s; its files would be overwritten", in.Name, name, other)
		}
		used[name] = in.Name
	}
	if err := cfg.Options.CheckGraph(a); err != nil {
		return nil, fmt.Errorf("%s: %w", in.Name, err)
	}
	if cfg.Options.Roll && cfg.Warnings != nil && !rollsAny(a) {
		fmt.Fprintf(cfg.Warnings, "%s: warning: %s\n", in.Name, nothingToRoll)
	}
	outs, notes, err := cfg.Drawings.render(a, fs, cfg.Options, cfg.PNGScale)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.Name, err)
	}
	if cfg.Warnings != nil {
		for _, n := range notes {
			fmt.Fprintf(cfg.Warnings, "%s: warning: %s\n", in.Name, n)
		}
	}
	if cfg.Warnings != nil && slices.Contains(fs, FormatPNG) {
		if rs := UndrawableText(a); len(rs) > 0 {
			fmt.Fprintf(cfg.Warnings, "%s: warning: %s\n", in.Name, undrawableWarning(rs))
		}
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = fmt.Errorf("%s: %w", pe.Path, pe.Err)
			}
			return nil, fmt.Errorf("%s: cannot create the output folder %s: %w", in.Name, dir, err)
		}
	}
	var written []string
	for _, o := range outs {
		p := file
		if p == "" {
			p = filepath.Join(dir, name+o.suffix)
		}
		if err := WriteFileAtomic(p, o.data); err != nil {
			return written, fmt.Errorf("%s: %w", in.Name, err)
		}
		written = append(written, p)
	}
	return written, nil
}
