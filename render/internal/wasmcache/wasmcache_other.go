//go:build !unix

package wasmcache

import (
	"errors"
	"os"
)

// errUnchecked disables the cache where folder owners cannot be checked.
var errUnchecked = errors.New("folder owners cannot be checked on this system")

func checkOwn(p string, closed os.FileMode) error { return errUnchecked }

func checkBase(p string) error { return errUnchecked }
