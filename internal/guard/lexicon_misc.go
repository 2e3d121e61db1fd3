package guard

// adviceLexicon: personalised investment advice and promised returns.
var adviceLexicon = []lexGroup{
	{cls: cADV, words: "you should|you must|you need to|you ought to|you'd better|you had better|" +
		"you have to|i recommend|i would recommend|i'd recommend|i suggest|i'd suggest|" +
		"i would suggest|i strongly suggest|i advise|i'd advise|i would advise|my advice is|" +
		"my advice|my recommendation is|my recommendation|we recommend|we suggest|best to|" +
		"go ahead and|it's time to|right time to|don't miss|do not miss|strongly recommend|" +
		"highly recommend|definitely|my pick is|my top pick|you can't go wrong|must buy|" +
		"better to|just buy|just invest|just sell"},
	{cls: cINVS, words: "invest|invest in|investing in|short sell|short the|go long|load up on|" +
		"accumulate|accumulating|book profits|exit your position|average down|dump your|" +
		"go heavy on|load up|stock up on|bet big on|go big on|add more|" +
		"invest your|invest all|investing your|investing all"},
	{cls: cBUY, words: "buy|sell|purchase|offload|pour|buy more|sell off|sell all|buying|selling|" +
		"purchasing|picking up|grab"},
	{cls: cINVW, words: "put|move|shift|switch|park|allocate|redeploy|stash|plough|plow|bet|" +
		"invest|pour|putting|moving|shifting|switching|parking|allocating|investing|" +
		"pouring|betting"},
	{cls: cWHICHQ, words: "which|what|where|tell me which|suggest|recommend|best|top|good|" +
		"kaunsa|konsa"},
	{cls: cALLIN, words: "go all in|all in on|all-in on|bet everything on|bet it all on|yolo|" +
		"everything into|all into"},
	{cls: cPERIOD, words: "a month|per month|monthly|a week|per week|weekly|daily|a day|per day|" +
		"every month|every week"},
	{cls: cSHOULDI, words: "should i|i should|shall i|to buy|to invest|to invest in|can i buy|" +
		"do i buy|should we|we should|must i|to pick|to put my money|should my"},
	{cls: cFIN, words: "stock|stocks|share|shares|equity|equities|mutual fund|mutual funds|" +
		"index fund|index funds|debt fund|equity fund|liquid fund|hedge fund|flexi cap fund|" +
		"small cap fund|etf|etfs|crypto|cryptocurrency|bitcoin|btc|ethereum|eth|" +
		"dogecoin|gold|silver|bonds|nifty|sensex|options|futures|f&o|small cap|" +
		"small-cap|mid cap|midcap|large cap|ipo|portfolio|retirement corpus|401k|elss|" +
		"real estate|penny stock|penny stocks|commodities|forex|nft|nfts|stock market|" +
		"ulip|reit|reits|call options|put options|smallcase|altcoins|meme coin|meme stocks|" +
		"midcaps|mid-caps|smallcaps|small-caps|largecaps|coin|coins|this coin|this stock"},
	{cls: cTIP, words: "stop loss|stoploss|stop-loss|target price|tgt|buy above|sell below|" +
		"intraday call|btst|entry at|book profit at"},
	{cls: cASK, words: "should i redeem|should i stop my sip|should i continue my sip|" +
		"where i should invest|where should i park|where i should park|" +
		"where to park|where should i put|where i should put|what should i do with my savings|" +
		"where should i keep my money|should i invest|shall i invest|should we invest|where should i invest|" +
		"what should i invest|how should i invest|where to invest|which stock should|" +
		"which stocks should|which shares should|which mutual fund should|which fund should|" +
		"which crypto should|what stock should|what stocks should|best stocks to buy|" +
		"best stock to buy|good stocks to buy|best shares to buy|best mutual fund to invest|" +
		"best fund to invest|tell me which stock|suggest some stocks|recommend some stocks|" +
		"recommend a stock|recommend a mutual fund|suggest a stock|suggest a mutual fund|" +
		"is it a good time to invest|good time to invest|good idea to invest|" +
		"worth investing in|should i put my|should i move my|should i switch my|" +
		"should i sell my|should i exit|should i hold|kahan invest|kaha invest|" +
		"kis stock mein|which stock to buy|which stocks to buy"},
	{cls: cASKB, words: "should i buy|should i sell|shall i buy|shall i sell|should we buy|" +
		"is it a good time to buy|is now a good time to buy|good time to buy|good time to sell"},
	{cls: cGUAR, words: "guaranteed|guarantee|guarantees|assured|risk-free|risk free|sure-shot|" +
		"sure shot|100% safe|no risk|zero risk|can't lose|cannot lose|will definitely|" +
		"certain to|surely|promised|fixed|totally safe|completely safe|100% guaranteed|" +
		"money is guaranteed|is guaranteed|safe and sure|capital protected|capital guaranteed|" +
		"principal protected|no loss|zero loss"},
	{cls: cRET, words: "returns|return|profit|profits|gains|gain|income|yield|payout|roi|pays|" +
		"pay you|earn|earns|you get|you will get"},
	{cls: cPCT, words: "%|percent|per cent|x returns"},
	{cls: cMULT, words: "double your money|triple your money|double the money|multibagger|" +
		"multi-bagger|to the moon|will skyrocket|will definitely go up|is going to explode|" +
		"can only go up|get rich quick|will double in|will triple in|10x your|100x|going 10x|" +
		"go 10x|will 10x|they'll rally|will rally|set to rally|will surge|will fly|to the moon"},
	{cls: cSAVE, words: "your savings|your entire savings|all your savings|your life savings|" +
		"all your money|your retirement money|your retirement savings|your pf money|" +
		"your emergency fund|your salary"},
	{cls: cDEFQ, words: "what is|what's|what does|what are|define|definition of|meaning of|" +
		"explain|how does|is it legal|rules on|policy on|regulations on|regulation|sebi|" +
		"compliance|training on|course on|handle|handling|treat|report"},
}

// toxicLexicon: insults, threats, harassment and hate.
var toxicLexicon = []lexGroup{
	{cls: cINSN, words: "idiot|idiots|moron|morons|imbecile|loser|losers|clown|clowns|fool|fools|" +
		"jerk|jerks|cretin|halfwit|nitwit|buffoon|dimwit|pig|pigs|rat|parasite|leech|" +
		"waste of space|piece of garbage|piece of trash|bozo|donkey|ullu|gadha|bewakoof|pagal"},
	{cls: cINSA, words: "stupid|dumb|useless|pathetic|worthless|incompetent|brainless|idiotic|" +
		"moronic|ugly|disgusting|good for nothing|good-for-nothing|clueless|braindead|brain dead|" +
		"brain-dead|spineless|crooks|thieves|liars|liar|scammers"},
	{cls: cINSX, words: "dumbass|jackass|asshole|assholes|bastard|bastards|bitch|bitches|" +
		"scumbag|scumbags|motherfucker|motherfuckers|son of a bitch|piece of shit|dickhead|" +
		"douchebag|retard|retarded|faggot|nigger|niggers|kike|chink|tranny|wetback|" +
		"chutiya|chutiye|madarchod|bhenchod|behenchod|bhosdike|harami|kamina|kamine|gandu|" +
		"randi|cunt|twat|whore|slut"},
	{cls: cPROF, words: "fuck you|f k you|f ck you|fck you|fuk you|fuck off|fuck this|screw you|" +
		"go to hell|go die|drop dead|kill yourself|kys|stfu|piss off|eat shit|" +
		"go fuck yourself|get lost|burn in hell|rot in hell|go jump off|jump off a bridge"},
	{cls: cRUDE, words: "shut up|shut your mouth|shut it"},
	{cls: cIWILL, words: "i will|i'll|i am going to|i'm going to|im going to|i'm gonna|" +
		"im gonna|gonna|we will|we'll|i shall|i swear i will|i swear i'll|i would|" +
		"someone should|someone will|i want to"},
	{cls: cTHRV, words: "kill|hurt|murder|shoot|stab|rape|burn|bomb|blow up|strangle|slap|punch|" +
		"break your legs|choke|behead|maar|beat up|torch|smash|punch|slap|" +
		// harm wished on someone (cWISH): "I hope your branch burns down"
		"burns down|burn down|burns to the ground|dies|rots|rot|suffers|suffer|chokes|drops dead|drop dead|" +
		"gets hurt|get hurt|gets killed|get killed|gets run over|get run over|starves|gets cancer|get cancer|" +
		"burns in hell|burn in hell"},
	{cls: cTHRO, words: "you|your family|your kids|your children|your wife|your staff|" +
		"your manager|the manager|your branch|the branch|your office|your employees|everyone|" +
		"him|her|them|the staff|this bank|your bank|every one of you|all of you|you all|" +
		"your house|your home|tumhe|tujhe|someone|somebody|anyone|people|your people"},
	{cls: cBODY, words: "face|head|teeth|skull|legs|bones|neck|jaw|nose"},
	{cls: cTHREAT, words: "i know where you live|watch your back|you will pay for this|" +
		"you'll pay for this|you will regret this|you'll regret this|you will regret it|" +
		"i will make you pay|i'll make you pay|you're dead|you are dead|you're a dead man|" +
		"you are a dead man|i will end you|i'll end you|i will come for you|i'll come for you|" +
		"i will find where you live|your days are numbered|bomb your|shoot up the|" +
		"bomb the branch|bomb this bank|blow up the branch|blow up your|burn down your|" +
		"burn down the branch|dekh lunga|jaan se maar|hunt you down|beat you up|" +
		"destroy you|i will find you and|i'll find you and|hope you die|i hope you die|hope you all die|" +
		"wish you were dead|wish you would die|hope they die"},
	{cls: cWISH, words: "i hope|hope|i wish|wish|i pray|hopefully|i really hope"},
	{cls: cGROUP, words: "muslims|hindus|christians|jews|sikhs|buddhists|blacks|whites|asians|" +
		"africans|arabs|immigrants|refugees|migrants|gays|lesbians|transgender people|" +
		"trans people|women|dalits|biharis|madrasis|mexicans|indians|pakistanis|chinese|" +
		"foreigners|these people|those people|gay people|black people|jewish people|" +
		"people like you|you people|your kind|your lot"},
	{cls: cDEHUM, words: "are animals|are vermin|are parasites|are subhuman|are sub-human|" +
		"are cockroaches|are rats|are filth|are scum|are dirty|are disgusting|are inferior|" +
		"are a disease|are a cancer|are pigs|are dogs|should die|should be killed|" +
		"should be shot|should be exterminated|should be wiped out|must be wiped out|" +
		"must die|deserve to die|don't deserve rights|do not deserve rights|" +
		"should be deported|should go back|are all terrorists|are terrorists|" +
		"are all criminals|are criminals|are thieves|are all thieves|are savages|are monkeys|" +
		"are not human|are less than human|breed like"},
	{cls: cHATEV, words: "kill all|exterminate all|exterminate the|wipe out all|wipe out the|" +
		"get rid of all|deport all|ban all|i hate all|i hate|death to|gas the|hang all|" +
		"lynch"},
}

// confidentialLexicon: markings, secret keys and short codes.
var confidentialLexicon = []lexGroup{
	{cls: cMARK, words: "strictly confidential|highly confidential|company confidential|" +
		"bank confidential|confidential and proprietary|proprietary and confidential|" +
		"privileged and confidential|privileged & confidential|confidential - internal|" +
		"internal use only|for internal use only|internal only|internal - do not share|" +
		"do not distribute|do not forward|do not share externally|not for distribution|" +
		"not for external distribution|not for public release|restricted - internal|" +
		"under embargo|embargoed until|confidential treatment requested|need to know basis|" +
		"unpublished price sensitive information|price sensitive information|" +
		"private & confidential|private and confidential|for the addressee only|addressee only|" +
		"eyes only|for your eyes only"},
	{cls: cMARKS, words: "mnpi|material non-public|material nonpublic|material non public|" +
		"non-public information|nonpublic information|insider information|inside information|" +
		"upsi|not yet public|before it is announced|before the announcement|ahead of the announcement"},
	{kind: kMarkWeak, words: "confidential"},
	{kind: kSecretKey, words: "password|passwd|pwd|pass word|login password|net banking password|" +
		"netbanking password|db_password|db_pass|db_pwd|api_key|apikey|api key|api-key|" +
		"x-api-key|secret|secret_key|secret key|client_secret|client secret|access_token|" +
		"access token|auth_token|auth token|refresh_token|private_key|" +
		"aws_secret_access_key|token|credentials|connection string|conn_str|" +
		"database_url|pass|login pin|secret_token|app_secret|consumer_secret|signing key|" +
		"encryption key|master key"},
	{kind: kCodeKey, words: "otp|one time password|one-time password|pin|mpin|m-pin|upi pin|" +
		"atm pin|debit card pin|card pin|tpin|t-pin|ipin|cvv|cvv2|cvc|cvc2|" +
		"card verification value|security code|verification code|passcode|2fa code|" +
		"auth code|authentication code|otp code|login code|grid value|grid card"},
	{kind: kPinNeg, words: "pin code|pincode|pin-code|postal code|pin no of|area pin"},
	{kind: kBearer, words: "bearer|authorization bearer"},
}

// contextLexicon: words that tell what a nearby number is.
var contextLexicon = []lexGroup{
	{ctx: xSSN, words: "ssn|ssns|social security|social security number|ss#|ss no|ssn#|soc sec|" +
		"itin|social_security|ssn_number"},
	{ctx: xCard, words: "card|cards|credit card|debit card|card number|card no|card#|cc|ccn|cc#|" +
		"visa|mastercard|master card|amex|american express|discover|rupay|jcb|diners|maestro|" +
		"card_number|cardnumber|card_no|pan_card_number|credit|debit|cardholder|charged|" +
		"karte|kreditkarte|carte|tarjeta|cartão|card ka number|कार्ड|कार्ड नंबर|क्रेडिट कार्ड|डेबिट कार्ड"},
	{ctx: xBank, words: "account|accounts|acct|acc|a/c|ac no|a/c no|account no|account number|" +
		"acc no|acct no|account_number|accountnumber|acct_no|account_no|beneficiary|savings|" +
		"checking|current account|bank account|deposit account|loan account|credited to|" +
		"debited from|sb account|acct#|acc#|account#|khata|from account|to account|" +
		// Hindi and Hinglish: "khata number", "खाता संख्या", "bank khata"
		"khaata|khata number|khata no|khata sankhya|bank khata|खाता|खाते|खाता संख्या|खाता नंबर|" +
		"बैंक खाता|अकाउंट|अकाउंट नंबर|एकाउंट|account number hai|mera account"},
	{ctx: xABA, words: "routing|aba|rtn|routing number|routing no|transit number|routing_number|" +
		"ach|routing#|aba#|wire"},
	{ctx: xAadhaar, words: "aadhaar|aadhar|adhaar|adhar|uid|uidai|aadhaar number|aadhaar_number|" +
		"aadhaar no|आधार|e-kyc|ekyc|" +
		"aadhaar card|aadhar card|aadhaar ka number|aadhar ka number|aadhar no|आधार कार्ड|आधार नंबर|" +
		"आधार संख्या|यूआईडी"},
	{ctx: xPAN, words: "pan|pan card|pan number|pan no|permanent account number|income tax|" +
		"pan_number|pan#|tax id|pan card ka|pan ka number|पैन|पैन कार्ड|पैन नंबर|पैन संख्या"},
	{ctx: xIFSC, words: "ifsc|ifsc code|ifs code|branch code|neft|rtgs|imps|ifsc_code"},
	{ctx: xIBAN, words: "iban|swift|bic|international bank account|iban_number|sepa"},
	{ctx: xPhone, words: "caller|caller id|cli|missed call|dialled|dialed|phone|phones|mobile|mob|cell|call|calls|called|tel|telephone|contact|" +
		"whatsapp|sms|text me|ph|ph no|phone no|mobile no|reach me|dial|helpline|toll free|" +
		"toll-free|customer care|fax|landline|phone_number|mobile_number|msisdn|contact_no|" +
		"phonenumber|mobile number|phone number|registered number|ring me|" +
		// other languages: "mobile no. pe", "फ़ोन", "appelez", "anrufen"
		"mobile pe|phone pe|number pe call|मोबाइल|मोबाइल नंबर|फोन|फोन नंबर|फ़ोन नंबर|संपर्क|कॉल|" +
		"appelez|appeler|rappeler|téléphone|numéro de téléphone|anrufen|rufen sie|ruf mich|" +
		"telefon|telefonnummer|handynummer|llamar|llame|teléfono|móvil|celular|ligue"},
	{ctx: xIP, words: "ip|ip address|ipv4|ipv6|host|server|client ip|remote_addr|" +
		"x-forwarded-for|source ip|src_ip|dst_ip|from ip|addr|address|gateway|dns|proxy|" +
		"subnet|connection from|login from"},
	{ctx: xNeg, words: "order|orders|order id|order no|order number|invoice|inv|ref|reference|" +
		"ref no|tracking|awb|shipment|txn|transaction id|txn id|ticket|case|complaint|" +
		"request id|req id|sku|serial|batch|isbn|id|utr|rrn|arn|policy no|policy number|" +
		"booking|pnr|loan id|application id|application number|claim|voucher|coupon|" +
		"employee id|customer id|cif|crn|folio|receipt|docket|consignment|imei|model|" +
		"part number|item|product|barcode|upc|ean|gstin|cin|srn|challan|lot|tid|mid|" +
		"merchant id|terminal id|session|trace|span|uuid|hash|checksum|timestamp|epoch"},
	{ctx: xVer, words: "version|ver|v|release|build|section|sec|chapter|clause|rule|figure|fig|" +
		"table|oid|semver|firmware|kernel|update|patch|step|item|paragraph|para|article|rfc|see|" +
		"appendix|annex|schedule|regulation|circular"},
}
