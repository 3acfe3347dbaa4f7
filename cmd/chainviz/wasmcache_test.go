package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdEmptyDir implements "emptydir DIR": it fails unless DIR is an empty
// folder.
func cmdEmptyDir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: emptydir DIR")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	for _, e := range entries {
		ts.Fatalf("%s holds %s", args[0], e.Name())
	}
}

// cmdPrivate implements "private DIR": it fails unless DIR is a folder
// that only its owner, the current user, can open, and that holds something.
func cmdPrivate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: private DIR")
	}
	p := ts.MkAbs(args[0])
	var st syscall.Stat_t
	ts.Check(syscall.Lstat(p, &st))
	if st.Mode&syscall.S_IFMT != syscall.S_IFDIR || st.Mode&0o077 != 0 || int(st.Uid) != os.Geteuid() {
		ts.Fatalf("%s: mode %o, owner %d; want a folder of mode 0700 owned by %d", args[0], st.Mode, st.Uid, os.Geteuid())
	}
	entries, err := os.ReadDir(p)
	ts.Check(err)
	if len(entries) == 0 {
		ts.Fatalf("%s is empty", args[0])
	}
}

// nobody is the user ID asnobody runs chainviz as.
const nobody = 65534

// cmdAsNobody implements "asnobody ARGS...", for root only: it runs
// chainviz ARGS as the user nobody, with TMPDIR a folder in which root
// made go-graphviz's shared cache folder, as another user of the machine
// would, and HOME a folder of nobody's. It fails unless nobody's own cache
// folder was used. The command's streams are those of asnobody.
func cmdAsNobody(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: asnobody ARGS...")
	}
	// Every folder on the way must be open to nobody, so it is made
	// outside the script's work folder.
	tmp, err := os.MkdirTemp("", "chainviz-nobody-")
	ts.Check(err)
	defer os.RemoveAll(tmp)
	ts.Check(os.Chmod(tmp, 0o755))
	shared, home := filepath.Join(tmp, "shared"), filepath.Join(tmp, "home")
	// wazero keeps its files in a folder named by its version: any name
	// does, as go-graphviz made the folder 0755 and the code under it is
	// refused by chainviz whatever it is.
	for _, d := range []string{"go-graphviz", "go-graphviz/wazero-v1.10.1-amd64-linux"} {
		ts.Check(os.MkdirAll(filepath.Join(shared, d), 0o755))
		ts.Check(os.Chmod(filepath.Join(shared, d), 0o755))
	}
	ts.Check(os.Mkdir(home, 0o700))
	ts.Check(os.Chown(home, nobody, nobody))
	// The test binary is chainviz when its name is (see TestMain).
	exe, err := os.Executable()
	ts.Check(err)
	bin := filepath.Join(tmp, "chainviz")
	ts.Check(copyFile(exe, bin))
	c := exec.Command(bin, args...)
	c.Dir = tmp
	c.Env = []string{"HOME=" + home, "TMPDIR=" + shared, "PATH=/usr/bin:/bin"}
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err = c.Run()
	ts.Stdout().Write(out.Bytes())
	ts.Stderr().Write(errb.Bytes())
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		ts.Fatalf("asnobody: %v", err)
	}
	if err != nil {
		ts.Fatalf("chainviz run by nobody: %v", err)
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(filepath.Join(home, ".cache", "chainviz", "wasm", "go-graphviz"), &st); err != nil || st.Uid != nobody {
		ts.Fatalf("nobody's private cache folder was not used (%v)", err)
	}
}

// copyFile copies the file from to the new executable file to.
func copyFile(from, to string) error {
	r, err := os.Open(from)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
