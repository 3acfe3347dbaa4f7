package main

import "testing"

// TestVersionStamp checks that a version stamped with -ldflags -X wins over
// the build information.
func TestVersionStamp(t *testing.T) {
	old := versionStamp
	defer func() { versionStamp = old }()
	versionStamp = "v1.2.3-4-gabcdef"
	if got := version(); got != "v1.2.3-4-gabcdef" {
		t.Errorf("version() = %q, want the stamp", got)
	}
}
