package render

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// tempFile is what WriteFileAtomic writes through; tests replace it to
// inject write errors such as a full disk.
type tempFile interface {
	io.Writer
	Name() string
	Sync() error
	Close() error
}

// createTemp creates the temporary file; it is a variable so that tests can
// simulate failing disks.
var createTemp = func(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }

// inFlight holds the temporary files being written, so that an interrupted
// process can remove them (see RemovePartialFiles).
var inFlight = struct {
	sync.Mutex
	names map[string]bool
}{names: map[string]bool{}}

// WriteFileAtomic writes data to path so that path holds either its old
// content or all of data, never a part: the data goes to a temporary file in
// the same folder, which is synced and then renamed over path. On failure
// the temporary file is removed and an existing file at path is untouched.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	mode := os.FileMode(0o644)
	if info, statErr := os.Stat(path); statErr == nil {
		if info.IsDir() {
			return fmt.Errorf("write %s: is a directory", path)
		}
		mode = info.Mode().Perm() // A replaced file keeps its permissions.
	}
	f, err := createTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	track(tmp, true)
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("write %s: %w", path, err)
		}
		track(tmp, false)
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file private; a new rendered file is meant to be
	// shared like any other output.
	if err = os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func track(name string, on bool) {
	inFlight.Lock()
	defer inFlight.Unlock()
	if on {
		inFlight.names[name] = true
	} else {
		delete(inFlight.names, name)
	}
}

// RemovePartialFiles removes the temporary files of writes still under way.
// A command calls it when it is interrupted (SIGINT, SIGTERM) just before it
// exits, so that an interrupted render leaves no partial file behind; the
// files it was replacing keep their old content.
func RemovePartialFiles() {
	inFlight.Lock()
	defer inFlight.Unlock()
	for name := range inFlight.names {
		os.Remove(name)
		delete(inFlight.names, name)
	}
}
