//go:build unix

package wasmcache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain restores TMPDIR, which this package's init changed, as package
// render does in a program.
func TestMain(m *testing.M) {
	Restore()
	os.Exit(m.Run())
}

// TestPrivateDir checks which user cache folders are trusted.
func TestPrivateDir(t *testing.T) {
	t.Run("made private", func(t *testing.T) {
		base := t.TempDir()
		t.Setenv("XDG_CACHE_HOME", base)
		dir, err := privateDir()
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(base, "chainviz", "wasm"); dir != want {
			t.Fatalf("dir %s, want %s", dir, want)
		}
		for _, p := range []string{dir, filepath.Join(dir, "go-graphviz")} {
			info, err := os.Lstat(p)
			if err != nil || info.Mode().Perm() != 0o700 || !info.IsDir() {
				t.Errorf("%s: %v %v, want a folder of mode 0700", p, info.Mode(), err)
			}
		}
	})
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, base string)
		err   string
	}{
		{"base open to all", func(t *testing.T, base string) { os.Chmod(base, 0o777) }, "can be changed by other users"},
		{"chainviz open to all", func(t *testing.T, base string) {
			os.Mkdir(filepath.Join(base, "chainviz"), 0o700)
			os.Chmod(filepath.Join(base, "chainviz"), 0o777)
		}, "open to other users"},
		{"wasm readable by others", func(t *testing.T, base string) {
			os.MkdirAll(filepath.Join(base, "chainviz", "wasm"), 0o700)
			os.Chmod(filepath.Join(base, "chainviz", "wasm"), 0o755)
		}, "open to other users"},
		{"symbolic link", func(t *testing.T, base string) {
			other := t.TempDir()
			os.Symlink(other, filepath.Join(base, "chainviz"))
		}, "is not a folder"},
		{"a file", func(t *testing.T, base string) {
			os.WriteFile(filepath.Join(base, "chainviz"), nil, 0o600)
		}, "is not a folder"},
		{"another user's", func(t *testing.T, base string) {
			if os.Geteuid() != 0 {
				t.Skip("only root can give a folder to another user")
			}
			os.Chmod(base, os.ModeSticky|0o777)
			os.Mkdir(filepath.Join(base, "chainviz"), 0o755)
			os.Chown(filepath.Join(base, "chainviz"), 65534, 65534)
		}, "belongs to another user"},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			t.Setenv("XDG_CACHE_HOME", base)
			c.setup(t, base)
			_, err := privateDir()
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("got %v, want an error saying %q", err, c.err)
			}
		})
	}
}
