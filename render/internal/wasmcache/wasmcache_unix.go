//go:build unix

package wasmcache

import (
	"errors"
	"os"
	"syscall"
)

// checkOwn fails unless p is a real folder (not a symbolic link) owned by
// the effective user, with none of the permission bits closed set.
func checkOwn(p string, closed os.FileMode) error {
	st, err := lstat(p)
	if err != nil {
		return err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return errors.New(p + " is not a folder")
	}
	if int(st.Uid) != os.Geteuid() {
		return errors.New(p + " belongs to another user")
	}
	if os.FileMode(st.Mode)&closed != 0 {
		return errors.New(p + " is open to other users")
	}
	return nil
}

// checkBase fails unless the user cache folder is a folder that only its
// owner, the effective user or root, can change entries of (or one with
// the sticky bit, whose entries only their owner can rename).
func checkBase(p string) error {
	st, err := stat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(p, 0o700); err != nil {
				return err
			}
			st, err = stat(p)
		}
		if err != nil {
			return err
		}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return errors.New(p + " is not a folder")
	}
	if int(st.Uid) != os.Geteuid() && st.Uid != 0 {
		return errors.New(p + " belongs to another user")
	}
	if st.Mode&0o022 != 0 && st.Mode&syscall.S_ISVTX == 0 {
		return errors.New(p + " can be changed by other users")
	}
	return nil
}

func lstat(p string) (*syscall.Stat_t, error) {
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		return nil, &os.PathError{Op: "lstat", Path: p, Err: err}
	}
	return &st, nil
}

func stat(p string) (*syscall.Stat_t, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(p, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: p, Err: err}
	}
	return &st, nil
}
