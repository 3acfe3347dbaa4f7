package graph

import (
	"math"
	"strconv"
	"strings"
)

// RoundSig rounds v to 10 significant digits, so that 3 − 0.01 × 72 shows
// as 2.28 rather than 2.2800000000000002. Explanations and warnings print
// numbers through it.
func RoundSig(v float64) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 10, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// NumberText formats a number for prose and formulas: 10 significant
// digits and a Unicode minus sign.
func NumberText(v float64) string {
	return strings.ReplaceAll(FormatNumber(RoundSig(v)), "-", "−")
}
