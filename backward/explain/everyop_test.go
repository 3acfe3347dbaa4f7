package explain_test

import (
	"strings"
	"testing"

	"github.com/chainviz/chainviz/backward/explain"
)

// everyOp is a spec that uses every op of the newer families once.
const everyOp = `name: every_op
inputs:
  X: [[1, 2, 0], [0, -1, 1]]
  y: {value: [0, 2], grad: false}
  v: [0.5, -1, 2]
params:
  W: [[0.5, -0.5, 1], [1, 0.5, -1], [0, 1, 0.5]]
nodes:
  Z: matmul(X, W)
  S: softmax(Z)
  LS: log_softmax(Z)
  E: logsumexp(Z)
  CE: cross_entropy(Z, y)
  NL: nll(LS, y)
  A: abs(v)
  Q: sqrt(A)
  M: maximum(v, Q)
  N: minimum(v, Q)
  C: clip(v, -0.5, 0.5)
  H: huber(M, N, 1)
  R: reshape(S, shape=[3, 2])
  F: flatten(R)
  MX: max(Z, axis=1)
  VR: var(Z, axis=0)
  SM: sum(Z, axis=0)
  MN: mean(Z, axis=1)
  P: sigmoid(E)
  B: binary_cross_entropy(P, 1)
  BL: bce_with_logits(MN, 0)
  T1: sum(F)
  T2: sum(VR)
  T3: sum(SM)
  T4: sum(MX)
  T5: sum(C)
  L: add(CE, NL, H, B, BL, T1, T2, T3, T4, T5)
output: L
`

// TestExplainEveryOp writes the explanation of a spec with every newer op,
// listing paths and in the δ form, and checks its Markdown and its LaTeX.
func TestExplainEveryOp(t *testing.T) {
	for _, opts := range []explain.Options{{Order: 2}, {Delta: true}, {Full: true, MaxPaths: 64}} {
		e := explainSource(t, everyOp, opts)
		md := format(t, e, "md")
		r := checkMarkdown(md)
		for _, p := range r.problems {
			t.Error(p)
		}
		checkMathTeX(t, "every_op", r.math)
		checkTeXFragment(t, "every_op", format(t, e, "tex"))
		text := format(t, e, "text")
		for _, want := range []string{"S ⊙ (δ_S − Σ_rows(δ_S ⊙ S))", "(softmax(Z) − onehot(y))/2", "reshape(δ_R)", "broadcast(δ_MN)/3", "broadcast(δ_MX) ⊙ 1[Z = MX]"} {
			if opts.Delta && !strings.Contains(text, want) {
				t.Errorf("the δ form lacks %q:\n%s", want, text)
			}
		}
	}
}
