// Package wasmcache keeps go-graphviz's compiled-code cache out of folders
// other users control.
//
// go-graphviz compiles its WebAssembly in a package init, with a wazero
// compilation cache at $TMPDIR/go-graphviz: a folder shared by every user of
// the machine, holding native code. If another user created it, every
// command panics; a file planted there would be loaded and run. Importing
// this package (blank) from every importer of go-graphviz points TMPDIR at
// a folder that only the current user can write, for the time of that
// init; Restore, called by a package initialized after go-graphviz, puts
// TMPDIR back. When no such folder can be made, TMPDIR points where no
// folder can be created, and go-graphviz then runs without a disk cache.
//
// This package runs first because of the Go specification's order of
// package initialization: packages are initialized one at a time, each time
// the first, by import path, of those whose imports are all initialized.
// This package imports only packages that go-graphviz's internal/wasm
// imports too (directly or not), and "github.com/chainviz/..." sorts before
// "github.com/goccy/...", so its init always comes first. The tests check it
// on the built program.
package wasmcache

import (
	"errors"
	"os"
	"path/filepath"
)

// disabled is a TMPDIR under which no folder can be created (/dev/null is
// not a folder), so go-graphviz compiles without a disk cache.
const disabled = "/dev/null/chainviz-no-cache"

var (
	// oldTMPDIR and hadTMPDIR are the user's TMPDIR, to restore.
	oldTMPDIR string
	hadTMPDIR bool
	// dir is the private folder given to go-graphviz as TMPDIR, or "".
	dir string
	// dirErr says why no private folder is used.
	dirErr error
)

func init() {
	oldTMPDIR, hadTMPDIR = os.LookupEnv("TMPDIR")
	dir, dirErr = privateDir()
	if dirErr != nil {
		dir = ""
		os.Setenv("TMPDIR", disabled)
		return
	}
	os.Setenv("TMPDIR", dir)
}

// Restore puts back the user's TMPDIR. It is called once go-graphviz is
// initialized and returns true, so that it can initialize a variable.
func Restore() bool {
	if hadTMPDIR {
		os.Setenv("TMPDIR", oldTMPDIR)
	} else {
		os.Unsetenv("TMPDIR")
	}
	return true
}

// Dir returns the private folder go-graphviz's cache went into (it makes
// its go-graphviz folder inside), or "" and the reason when the cache was
// disabled.
func Dir() (string, error) { return dir, dirErr }

// privateDir returns <user cache dir>/chainviz/wasm, made when missing,
// after checking that the user alone can write it and its parent.
func privateDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(base) {
		return "", errors.New("the user cache folder is not an absolute path")
	}
	if err := checkBase(base); err != nil {
		return "", err
	}
	// The chainviz folder may hold other caches and be readable by others;
	// no one else may change it. The folders below it are private.
	d := filepath.Join(base, "chainviz")
	for i, p := range []string{d, filepath.Join(d, "wasm"), filepath.Join(d, "wasm", "go-graphviz")} {
		if err := os.Mkdir(p, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return "", err
		}
		closed := os.FileMode(0o077)
		if i == 0 {
			closed = 0o022
		}
		if err := checkOwn(p, closed); err != nil {
			return "", err
		}
	}
	return filepath.Join(d, "wasm"), nil
}
