package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/tdewolff/canvas"
	tdfont "github.com/tdewolff/font"
)

// boldFamily is the font family the PNG rasterizer is told to use for bold
// text. canvas.ParseSVG ignores font-weight and only looks fonts up by
// family, so bold text is given this family, which maps to DejaVu Sans
// Bold, before rasterizing.
const boldFamily = fontName + " Bold"

var (
	fontsOnce sync.Once
	fontsErr  error
)

// setupFonts makes the embedded fonts (DejaVu Sans, regular and bold, and
// the Hangul fallback) the only "system fonts"
// canvas knows, so that PNGs look the same on every machine, with or
// without installed fonts. canvas can only load system fonts from files, so
// the fonts and an index of them are written once into a private cache
// folder, named after a hash of the font data.
func setupFonts() error {
	fontsOnce.Do(func() {
		h := sha256.New()
		h.Write(dejavusans.TTF)
		h.Write(dejavusansbold.TTF)
		h.Write(hangulTTF)
		sub := filepath.Join("chainviz", "fonts-"+hex.EncodeToString(h.Sum(nil))[:12])
		// The user's cache folder is preferred; the temporary folder serves
		// when it is missing or read-only.
		var roots []string
		if dir, err := os.UserCacheDir(); err == nil {
			roots = append(roots, dir)
		}
		for _, root := range append(roots, os.TempDir()) {
			if fontsErr = installFonts(filepath.Join(root, sub)); fontsErr == nil {
				return
			}
		}
	})
	return fontsErr
}

// installFonts writes the fonts and their index into dir and tells canvas
// to use them.
func installFonts(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("font cache: %w", err)
	}
	regular := filepath.Join(dir, "DejaVuSans.ttf")
	boldFile := filepath.Join(dir, "DejaVuSans-Bold.ttf")
	fallback := filepath.Join(dir, "NanumSquareR.ttf")
	index := filepath.Join(dir, "fonts.gob")
	for path, data := range map[string][]byte{regular: dejavusans.TTF, boldFile: dejavusansbold.TTF, fallback: hangulTTF} {
		if info, err := os.Stat(path); err == nil && info.Size() == int64(len(data)) {
			continue
		}
		if err := WriteFileAtomic(path, data); err != nil {
			return fmt.Errorf("font cache: %w", err)
		}
	}
	fonts := &tdfont.SystemFonts{
		Fonts: map[string]map[tdfont.Style]tdfont.FontMetadata{
			fontName:       {tdfont.Regular: {Filename: regular, Family: fontName, Style: tdfont.Regular}},
			boldFamily:     {tdfont.Regular: {Filename: boldFile, Family: boldFamily, Style: tdfont.Regular}},
			fallbackFamily: {tdfont.Regular: {Filename: fallback, Family: fallbackFamily, Style: tdfont.Regular}},
		},
		// Any other family an SVG names is drawn in DejaVu Sans rather than
		// making the rasterizer fail.
		Generics: map[string][]string{},
	}
	for _, generic := range []string{"serif", "sans-serif", "monospace", "Times", "Times-Roman", "Helvetica", "Arial", "Courier"} {
		fonts.Generics[generic] = []string{fontName}
	}
	// The index is rewritten on every start, so an index written by another
	// version can never point at missing files; it is small.
	tmp, err := os.CreateTemp(dir, ".fonts-*.gob")
	if err != nil {
		return fmt.Errorf("font cache: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := fonts.Save(tmp.Name()); err != nil {
		return fmt.Errorf("font cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), index); err != nil {
		return fmt.Errorf("font cache: %w", err)
	}
	if err := canvas.CacheSystemFonts(index, []string{dir}); err != nil {
		return fmt.Errorf("font cache: %w", err)
	}
	return nil
}
