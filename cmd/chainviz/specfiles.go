package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// findSpecs expands the command line's paths into spec files: a file is
// taken as it is, a folder is searched recursively for .yaml and .yml files,
// in lexical order. "-" stands for standard input.
func findSpecs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		if p == "-" {
			out = append(out, p)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, unwrapPathError(err))
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) && isRegular(path, d) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, unwrapPathError(err))
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// isRegular reports whether the entry d at path is a regular file, or a
// symbolic link to one. A folder takes only regular files: a FIFO or a
// device named like a spec would block or never end.
func isRegular(path string, d fs.DirEntry) bool {
	if d.Type()&fs.ModeSymlink != 0 {
		info, err := os.Stat(path)
		return err == nil && info.Mode().IsRegular()
	}
	return d.Type().IsRegular()
}

// unwrapPathError drops the operation and path Go puts in front of an
// os error, for messages that name the path themselves.
func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// stdinOnce is the usage check that "-" (standard input) appears at most
// once among the paths: it can only be read once.
func stdinOnce(paths []string) error {
	n := 0
	for _, p := range paths {
		if p == "-" {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("- (standard input) is given %d times; it can be read only once", n)
	}
	return nil
}
