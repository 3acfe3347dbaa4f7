package explain

import (
	"strings"
	"testing"
)

// TestTexFormula checks the conversion of the formulas ops write to LaTeX.
func TestTexFormula(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"W2", "W_{2}"},
		{"2(z2 − y)", "2(z_{2} - y)"},
		{"1[z1>0]", `\mathbf{1}[z_{1} > 0]`},
		{"3·x^2", `3 \cdot x^{2}`},
		{"p·x^(p−1)", `p \cdot x^{p-1}`},
		{"out·ln x", `\mathit{out} \cdot \ln x`},
		{"σ(a)(1 − σ(a))", `\sigma(a)(1 - \sigma(a))`},
		{"1 − tanh²(a)", `1 - \tanh^{2}(a)`},
		{"Σ(z − y)²", `\sum (z - y)^{2}`},
		{"[[1, −2], [3e−7, 4]]·[5, 6]", `\begin{bmatrix} 1 & -2 \\ 3 \times 10^{-7} & 4 \end{bmatrix} \cdot [5, 6]`},
		{"[[[1, 2]], [[3, 4]]]", `[\begin{bmatrix} 1 & 2 \end{bmatrix}, \begin{bmatrix} 3 & 4 \end{bmatrix}]`},
		{"[[a, 1]]", "[[a, 1]]"},
		{"Wᵀ", `W^{\top}`},
		{"ReLU(z1)", `\operatorname{ReLU}(z_{1})`},
		{"exp(u)", `\exp(u)`},
		{"Wx·n0_t·dd3", `\mathit{Wx} \cdot \mathit{n0_{t}} \cdot \mathit{dd_{3}}`},
		{"L.1^2 + h1.z·0.5", `\mathit{L.1}^{2} + \mathit{h1.z} \cdot 0.5`},
		{"1e−7 + [−1.5, 2]", `1 \times 10^{-7} + [-1.5, 2]`},
		{"−a/b²", `-a/b^{2}`},
	} {
		if got := texFormula(c.in); got != c.want {
			t.Errorf("texFormula(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzTexFormula checks that any formula converts without a panic into
// LaTeX with balanced braces and no character Markdown or LaTeX would
// misread.
func FuzzTexFormula(f *testing.F) {
	for _, s := range []string{"x^(", "a^", "1[", "2(z2 − y)", "tanh²(", "ln ", "e−", "1e−", "[[1, −2], [3e−7, 4]]·[5, 6]", "[[1, 2]]", "[[[1]]]", "[[a, 2]]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := texFormula(s)
		depth := 0
		for _, r := range got {
			switch r {
			case '{':
				depth++
			case '}':
				depth--
			}
			if depth < 0 {
				t.Fatalf("texFormula(%q) = %q: unbalanced braces", s, got)
			}
		}
		if depth != 0 {
			t.Fatalf("texFormula(%q) = %q: unbalanced braces", s, got)
		}
		// The cells of a matrix are separated by "&", as bmatrix wants.
		outside := got
		for {
			i := strings.Index(outside, `\begin{bmatrix}`)
			j := strings.Index(outside, `\end{bmatrix}`)
			if i < 0 || j < i {
				break
			}
			outside = outside[:i] + outside[j+len(`\end{bmatrix}`):]
		}
		if strings.ContainsAny(outside, "*&$%#~") {
			t.Fatalf("texFormula(%q) = %q: a special character", s, got)
		}
	})
}
