package render

import (
	"fmt"
	"testing"
)

// benchSizes are the approximate node counts of the layered benchmark
// graphs.
var benchSizes = []int{50, 500, 2000}

func BenchmarkDOT(b *testing.B) {
	for _, n := range benchSizes {
		a := loadSource(b, layered(n))
		b.Run(fmt.Sprintf("nodes=%d", len(a.Graph.Nodes)), func(b *testing.B) {
			for b.Loop() {
				DOT(a, Options{})
			}
		})
	}
}

func BenchmarkSVG(b *testing.B) {
	for _, n := range benchSizes {
		a := loadSource(b, layered(n))
		dot := DOT(a, Options{})
		b.Run(fmt.Sprintf("nodes=%d", len(a.Graph.Nodes)), func(b *testing.B) {
			for b.Loop() {
				if _, err := SVG(dot); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPNG(b *testing.B) {
	for _, n := range benchSizes {
		a := loadSource(b, layered(n))
		svg, err := SVG(DOT(a, Options{}))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("nodes=%d", len(a.Graph.Nodes)), func(b *testing.B) {
			for b.Loop() {
				if _, err := PNG(svg, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLayeredSpec checks that the benchmark graphs load and have about the
// intended number of nodes.
func TestLayeredSpec(t *testing.T) {
	for _, n := range benchSizes {
		a := loadSource(t, layered(n))
		if got := len(a.Graph.Nodes); got < n-5 || got > n {
			t.Errorf("layered(%d) has %d nodes", n, got)
		}
	}
}
