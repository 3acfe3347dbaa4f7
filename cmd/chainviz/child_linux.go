package main

import "syscall"

// Signals a child process gets when its parent dies.
const (
	killOnParentDeath = syscall.SIGKILL
	termOnParentDeath = syscall.SIGTERM
)

// childAttr makes a child process get sig when its parent dies. (Linux
// sends it when the parent's thread that started the child exits; the
// children also watch their parent, see watchParent.)
func childAttr(sig syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: sig}
}
