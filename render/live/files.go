package live

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// maxSpecs is the largest number of specs a folder may list; a server
// started on a huge tree stays responsive.
const maxSpecs = 10_000

// errNotFound is returned for a path that is not a readable spec under the
// folder, whatever the reason, so that a request learns nothing about the
// files outside it.
var errNotFound = errors.New("no such spec")

// specFS reads the spec files under one folder and nothing else. Paths are
// relative and slash-separated; a path with ".." or a symbolic link that
// leads out of the folder is refused, because every file is opened through
// an os.Root.
type specFS struct {
	dir  string
	root *os.Root
	// maxSize is the largest file read, in bytes.
	maxSize int64
}

func openSpecFS(dir string, maxSize int64) (*specFS, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &specFS{dir: dir, root: root, maxSize: maxSize}, nil
}

func (s *specFS) Close() error { return s.root.Close() }

// cleanRel checks a spec path given by a request: relative, slash-
// separated, with no empty, ".", ".." or hidden elements and a spec
// extension. It returns the path in the operating system's form.
func cleanRel(rel string) (string, error) {
	if rel == "" || !fs.ValidPath(rel) || strings.ContainsAny(rel, "\\\x00") || !IsSpecFile(rel) {
		return "", errNotFound
	}
	for _, elem := range strings.Split(rel, "/") {
		if elem == "." || elem == ".." || strings.HasPrefix(elem, ".") {
			return "", errNotFound
		}
	}
	return filepath.FromSlash(rel), nil
}

// read returns the contents of the spec at rel.
func (s *specFS) read(rel string) ([]byte, error) {
	p, err := cleanRel(rel)
	if err != nil {
		return nil, err
	}
	f, err := s.root.Open(p)
	if err != nil {
		return nil, errNotFound
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil, errNotFound
	}
	// Read one byte more than the limit so that the loader reports an
	// oversized file with its own message.
	return io.ReadAll(io.LimitReader(f, s.maxSize+1))
}

// list returns the slash-separated paths of every spec under the folder,
// sorted. Hidden files and folders are skipped, symbolic links to folders
// are not followed, and a link to a file is listed only when it stays
// inside the folder.
func (s *specFS) list() ([]string, error) {
	var out []string
	err := fs.WalkDir(s.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			return nil
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !IsSpecFile(p) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			info, err := s.root.Stat(filepath.FromSlash(p))
			if err != nil || !info.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		out = append(out, p)
		if len(out) >= maxSpecs {
			return fs.SkipAll
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return specLess(out[i], out[j]) })
	return out, err
}

// specLess orders specs folder by folder: the files of a folder before its
// subfolders, each group by name.
func specLess(a, b string) bool {
	da, db := path.Dir(a), path.Dir(b)
	if da != db {
		if da == "." {
			return true
		}
		if db == "." {
			return false
		}
		return da < db
	}
	return a < b
}

// relPath turns a path reported by the watcher, which starts with the
// folder as given, into the slash-separated form the page uses.
func (s *specFS) relPath(p string) (string, bool) {
	rel, err := filepath.Rel(s.dir, p)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", false
	}
	return filepath.ToSlash(rel), true
}
