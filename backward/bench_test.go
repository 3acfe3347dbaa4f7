package backward_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

// benchmarkPipeline measures load (YAML parse and validation), forward
// evaluation and the annotated backward pass of one spec.
func benchmarkPipeline(b *testing.B, src string) {
	data := []byte(src)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g, err := graph.Load("bench.yaml", data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := backward.Annotate(g); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScalarChain(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		src := chainSpec(n)
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) { benchmarkPipeline(b, src) })
	}
}

func BenchmarkScalarMLP(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		src := mlpSpec(n)
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) { benchmarkPipeline(b, src) })
	}
}

func BenchmarkTensorMLP(b *testing.B) {
	for _, c := range []struct{ layers, width, batch int }{{3, 16, 32}, {8, 32, 64}} {
		src := tensorMLPSpec(c.layers, c.width, c.batch)
		b.Run(fmt.Sprintf("layers=%d,width=%d,batch=%d", c.layers, c.width, c.batch), func(b *testing.B) { benchmarkPipeline(b, src) })
	}
}

// BenchmarkScalarChainJSON measures what `chainviz annotate` does for a
// scalar chain: load, annotate and write the annotated JSON.
func BenchmarkScalarChainJSON(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		src := []byte(chainSpec(n))
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				g, err := graph.Load("bench.yaml", src)
				if err != nil {
					b.Fatal(err)
				}
				a, err := backward.Annotate(g)
				if err != nil {
					b.Fatal(err)
				}
				if err := backward.WriteJSON(io.Discard, a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
