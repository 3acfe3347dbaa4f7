package main

import "runtime/debug"

// versionStamp, when set at build time, is the version: the README's
// install line sets it from the clone with
//
//	go install -ldflags "-X main.versionStamp=$(git describe --tags --always --dirty)" ./cmd/chainviz
//
// which works whether or not the toolchain can read the repository itself.
var versionStamp string

// version returns chainviz's module version as the Go toolchain recorded
// it in the binary: a tag such as v1.2.0 or a pseudo-version for a build
// from a commit; "(devel)" when there is none (go run, tests), followed by
// the commit when the build recorded one.
func version() string {
	if versionStamp != "" {
		return versionStamp
	}
	info, ok := debug.ReadBuildInfo()
	return versionOf(info, ok)
}

// versionOf is version's decision, given the build information.
func versionOf(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "(devel)"
	}
	v := info.Main.Version
	if v != "" && v != "(devel)" {
		return v
	}
	v = "(devel)"
	var rev string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" {
		v += " commit " + rev[:min(12, len(rev))]
		if modified {
			v += " with local changes"
		}
	}
	return v
}
