//go:build !race

package main

// raceEnabled is true when the tests run under the race detector, which
// multiplies memory use several times: memory bounds are not checked then.
const raceEnabled = false
