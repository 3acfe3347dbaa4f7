package render

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullDisk is a temporary file whose writes fail as on a full disk.
type fullDisk struct{ *os.File }

func (f fullDisk) Write(p []byte) (int, error) {
	n := len(p) / 2
	f.File.Write(p[:n])
	return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

func TestWriteFileAtomicFullDiskKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.svg")
	if err := WriteFileAtomic(path, []byte("good")); err != nil {
		t.Fatal(err)
	}
	old := createTemp
	defer func() { createTemp = old }()
	createTemp = func(dir, pattern string) (tempFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		return fullDisk{f}, err
	}
	err := WriteFileAtomic(path, []byte("a much longer and better drawing"))
	if err == nil || !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "write "+path) {
		t.Fatalf("err = %v, want a write error naming %s and ENOSPC", err, path)
	}
	if got, _ := os.ReadFile(path); string(got) != "good" {
		t.Errorf("the old file was changed to %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestWriteFileAtomicUnwritableFolder(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	// A path under a regular file cannot be written, even by root.
	err := WriteFileAtomic(filepath.Join(blocker, "w.svg"), []byte("data"))
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("err = %v", err)
	}
}

func TestRemovePartialFiles(t *testing.T) {
	dir := t.TempDir()
	f, err := os.CreateTemp(dir, ".w.svg.tmp-*")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	track(f.Name(), true)
	RemovePartialFiles()
	if _, err := os.Stat(f.Name()); !os.IsNotExist(err) {
		t.Errorf("the partial file is still there: %v", err)
	}
}

func TestWriteFileAtomicKeepsPermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.svg")
	if err := WriteFileAtomic(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Errorf("a new file has mode %v, want 0644", info.Mode().Perm())
	}
	os.Chmod(path, 0o600)
	if err := WriteFileAtomic(path, []byte("replaced")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("a replaced file has mode %v, want its old 0600", info.Mode().Perm())
	}
}
