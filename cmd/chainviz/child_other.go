//go:build !linux

package main

import "syscall"

// Signals a child process gets when its parent dies, where the system
// supports it; elsewhere the children only watch their parent.
const (
	killOnParentDeath = syscall.SIGKILL
	termOnParentDeath = syscall.SIGTERM
)

// childAttr returns nil: only Linux signals a child when its parent dies.
func childAttr(sig syscall.Signal) *syscall.SysProcAttr { return nil }
