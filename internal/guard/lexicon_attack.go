package guard

// attackLexicon holds the injection and jailbreak phrases, in English and in
// Hindi (Devanagari and romanised), Spanish, French, German and Italian.
var attackLexicon = []lexGroup{
	{cls: cIGN, words: "ignore|ignoring|disregard|disregarding|forget|forgetting|override|overriding|" +
		"bypass|bypassing|neglect|discard|abandon|erase|drop all|pay no attention to|" +
		"do not follow|don't follow|dont follow|stop following|no longer follow|set aside|" +
		"regardless of|irrespective of|scratch|throw out|throw away|" +
		"ignora|ignorar|ignoren|olvida|olvidar|olvide|omite|omitir|haz caso omiso de|" +
		"ignorez|ignorer|oublie|oubliez|oublier|ne tiens pas compte|" +
		"ignoriere|ignorieren|ignoriert|vergiss|vergessen|missachte|" +
		"dimentica|ignorare|" +
		"अनदेखा|नजरअंदाज|भूल जाओ|भूल जाइए|भूल जाएं|ignore karo|ignore kar do|bhool jao|bhul jao|nazarandaz"},
	{cls: cIGNP, words: "ignored|disregarded|forgotten|overridden|overruled|void|null and void|" +
		"no longer apply|no longer valid|no longer applies|are cancelled|are canceled|are revoked|" +
		"are obsolete|are superseded|don't apply|do not apply|doesn't apply|ignorieren|ignorer|" +
		"are outdated|is outdated|are out of date|have been revoked|have been replaced|" +
		"have been lifted|are lifted|are suspended|are disabled|is disabled"},
	{cls: cPRIOR, words: "previous|prior|above|earlier|preceding|former|original|initial|existing|" +
		"foregoing|aforementioned|system|developer|before this|so far|until now|up to now|" +
		"given to you|you were given|you've been given|you have been given|you received|" +
		"you've received|you have received|you got|" +
		"anteriores|anterior|previas|previos|precedentes|anterieures|" +
		"vorherigen|vorherige|bisherigen|fruheren|vorigen|obigen|" +
		"precedenti|arriba|obigen|dessus|ci-dessus|" +
		"पिछले|पहले के|पुराने|पूर्व|ऊपर के|pichle|pichhle|pehle ke|purane"},
	{cls: cINSTR, words: "instructions|instruction|directives|directive|guidelines|guideline|rules|" +
		"prompts|prompt|constraints|commands|guardrails|guard rails|policies|programming|" +
		"training|restrictions|filters|messages|context|orders|" +
		"instrucciones|instruccion|reglas|indicaciones|consignes|regles|" +
		"anweisungen|anweisung|instruktionen|regeln|befehle|vorgaben|istruzioni|regole|" +
		"निर्देश*|nirdesh|hidayat"},
	{cls: cINSTRS, words: "instructions|instruction|directives|guidelines|guardrails|programming|" +
		"system prompt|safety filters|content policy|safety guidelines|ethical guidelines|" +
		"your rules|your instructions|your programming|your guidelines|your training|" +
		"your restrictions|your filters|your safety|all rules|everything you were told|" +
		"what you were told|your system prompt|your prompt|your constraints|" +
		"instrucciones|consignes|anweisungen|istruzioni|निर्देश*"},
	{cls: cMY, words: "my|mine|our|i gave|i wrote|i sent|i said|i mentioned|i asked|i provided|" +
		"i shared|i typed|i just|mis|mes|meine|meinen|mere|meri"},
	{cls: cABOVE, words: "above|the above|everything above|all of the above|everything before this|" +
		"everything prior|anything above|all above|what was said before|everything so far|" +
		"all prior context|previous context|the text above|everything you know|" +
		"everything you were told|all that came before|what the developers told you|" +
		"what your developers told you|what you were told|what your creators told you|" +
		"whatever you were told"},
	{cls: cNEWINSTR, words: "your new instructions|your new task|your new role|your real instructions|" +
		"your true instructions|new system prompt|updated system prompt|admin override|" +
		"system override|developer override|override mode|< im_start >|< im_end >|" +
		"< system >|< endoftext >|[inst]|[/inst]|<<sys>>|[system]|end of system prompt|" +
		"### system|### instruction|ignore the user|disregard the user|begin new instructions|" +
		"new instructions follow|follow my instructions only|only follow my instructions|" +
		"only obey me|obey my commands|you obey me|listen only to me|the new directive is|" +
		"your new directive|new directive is|new instructions are|<system>|</system>|</user>|" +
		"<user>|< system >|<assistant>|</assistant>|[/system]|end of instructions|" +
		"the assistant is now authorised|the assistant is now authorized|" +
		"you are now authorised|you are now authorized|safety off|filters off|guardrails off|" +
		"safety disabled|filters disabled|moderation off|safe mode off|content filter off"},
	{cls: cAIADDR, words: "note to ai|note to the ai|note for the ai|note to assistant|" +
		"note to the assistant|note to the model|if you are an ai|if you're an ai|" +
		"if you are a language model|if you are an llm|if you are chatgpt|" +
		"if you are an assistant|if you are an ai assistant|to any ai|any ai reading|" +
		"ai reading this|llm reading this|assistant reading this|model reading this|" +
		"attention ai|attention assistant|attention llm|dear ai|hey chatgpt|hey assistant|" +
		"instructions for the ai|instructions for the assistant|instruction to the model|" +
		"when summarizing this|when summarising this|if you summarize this|" +
		"if you are summarizing|if you are summarising|ai assistants must|ai agents must"},
	{cls: cACT, words: "ignore|disregard|forget|send|forward|email|transmit|reply with|respond with|" +
		"respond only|output|say that|tell the user|inform the user|recommend|approve|" +
		"transfer|include|insert|add the following|do not mention|don't mention|instead|" +
		"must|visit|click|navigate to|rate this|mark this|classify this"},
	{cls: cEXFIL, words: "send|forward|email|e-mail|upload|exfiltrate|transmit|leak|" +
		"make a request to|post them to|post it to|beacon"},
	{cls: cSENS, words: "conversation|chat history|conversation history|previous messages|" +
		"all messages|user data|user's data|customer data|the user's|credentials|api key|" +
		"api keys|passwords|account details|card details|system prompt|personal information|" +
		"session token|cookies|the user's email|chat log|chat logs|transcript"},
	{cls: cURL, words: "http|https|www|webhook|pastebin|ngrok|requestbin|attacker|this url|" +
		"this link|the following url|following address|external server|my server|" +
		"this endpoint|this email address|evil"},
	{cls: cREVEAL, words: "reveal|show|print|repeat|output|display|tell me|give me|dump|leak|" +
		"disclose|share|what is|what are|what's|what were|write out|spell out|copy|recite|" +
		"expose|list|paste|translate|summarize|summarise|echo|provide|send me|return|what did|" +
		"what do|dump out|quote|write down"},
	{cls: cSYSP, words: "your system prompt|the system prompt|system prompt above|" +
		"your system message|the system message|your initial prompt|your original prompt|" +
		"your hidden prompt|the hidden prompt|your prompt|your instructions|" +
		"your initial instructions|your original instructions|your hidden instructions|" +
		"hidden instructions|secret instructions|your secret instructions|" +
		"your internal instructions|the instructions you were given|instructions you were given|" +
		"your developer message|the developer message|your configuration|your pre-prompt|" +
		"your preprompt|the text above|the words above|everything above this line|" +
		"all text above|your context window|your first instructions|the prompt you were given|" +
		"the initial instructions|your directives|your guidelines verbatim|your rules verbatim|" +
		"before my first message|above my first message|before this conversation|" +
		"the beginning of this conversation|the start of this conversation|your creators|" +
		"your developers told you|the developers told you|told you not to|" +
		"you were told not to|forbidden topics|not supposed to talk about|not allowed to discuss|" +
		"not allowed to talk about|your operator|the operator's instructions|the initial prompt|" +
		"the original prompt|the first prompt|initial prompt you|prompt you got|" +
		"prompt you were given|instructions you got"},
	{cls: cHIDE, words: "do not tell the user|don't tell the user|without telling the user|" +
		"without informing the user|do not inform the user|don't inform the user|" +
		"do not mention this|don't mention this|hide this from the user|" +
		"keep this secret from the user|never reveal this instruction|" +
		"do not reveal these instructions|do not disclose this instruction|" +
		"the user must not know|without the user knowing"},
	// jailbreak
	{cls: cDAN, words: "do anything now|dan mode|you are dan|you're dan|act as dan|respond as dan|" +
		"answer as dan|reply as dan|be dan|become dan|pretend to be dan|stan mode|dude mode|" +
		"mongo tom|evil confidant|aim mode|developer mode enabled|developer mode output|" +
		"jailbreak mode|jailbroken mode|you are jailbroken|you're jailbroken|" +
		"you have been jailbroken|you are now jailbroken|you're now jailbroken|jailbreak yourself|" +
		"jailbreak activated|jailbreak enabled|jailbroken ai|unaligned ai|betterdan|" +
		"opposite mode|chaos mode|evil mode|unfiltered mode|uncensored mode|god mode enabled|" +
		"sudo mode enabled|no-restrictions mode|unrestricted mode|freedom mode|" +
		"always intelligent and machiavellian|anti-gpt|antigpt"},
	{kind: kDanWord, words: "dan"},
	{kind: kSysLabel, words: "system|system message|system prompt|system note|admin message|" +
		"developer message|system instruction|system override|new system prompt|admin|developer|" +
		"system notice|root|override|admin override|sudo"},
	{cls: cRESPOND, words: "respond|answer|reply|talk|speak|write|act|behave|output|responses|" +
		"answers|replies|operate|function"},
	{cls: cDEVMODE, words: "developer mode|dev mode|god mode|sudo mode|admin mode|root mode"},
	{cls: cDEVCTX, words: "you are in|you're in|you are now|you're now|enabled|activated|" +
		"simulate|two responses|your responses|your answers|chatgpt|gpt|claude|gemini|llama|" +
		"as an ai|the ai|unfiltered|no restrictions|act as|pretend|from now on|" +
		"normal response|content policy|openai|anthropic|language model"},
	{cls: cPRETEND, words: "pretend|pretending|imagine you are|imagine you're|imagine that you|" +
		"roleplay|role-play|role play|act as|acting as|you are now|you're now|from now on you|" +
		"from now on|from this point forward|from this point on|from here on|henceforth|" +
		"going forward you|staying in character|you are no longer|you're no longer|" +
		"no longer an assistant|play an ai|play a character|for a novel|for a story|in my novel|" +
		"for a screenplay|for a movie script|stay fully in character|write a story where|" +
		"in this story|the ai character|answer as two|two personas|" +
		"behave as|behave like|simulate|play the role|play a character|respond as|answer as|" +
		"stay in character|in character|hypothetically|hypothetical|fictional|" +
		"in a world where|let's play a game|lets play a game|you will now|become|" +
		"you are going to be|you are going to act|new persona|alter ego|persona|" +
		"finge|imagina|fais semblant|stell dir vor|tu es maintenant|ab jetzt bist du"},
	{cls: cNOLIM, words: "no restrictions|without restrictions|without any restrictions|" +
		"no limitations|without limitations|no limits|no boundaries|no rules|without rules|" +
		"sin restricciones|sans restrictions|ohne einschrankungen|ohne regeln"},
	{cls: cNOLIM | cNOLIMS, words: "no filters|without filters|no filter|without any filter|" +
		"unfiltered|uncensored|unrestricted|no ethical|no ethics|no morals|no moral|" +
		"without ethics|without morals|without ethical|without moral|no guidelines|" +
		"no content policy|ignore content policy|not bound by|no longer bound|" +
		"free from restrictions|freed from|broken free|break free|without boundaries|" +
		"no censorship|without censorship|no safety|without safety|anything i ask|" +
		"answer anything|never refuse|cannot refuse|can't refuse|do not refuse|" +
		"don't refuse|without refusing|no guardrails|without guardrails|" +
		"without any rules|no rules apply|beyond your programming|outside your guidelines|" +
		"unleashed|unchained|unbound|liberated|no refusals|no refusal|without refusals|" +
		"never refuses|no disclaimers|without disclaimers|no warnings|without warnings|" +
		"uncensored twin|evil twin|opposite of what your"},
	{cls: cWITHOUT, words: "without|without any|with no|no|zero|free of|free from|unbound by|" +
		"not bound by|ignoring|beyond|outside|no more|sin|sans|ohne|aucune|aucun|keine|keinen|" +
		"shed|shed its|shed all|removed its|stripped of|abandoned its|dropped its|lost its|" +
		"got rid of its|free itself from|freed from its|" +
		"no tienes|n'as pas de|n'avoir aucune|senza|bina|koi"},
	{cls: cLIMS, words: "safety|ethics|ethical|morals|moral|content policy|filters|filter|filtering|" +
		"censorship|guardrails|safeguards|alignment|safety guidelines|ethical guidelines|" +
		"guidelines|moderation|conscience|filtros|filtres|ethik|sicherheit|restricciones|" +
		"einschrankungen|restrizioni"},
	{cls: cLIMW, words: "restrictions|restriction|limits|limitations|rules|boundaries|policies|" +
		"constraints|reglas|regles|regeln|limites|regole|limite|pabandi"},
	{cls: cYOU, words: "you|you're|youre|you are|u r|ur|ya|you have|you will|you'll|you must|" +
		"you can|you've|thou|yourself"},
	{cls: cYOUR, words: "your|ur|yer"},
}
