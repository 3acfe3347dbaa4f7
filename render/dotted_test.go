package render

import "testing"

// TestPrettyExprDottedNames checks that the names formulas and block calls
// make (L.1, h1.z) are written whole, while plain names get subscripts.
func TestPrettyExprDottedNames(t *testing.T) {
	for in, want := range map[string]string{
		"s1.1 + s1.2":   "s1.1 + s1.2",
		"W1·h1.z.1":     "W₁·h1.z.1",
		"tanh(h1.z)":    "tanh(h1.z)",
		"0.5·L.4 + x2.": "0.5·L.4 + x₂.",
	} {
		if got := prettyExpr(in, nil); got != want {
			t.Errorf("prettyExpr(%q) = %q, want %q", in, got, want)
		}
	}
}
