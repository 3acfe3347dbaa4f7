package main

import "runtime/debug"

// version returns chainviz's module version as the Go toolchain recorded
// it in the binary: a tag such as v1.2.0, a pseudo-version for a build
// from a commit, or "(devel)" when there is none (go run, tests).
func version() string {
	info, ok := debug.ReadBuildInfo()
	return versionOf(info, ok)
}

// versionOf is version's decision, given the build information.
func versionOf(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil || info.Main.Version == "" {
		return "(devel)"
	}
	return info.Main.Version
}
