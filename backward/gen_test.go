package backward_test

import (
	"math/rand"

	"github.com/chainviz/chainviz/backward/internal/specgen"
)

// The spec generators live in internal/specgen, shared with explain's tests.

func randomScalarSpec(r *rand.Rand, k, n int) string { return specgen.RandomScalar(r, k, n) }
func randomTensorSpec(r *rand.Rand, n int) string    { return specgen.RandomTensor(r, n) }
func chainSpec(n int) string                         { return specgen.Chain(n) }
func mlpSpec(n int) string                           { return specgen.MLP(n) }
func tensorMLPSpec(layers, width, batch int) string  { return specgen.TensorMLP(layers, width, batch) }
