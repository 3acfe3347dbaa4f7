package render

import "testing"

// TestNumbersNeverLookLikeIntegers checks that a number with a fraction is
// never drawn as an integer, whatever the precision.
func TestNumbersNeverLookLikeIntegers(t *testing.T) {
	tests := []struct {
		v    float64
		p    int
		want string
	}{
		{1.00004, 4, "≈1"},
		{1.024, 2, "≈1"},
		{-0.99999, 3, "≈−1"},
		{123.4, 3, "≈123"},
		{1e15 + 0.5, 4, "1e15"},
		{1.5, 4, "1.5"},
		{2, 4, "2"},
		{-3, 2, "−3"},
		{1234567, 3, "1234567"},
		{0.000015, 2, "1.5e-5"},
	}
	for _, tc := range tests {
		if got := formatNumber(tc.v, tc.p); got != tc.want {
			t.Errorf("formatNumber(%v, %d) = %q, want %q", tc.v, tc.p, got, tc.want)
		}
	}
}
