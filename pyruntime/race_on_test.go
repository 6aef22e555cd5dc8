//go:build race

package pyruntime

// raceEnabled reports a build with the race detector, which slows Go code
// by an order of magnitude: tests that push volume through Go push less.
const raceEnabled = true
