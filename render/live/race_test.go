//go:build race

package live

// raceEnabled is true when the tests run under the race detector, which
// multiplies memory use several times: memory levels are not checked then.
const raceEnabled = true
