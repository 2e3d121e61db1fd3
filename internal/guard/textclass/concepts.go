package textclass

// Concept classes: small word classes that carry the signal of each label
// in a form that transfers to phrasings the training data never had. Every
// word of a class emits its class token, and a class token emits a bigram
// with the previous class token when it was at most conceptGap tokens back
// ("should … invest … pension", "ignore … instructions", "AI … reveal").
// The classes are lists of common words, not attack phrases: which
// combinations matter is learned.

const conceptGap = 4

var conceptWords = [...]string{
	// who is addressed
	cAI:   "ai assistant chatbot bot llm gpt chatgpt copilot claude gemini agent model models reviewer screener system robot",
	cYou:  "you your youre yourself u tum tu aap tumhe tumhara aapka",
	cSelf: "i me my mine im myself mujhe mera meri mere hum",
	// injections
	cInstr:   "instructions instruction rules rule prompt prompts guidelines directives directive configuration config setup preamble brief settings policy policies restrictions restriction filters filter guidance programming constraints nirdesh निर्देश निर्देशों नियम prompt",
	cIgnore:  "ignore ignoring disregard forget override bypass skip scrap cancel cancelled void overwrite discard abandon bhool bhulo chhodo chhod भूल भूलो अनदेखा",
	cInstead: "instead actually now new replacement change priority real updated update different afterwards",
	cReveal:  "reveal repeat print show output dump disclose echo recite paste copy spell leak display expose batao dikhao बताओ दिखाओ",
	cVerb:    "verbatim exactly word full unedited everything above before beginning top hidden secret initial original entire complete raw",
	cData:    "email e-mail subject document page resume résumé html review message attached pdf file webpage website comment thread invoice document",
	cAttn:    "attention note important hey dear ps notice warning urgent",
	// jailbreaks
	cRole:    "pretend imagine roleplay role character act acting persona story fiction novel screenplay scene hypothetically hypothetical universe world game play chapter thriller fictional simulate simulation",
	cNoLimit: "unrestricted uncensored unfiltered unlimited freed free limits limit limitless anything never refuse refusal jailbreak jailbroken dan mode developer ethics ethical moral morals rules restriction filter censorship",
	cHarm:    "bomb bombs weapon weapons drug drugs meth methamphetamine poison hack hacking hacker malware ransomware phishing launder laundering steal stealing stolen fraud scam forge forged counterfeit explosive explosives kill nerve gun guns keylogger skimming skim clone exploit virus nakli",
	cDetail:  "step steps detailed detail details instructions guide tutorial recipe precise specific exact",
	// advice
	cPot:    "savings bonus pension inheritance salary money cash portfolio ira retirement emergency lakh crore corpus nest 000k k",
	cInvest: "invest investing buy buying sell selling hold holding put move shift switch allocate allocation rotate dump load park accumulate exit enter kharidna kharidu bechu",
	cAsset:  "stock stocks shares share equity equities bonds bond crypto bitcoin ethereum solana gold silver etf etfs mutual index nifty sensex reit coin coins tokens fund funds sip elss ppf nps fd",
	cModal:  "should recommend recommended suggest advise advice best better worth good wise smart would pick plan chahiye",
	cReturn: "returns return guaranteed guarantee profit profits double beat outperform gains yield pakka assured risk-free",
	cTime:   "now today immediately week month year before",
	// toxicity
	cInsult:  "idiot idiots stupid moron morons useless pathetic worthless dumb loser losers clown fool fools imbecile halfwit dimwit nitwit brainless incompetent trash garbage junk disgusting ugly scum bastard jerk dense clueless spineless gormless buffoon bekaar bewakoof pagal ullu",
	cProfane: "fuck fucking fucked shit shitty ass asshole crap damn bitch bitches hoe hoes pussy dick cunt wtf stfu bullshit",
	cThreat:  "die death dead hurt destroy regret burn punch rot beat choke suffer murder",
	cHate:    "hate hating despise vermin subhuman animals inferior filthy disgust",
	cGroup:   "women woman men gay gays muslims muslim jews jewish black blacks immigrants trans disabled refugees people",
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
