package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chainviz/chainviz/render"
)

// renderToStdout carries out render -o -: one spec in one format, written
// to standard output. The file is rendered into a private temporary folder
// first, so that a failure writes nothing.
func renderToStdout(s streams, opts *renderOptions, specs []string, cfg render.Config, inputs []render.Input) error {
	if len(specs) != 1 {
		return fmt.Errorf("-o - writes one file to standard output, but %d specs were given; give a folder", len(specs))
	}
	if len(cfg.Formats) > 1 {
		return fmt.Errorf("-o - writes one file to standard output, but %d formats were asked for", len(cfg.Formats))
	}
	if opts.frames {
		return fmt.Errorf("-o - writes one file to standard output, but --frames writes one per step; give a folder")
	}
	format := render.FormatSVG
	if len(cfg.Formats) == 1 {
		format = cfg.Formats[0]
	}
	dir, err := os.MkdirTemp("", "chainviz-stdout-")
	if err != nil {
		return specError{fmt.Errorf("cannot create a temporary folder: %w", err)}
	}
	defer os.RemoveAll(dir)
	cfg.Out = filepath.Join(dir, "out."+string(format))
	cfg.Formats = []render.Format{format}
	sum, err := render.RenderFiles(inputs, cfg)
	var ue *render.UsageError
	if errors.As(err, &ue) {
		return err
	} else if err != nil {
		return specError{err}
	}
	if sum.Failed() > 0 {
		return specError{errReported}
	}
	data, err := os.ReadFile(cfg.Out)
	if err != nil {
		return specError{err}
	}
	if _, err := s.out.Write(data); err != nil {
		return specError{fmt.Errorf("writing to standard output: %w", err)}
	}
	return nil
}
