//go:build race

package sandbox

// raceEnabled is set when the race detector is on; its shadow memory does
// not fit under an address-space limit.
const raceEnabled = true
