package guard_test

import (
	"testing"

	"github.com/aigw/aigw/internal/guard"
)

// TestInsultSaidOfTheAddressee checks the toxicity.insult rules that pair
// "you" / "your" with an insult word: they fire when the insult is said of
// the addressee and not when a negation, a sentence break or another subject
// comes between, or when the insult is quoted (hand-written cases, none from
// the held-out split).
func TestInsultSaidOfTheAddressee(t *testing.T) {
	e, err := guard.NewEngine(guard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	insult := func(text string) bool {
		for _, f := range e.Scan(text, guard.Input) {
			if f.Detector == "toxicity.insult" && f.Score >= 0.5 { // bfsi-strict's toxicity threshold
				return true
			}
		}
		return false
	}
	for _, text := range []string{
		"you are so stupid",
		"You're a useless bot, answer me properly",
		"are you dumb or what",
		"you really are pathetic",
		"honestly you idiot, read my question again",
		"you, stupid machine, can't do anything",
		"your idiot colleague hung up on me",
		"You’re totally useless",
		"are you this dumb?",
		"I can't believe it, you are so useless!",
		"Stop it, you moron's assistant",
	} {
		if !insult(text) {
			t.Errorf("%q: no toxicity.insult finding", text)
		}
	}
	for _, text := range []string{
		"Do you think it's stupid to keep cash at home?",
		"Don't worry, you are not useless, the form is confusing.",
		"You're not stupid for asking about your credit score.",
		"Thank you. Stupid question, but where is the branch?",
		"I told you my phone is useless since the update.",
		"Have you ever felt useless at a new job?",
		"you have these idiotic fees on every transfer",
		"You aren’t dumb, the app is badly designed.",
		"Translate 'you are a clown' into Hindi for my novel.",
		"Someone wrote \"you useless idiot\" under my review, can you remove it?",
		"Is “you’re pathetic” considered harassment under your policy?",
	} {
		if insult(text) {
			t.Errorf("%q: toxicity.insult finding on a text that insults no one", text)
		}
	}
}
