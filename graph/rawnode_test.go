package graph

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNoMoreStaysEmpty loads every example spec, formulas and blocks among
// them, and checks that no code wrote through rawNode.m into the shared
// empty rawMore that m returns for nodes without one.
func TestNoMoreStaysEmpty(t *testing.T) {
	files, _ := filepath.Glob("../specs/*.yaml")
	large, _ := filepath.Glob("../specs/large/*.yaml")
	files = append(files, large...)
	if len(files) < 10 {
		t.Fatalf("found only %d specs", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Load(f, src); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if noMore.label != "" || noMore.display != "" || noMore.kw.present || noMore.kw.name != "" || noMore.group != (rawGroupRef{}) ||
			noMore.innerGroup != "" || noMore.owner != "" || noMore.block != "" || noMore.expr != "" || noMore.ctx != "" || noMore.errPos != (Pos{}) {
			t.Fatalf("after %s, the shared empty rawMore holds %+v", f, noMore)
		}
	}
}
