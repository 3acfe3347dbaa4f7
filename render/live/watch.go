package live

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long a Watcher waits after the last event of a
// burst before it reports the burst: editors save a file in several
// operations (write a temporary file, rename it over the old one, change
// its mode), and one save should give one report.
const DefaultDebounce = 100 * time.Millisecond

// maxDelay bounds how long a stream of events can postpone a report.
const maxDelay = time.Second

// IsSpecFile reports whether a file name has a spec's extension, .yaml or
// .yml.
func IsSpecFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// Watcher reports the spec files that change under a folder, or one spec
// file, in debounced batches. It watches folders rather than files, so a
// file that an editor replaces by renaming a new one over it stays watched;
// folders created later are watched too. It never follows symbolic links.
type Watcher struct {
	fsw *fsnotify.Watcher
	// root is the watched folder, or the folder of the watched file.
	root string
	// file, when not empty, is the one file whose changes are reported.
	file     string
	debounce time.Duration
}

// NewWatcher starts watching path, a folder (recursively) or a single spec
// file. The watches are in place when it returns, so a change made after
// that is reported by Run. debounce <= 0 means DefaultDebounce.
func NewWatcher(path string, debounce time.Duration) (*Watcher, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("cannot watch files: %w", err)
	}
	w := &Watcher{fsw: fsw, root: filepath.Clean(path), debounce: debounce}
	if info.IsDir() {
		err = w.addTree(w.root)
	} else {
		w.file, w.root = w.root, filepath.Dir(w.root)
		err = fsw.Add(w.root)
	}
	if err != nil {
		fsw.Close()
		return nil, fmt.Errorf("cannot watch %s: %w", path, err)
	}
	return w, nil
}

// addTree watches dir and every folder under it, without following links.
func (w *Watcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // A folder that vanished or cannot be read is skipped.
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and the like.
			}
			return w.fsw.Add(p)
		}
		return nil
	})
}

// Run calls onChange with the sorted, distinct paths of the spec files
// that were created, written, removed or renamed, once per burst of events,
// until ctx is done. Paths are as NewWatcher was given them, joined with
// the names below. Errors of the watching itself go to onError, which may
// be nil. Run closes the watcher when it returns.
func (w *Watcher) Run(ctx context.Context, onChange func([]string), onError func(error)) error {
	defer w.fsw.Close()
	pending := map[string]bool{}
	var timer <-chan time.Time
	var first time.Time
	flush := func() {
		if len(pending) == 0 {
			return
		}
		paths := make([]string, 0, len(pending))
		for p := range pending {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		clear(pending)
		onChange(paths)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return errors.New("the file watcher stopped")
			}
			paths := w.accept(ev)
			if len(paths) == 0 {
				continue
			}
			if len(pending) == 0 {
				first = time.Now()
			}
			for _, p := range paths {
				pending[p] = true
			}
			// Wait for the burst to end, but not for ever.
			wait := min(w.debounce, maxDelay-time.Since(first))
			timer = time.After(max(wait, 0))
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return errors.New("the file watcher stopped")
			}
			if onError != nil {
				onError(err)
			}
		case <-timer:
			timer = nil
			flush()
		}
	}
}

// accept returns the watched spec files that ev concerns. A new folder is
// watched from then on, and the specs already in it are returned: they
// may have been written before its watch was in place.
func (w *Watcher) accept(ev fsnotify.Event) []string {
	name := filepath.Clean(ev.Name)
	if w.file != "" {
		if name == w.file {
			return []string{name}
		}
		return nil
	}
	if ev.Has(fsnotify.Create) {
		if info, err := os.Lstat(name); err == nil && info.IsDir() {
			w.addTree(name)
			var specs []string
			filepath.WalkDir(name, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && isVisibleSpec(p) {
					specs = append(specs, p)
				}
				return nil
			})
			return specs
		}
	}
	if isVisibleSpec(name) {
		return []string{name}
	}
	return nil
}

// isVisibleSpec reports whether p names a spec file that is not hidden
// (editors keep hidden temporary copies, such as .spec.yaml.swp).
func isVisibleSpec(p string) bool {
	return IsSpecFile(p) && !strings.HasPrefix(filepath.Base(p), ".")
}
