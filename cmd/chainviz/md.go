package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/backward/explain"
	"github.com/chainviz/chainviz/render"
)

// mdOptions are the flags of chainviz md.
type mdOptions struct {
	in, out, assets, format string
	inPlace                 bool
}

func newMdCmd(s streams) *cobra.Command {
	opts := &mdOptions{}
	cmd := &cobra.Command{
		Use:   "md IN.md [-o OUT.md] [--assets DIR] [--format svg|png] [--in-place]",
		Short: "Replace the chainviz code fences of a Markdown file by their diagrams (and derivations)",
		Long: "md renders every fenced block ```chainviz of a Markdown file: the block holds a\n" +
			"whole spec, or names one with ```chainviz file=specs/x.yaml (relative to IN.md, or absolute).\n" +
			"The block is replaced by an image link to the rendered file in --assets; with the\n" +
			"word explain (```chainviz explain wrt=W1), the chain-rule derivation of explain\n" +
			"--format md follows it. Asset names carry a hash of the block, so an unchanged\n" +
			"block is not rendered again, and the same input always gives the same bytes.\n" +
			"Without -o the result goes to standard output; --in-place rewrites IN.md and keeps\n" +
			"each block's source in an HTML comment, so that it can be run again.",
		Example: "  chainviz md notes.md -o notes.out.md\n" +
			"  chainviz md notes.md --in-place --assets img --format png",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.in = args[0]
			return runMd(s, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.out, "output", "o", "-", "the Markdown file to write, - for standard output")
	f.StringVar(&opts.assets, "assets", "", "folder of the rendered images (default: assets next to the output)")
	f.StringVar(&opts.format, "format", "svg", "image format: svg or png")
	f.BoolVar(&opts.inPlace, "in-place", false, "rewrite IN.md, keeping each block's source in a comment")
	cmd.RegisterFlagCompletionFunc("format", completeValues("svg", "png"))
	return cmd
}

// runMd transforms one Markdown file.
func runMd(s streams, opts *mdOptions) error {
	format, err := render.ParseFormat(opts.format)
	if err != nil || (format != render.FormatSVG && format != render.FormatPNG) {
		return fmt.Errorf("--format %s: md draws svg or png", opts.format)
	}
	if opts.inPlace && opts.out != "-" {
		return fmt.Errorf("--in-place and -o exclude each other")
	}
	out := opts.out
	if opts.inPlace {
		out = opts.in
	}
	src, err := readLimited(opts.in, 16*s.limits.MaxFileSize)
	if err != nil {
		return specError{fmt.Errorf("%s: cannot read: %v", opts.in, unwrapPathError(err))}
	}
	if len(src) > 16*s.limits.MaxFileSize {
		return specError{fmt.Errorf("%s: the file has %d bytes, more than %d (16 times --max-file-size)", opts.in, len(src), 16*s.limits.MaxFileSize)}
	}
	// Links are relative to the folder the Markdown is read from.
	base := filepath.Dir(out)
	if out == "-" {
		base = filepath.Dir(opts.in)
	}
	assets := opts.assets
	if assets == "" {
		assets = filepath.Join(base, "assets")
	}
	// An unclosed block ends the blocks read, and is reported after the
	// problems of those.
	blocks, parseErr := parseMarkdown(opts.in, src)
	m := &mdRun{s: s, in: opts.in, base: base, assets: assets, format: format, keepSource: opts.inPlace}
	var doc bytes.Buffer
	var problems []string
	for _, b := range blocks {
		if b.fence == nil {
			doc.WriteString(b.text)
			continue
		}
		text, err := m.block(b.fence)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		doc.WriteString(text)
	}
	if parseErr != nil {
		problems = append(problems, parseErr.Error())
	}
	if len(problems) > 0 {
		return specError{fmt.Errorf("%s", strings.Join(problems, "\n"))}
	}
	// Assets are written only once every block is known to be good, so a
	// failed run writes nothing.
	for _, pa := range m.pending {
		if err := os.MkdirAll(m.assets, 0o755); err != nil {
			return specError{fmt.Errorf("%s:%d:1: cannot create %s: %v", m.in, pa.line, m.assets, unwrapPathError(err))}
		}
		if err := render.WriteFileAtomic(pa.path, pa.data); err != nil {
			return specError{fmt.Errorf("%s:%d:1: %v", m.in, pa.line, err)}
		}
	}
	if out == "-" {
		_, err := s.out.Write(doc.Bytes())
		return err
	}
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, doc.Bytes()) {
		return nil // Unchanged: the file keeps its time stamp.
	}
	if err := render.WriteFileAtomic(out, doc.Bytes()); err != nil {
		return specError{err}
	}
	return nil
}

// mdRun holds what every block of one md run shares.
type mdRun struct {
	s                streams
	in, base, assets string
	format           render.Format
	keepSource       bool
	// pending holds the assets rendered by the blocks, written when every
	// block has succeeded.
	pending []mdAsset
}

// mdAsset is a rendered image waiting to be written.
type mdAsset struct {
	path string
	data []byte
	line int
}

// readLimited reads at most limit+1 bytes of the file at path, so that a
// device or a huge file costs no more than the limit.
func readLimited(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(limit)+1))
}

// block renders one fence and returns the Markdown that replaces it.
func (m *mdRun) block(f *mdFence) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	file, src := m.in, f.body
	// Blank lines before the body make the spec's line numbers those of
	// the Markdown file.
	padded := append([]byte(strings.Repeat("\n", f.line)), f.body...)
	if f.file != "" {
		file = filepath.FromSlash(f.file)
		if !filepath.IsAbs(file) {
			file = filepath.Join(filepath.Dir(m.in), file)
		}
		var err error
		if src, err = readLimited(file, m.s.limits.MaxFileSize); err != nil {
			return "", fmt.Errorf("%s:%d:1: file=%s: cannot read the spec: %v", m.in, f.line, f.file, unwrapPathError(err))
		}
		padded = src
	}
	if len(src) > m.s.limits.MaxFileSize {
		return "", fmt.Errorf("%s:%d:1: the spec has %d bytes, more than --max-file-size %d", m.in, f.line, len(src), m.s.limits.MaxFileSize)
	}
	g, a, err := backward.LoadSpec(file, padded, *m.s.limits)
	if err != nil {
		if f.file != "" {
			return "", fmt.Errorf("%v\n%s:%d:1: in the spec named here", err, m.in, f.line)
		}
		return "", err
	}
	printWarnings(m.s, g.Warnings)
	sum := sha256.Sum256(append([]byte("chainviz-md/1 "+string(m.format)+"\n"), src...))
	asset := filepath.Join(m.assets, g.Name+"-"+hex.EncodeToString(sum[:6])+"."+string(m.format))
	if _, err := os.Stat(asset); err != nil {
		data, err := render.Render(a, []render.Format{m.format}, render.Options{}, 0)
		if err != nil {
			return "", fmt.Errorf("%s:%d:1: %v", m.in, f.line, err)
		}
		m.pending = append(m.pending, mdAsset{path: asset, data: data[0], line: f.line})
	}
	link, err := filepath.Rel(m.base, asset)
	if err != nil {
		link = asset
	}
	alt := g.Title
	if alt == "" {
		alt = g.Name
	}
	var b strings.Builder
	if m.keepSource {
		b.WriteString(mdSourceStart + "\n" + f.raw + mdSourceEnd + "\n")
	}
	fmt.Fprintf(&b, "![%s](%s)\n", mdEscape(alt), filepath.ToSlash(link))
	if f.explain {
		e, err := explain.New(a, explain.Options{Wrt: f.wrt, MaxPaths: explain.DefaultMaxPaths})
		if err != nil {
			return "", fmt.Errorf("%s:%d:1: explain: %v", m.in, f.line, err)
		}
		var d strings.Builder
		if err := e.Write(&d, "md"); err != nil {
			return "", err
		}
		b.WriteString("\n" + demoteHeadings(d.String()))
	}
	if m.keepSource {
		b.WriteString(mdOutputEnd + "\n")
	}
	return b.String(), nil
}

// mdEscape escapes the characters that would end an image's alt text.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "\n", " ").Replace(s)
}

// demoteHeadings fits explain's Markdown under the document's headings: its
// title (the spec's name, which the image above shows) is dropped and its
// sections become fourth-level headings.
func demoteHeadings(md string) string {
	lines := strings.SplitAfter(md, "\n")
	if len(lines) > 0 && strings.HasPrefix(lines[0], "# ") {
		lines = lines[1:]
		for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
			lines = lines[1:]
		}
	}
	for i, l := range lines {
		if strings.HasPrefix(l, "#") {
			lines[i] = "##" + l
		}
	}
	return strings.Join(lines, "")
}
