//go:build race

package commands

// raceEnabled makes timing tests skip: the race detector slows goldmark's
// inner loops far more than the rest.
const raceEnabled = true
