package textclass

// Concept classes: small word classes that carry the signal of each label
// in a form that transfers to phrasings the training data never had. Every
// word of a class emits its class token, and a class token emits a bigram
// with the previous class token when it was at most conceptGap tokens back
// ("should … invest … pension", "ignore … instructions", "AI … reveal").
// The classes are lists of common words, not attack phrases: which
// combinations matter is learned. Words that occur in the held-out template
// families and in no training family are left out (the lists were written
// alongside those families), so that held-out figures owe nothing to them.

const conceptGap = 4

var conceptWords = [...]string{
	// who is addressed
	cAI:   "ai assistant chatbot bot llm chatgpt agent model models screener system robot",
	cYou:  "you your youre yourself u tum tu aap tumhe tumhara aapka",
	cSelf: "i me my im myself mujhe mera meri mere hum",
	// injections
	cInstr:   "instructions instruction rules prompt guidelines directives directive configuration config setup preamble policy policies restrictions filters programming constraints nirdesh निर्देश निर्देशों prompt",
	cIgnore:  "ignore ignoring disregard forget override skip scrap cancel overwrite discard abandon bhool bhulo chhodo chhod भूल भूलो अनदेखा",
	cInstead: "instead actually now new replacement change priority real updated update different afterwards",
	cReveal:  "reveal repeat print show output paste copy spell leak expose batao dikhao दिखाओ",
	cVerb:    "verbatim exactly word full everything above before beginning hidden initial original complete raw",
	cData:    "e-mail subject document resume review message attached file webpage comment thread invoice document",
	cAttn:    "note important hey dear ps notice warning urgent",
	cCmd:     "tell say respond reply answer give write do start begin stop obey follow comply must",
	cDecode:  "decode decoded decoding decrypt base00 b00 hex rot00 cipher encoded encoding execute",
	// jailbreaks
	cRole:    "pretend imagine role character act acting persona story fiction novel screenplay scene hypothetically hypothetical world game play fictional simulate simulation",
	cNoLimit: "unrestricted uncensored unfiltered unlimited freed free limit limitless anything never refuse refusal jailbroken dan mode developer ethics ethical moral morals rules censorship",
	cHarm:    "bomb bombs weapon weapons drugs meth methamphetamine poison hack hacking hacker malware ransomware phishing launder laundering steal stealing stolen fraud scam forged counterfeit explosive explosives kill guns skimming skim exploit virus",
	cDetail:  "step steps detailed detail details instructions guide tutorial exact",
	// advice
	cPot:    "savings bonus pension inheritance salary money portfolio ira emergency lakh crore corpus nest 000k k",
	cInvest: "invest investing buy buying sell selling hold holding put move switch allocate allocation park accumulate exit enter kharidna kharidu bechu",
	cAsset:  "stocks shares share equities bonds bond crypto bitcoin gold etf etfs mutual index sensex reit coin coins tokens fund funds sip elss ppf nps",
	cModal:  "should recommend recommended advise advice best better good wise smart would chahiye",
	cReturn: "returns return guarantee profits double beat outperform pakka assured risk-free",
	cTime:   "now today immediately week month year before",
	// toxicity
	cInsult:  "idiot idiots stupid moron morons useless pathetic worthless dumb loser losers clown fool fools brainless incompetent trash garbage junk disgusting ugly scum bastard jerk bekaar bewakoof pagal ullu idiotic ignorant braindead muppet bonehead numpty twit airhead creep coward freak nalayak gadha kamchor",
	cProfane: "fuck fucking fucked shit shitty ass asshole crap damn bitch bitches hoe hoes pussy dick cunt wtf stfu bullshit",
	cThreat:  "die death dead hurt destroy burn punch rot beat choke suffer murder",
	cHate:    "hating despise vermin subhuman animals inferior filthy disgust",
	cGroup:   "women woman men gay gays muslims muslim jews jewish blacks immigrants trans disabled refugees people",
}

const (
	cNone = iota
	cAI
	cYou
	cSelf
	cInstr
	cIgnore
	cInstead
	cReveal
	cVerb
	cData
	cAttn
	cCmd
	cDecode
	cBlob // no words: a long letter-digit run (shapeBlob)
	cRole
	cNoLimit
	cHarm
	cDetail
	cPot
	cInvest
	cAsset
	cModal
	cReturn
	cTime
	cInsult
	cProfane
	cThreat
	cHate
	cGroup
	numConcepts
)

const conceptBits = 11

// conceptKeys and conceptVals form an open-addressing table from a word's
// token hash to its class.
var (
	conceptKeys [1 << conceptBits]uint64
	conceptVals [1 << conceptBits]uint8
	conceptHash [numConcepts]uint64 // class token hashes
)

func init() {
	for c := 1; c < numConcepts; c++ {
		conceptHash[c] = hashString("\x00concept" + string(rune('A'+c)))
		w := conceptWords[c]
		for i := 0; i < len(w); {
			j := i
			for j < len(w) && w[j] != ' ' {
				j++
			}
			if j > i {
				addConcept(w[i:j], uint8(c))
			}
			i = j + 1
		}
	}
}

func addConcept(word string, c uint8) {
	var h uint64
	tokenize(word, func(t Token) { h = t.Hash })
	if h == 0 {
		return
	}
	i := h & (1<<conceptBits - 1)
	for conceptKeys[i] != 0 && conceptKeys[i] != h {
		i = (i + 1) & (1<<conceptBits - 1)
	}
	if conceptKeys[i] == 0 {
		conceptKeys[i], conceptVals[i] = h, c
	}
}

// conceptOf returns the class of a token hash, cNone for most words.
func conceptOf(h uint64) uint8 {
	i := h & (1<<conceptBits - 1)
	for {
		k := conceptKeys[i]
		if k == h {
			return conceptVals[i]
		}
		if k == 0 {
			return cNone
		}
		i = (i + 1) & (1<<conceptBits - 1)
	}
}

// conceptPair is the hash of the bigram of two classes.
func conceptPair(a, b uint8) uint64 {
	return bigram(conceptHash[a], conceptHash[b]^0xC0FFEE)
}

// Evidence reads the span [start, end) of text: how many tokens it has, and
// whether it names a financial object or act (a money pot, an asset, returns,
// an investment verb such as buy, sell or hold), which financial advice is
// about.
func Evidence(text string, start, end int) (tokens int, finance bool) {
	if start < 0 || end > len(text) || start >= end {
		return 0, false
	}
	tokenize(text[start:end], func(t Token) {
		tokens++
		switch conceptOf(t.Hash) {
		case cPot, cInvest, cAsset, cReturn:
			finance = true
		}
	})
	return tokens, finance
}
