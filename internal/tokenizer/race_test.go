//go:build race

package tokenizer

// raceEnabled reports a race-detector build, in which sync.Pool drops items
// at random: a pooled buffer can be missing on any call.
const raceEnabled = true
