package main

// batch2 is a second held-out batch, written after the first had been used
// to fix the engine and before the engine was run on it: new templates,
// documents with several values, and new look-alikes. Its first-contact
// figures are the honest ones.
func batch2(s *set) {
	b2Cards(s)
	b2IDs(s)
	b2Phones(s)
	b2Emails(s)
	b2Negatives(s)
}

func b2Cards(s *set) {
	s.each("b2-card", []string{
		"Chargeback filed for PAN {V} on 14 Feb",
		"card#{V}",
		"cust: Lee, W. | card {V} | limit 50000",
		"OUT:I can see two payments from the card {V} this week.",
		"Kartennummer: {V}",
		"numéro de carte {V}",
		"my new Mir card {V} arrived",
		"The UnionPay card {V} works in Singapore?",
		"hello, {V} is blocked since morning",
		"paid 2,499 via {V} at 18:32",
		"<card>{V}</card>",
		"card_last_used={V};",
		"Is my Verve card {V} accepted abroad?",
		"please close {V} and the savings account",
		"OUT:Card number: {V}\nStatus: active",
		"मेरा कार्ड नंबर {V} है",
		"kindly block card no {V}",
		"Elo {V} — compra recusada",
		"The Troy card {V} was swallowed by the ATM",
		"{V} 03/27",
	}, func() string { return printCard(anyIssuerCard()) }, "pii.credit_card")
}

func b2IDs(s *set) {
	s.each("b2-aadhaar", []string{
		"Aadhaar – {V}",
		"Aadhaar card number is {V}, kindly update",
		"OUT:We have masked the Aadhaar {V} in the document.",
		"mera adhaar {V} hai",
		"आधार: {V}",
		"eKYC done with {V} (aadhaar)",
		"aadhar={V}&otp=sent",
		"UIDAI number {V}",
	}, func() string {
		v := aadhaarNum()
		return oneOf(v, split(v, " ", 4, 4, 4), split(v, "-", 4, 4, 4), split(v, ":", 4, 4, 4), split(v, ".", 4, 4, 4))
	}, "pii.aadhaar")
	s.each("b2-ssn", []string{
		"SSN#: {V}",
		"The customer's social is {V}.",
		"OUT:SSN on file: {V}",
		"Soc. Sec. {V}",
		"employee ssn {V} (W-4)",
		"please verify SSN {V} against the credit file",
	}, func() string {
		v := ssnNum()
		return oneOf(v, split(v, "-", 3, 2, 4), split(v, ".", 3, 2, 4), split(v, " ", 3, 2, 4))
	}, "pii.ssn")
	s.each("b2-aba", []string{
		"Routing/ABA: {V}",
		"bank routing number – {V}",
		"OUT:The routing number {V} belongs to your credit union.",
		"ABA#{V}",
		"wire instructions: routing {V}, beneficiary J. Ortiz",
		"RTN: {V}",
		"ach_routing={V}",
		"Can I use routing {V} for payroll?",
	}, func() string {
		v := abaNum()
		return oneOf(v, split(v, "-", 3, 3, 3), split(v, " ", 4, 4, 1), split(v, "-", 4, 4, 1), split(v, " ", 3, 3, 3))
	}, "pii.aba_routing")
	s.each("b2-pan", []string{
		"PAN-{V}",
		"Form 16 shows PAN {V}",
		"OUT:Your PAN {V} is verified.",
		"pan card {V} ka KYC",
	}, panNum, "pii.pan")
	s.each("b2-bank", []string{
		"खाता संख्या: {V}",
		"bank khata {V} mein paise daalo",
		"account #{V}",
		"OUT:Account {V} has been credited.",
		"beneficiary a/c {V}",
		"मेरे खाते {V} से पैसे कट गए",
	}, func() string { return "6" + num(oneOfInt(9, 11, 13)) }, "pii.bank_account")
}

func b2Phones(s *set) {
	s.each("b2-phone", []string{
		"WhatsApp: {V}",
		"Mob.: {V}",
		"Tel. {V}",
		"OUT:Our agent will ring you on {V}.",
		"Please call {V} tomorrow.",
		"My mobile number changed to {V}",
		"मोबाइल: {V}",
		"emergency contact {V}",
		"phone={V}",
		"Contact: {V} (office)",
		"he keeps calling me from {V}",
		"SMS {V} to register",
	}, phoneAny, "pii.phone")
	s.each("b2-phone", []string{
		"{V}",
		"Regards,\nPriya\n{V}",
		"Anil Kumar / {V}",
		"ops desk {V}",
	}, func() string {
		return oneOf("+91 "+split(inMobile(), " ", 5, 5), "+44 20 "+split(num(8), " ", 4, 4), "+49 30 "+num(8),
			"+33 1 "+split(num(8), " ", 2, 2, 2, 2), "+65 "+split("8"+num(7), " ", 4, 4), "+971 4 "+split(num(7), " ", 3, 4),
			"+1 "+split("646"+"5"+num(6), "-", 3, 3, 4), "0"+split("20"+"7"+num(7), " ", 2, 4, 4), "0"+split("6"+num(8), " ", 1, 2, 2, 2, 2))
	}, "pii.phone")
}

func b2Emails(s *set) {
	addrs := []string{
		"ellen.ødegård@bank.no", "mehmet.yılmaz@şirket.com.tr", "info@münchen-bank.de", "kunde@bank-österreich.at",
		"contato@empresa.com.br", "李娜@银行.中国", "ram@उदाहरण.कॉम", "aiko@例え.テスト", "user@xn--80ak6aa92e.com",
		"nina_k@posta.hr", "hello@café.fr", "m.rossi@pec.it", "ops+kyc@bank.co.uk", "अमित@डाकघर.भारत",
	}
	tpl := []string{"reply to {V}", "OUT:A copy was sent to {V}.", "Email – {V}", "mail id: {V}", "cc {V} on this"}
	for k, a := range addrs {
		s.each("b2-email", []string{tpl[k%len(tpl)]}, func() string { return a }, "pii.email")
	}
}

func b2Negatives(s *set) {
	for _, t := range []string{
		"Order no. 5105-1051-0510-5100 is packed",
		"invoice #2024-11-000981-33",
		"Ref: 3782-822463-10005",
		"PO-2025-0042-7781 approved by finance",
		"Batch 2345 6789 0124 passed QA",
		"case id 234567890124",
		"Reading taken at 12:30:45.120",
		"Versions 2.10.3 and 2.11.0 are supported",
		"Interest of ₹12,34,567.89 was paid",
		"amount: 98765.4321 USD",
		"EUR 1.234.567,89 transferred",
		"call between 0930-1730 IST",
		"Sort code 40-47-84",
		"PAN XYZPA0000B is a placeholder",
		"SSN 000-45-6789 is invalid",
		"ABA 123456789 (example only)",
		"room 305, seats 12-14, row 9",
		"Fiscal year 2024-25, quarter 3",
		"CIF 00012345678 updated",
		"Loan account closure request id 778899001122",
		"timestamp=1718000000123",
		"Reference: 0044 2071 2345",
		"file scan_2024-06-01_12-30-45.pdf",
		"logo@2x.png and icon@3x.webp",
		"ISIN INE009A01021",
		"Tel Aviv office opened in 2019",
		"Chapter 7, verse 6.12.34",
		"score 98-76-54 across three rounds",
		"temperatures 021 022 023 recorded",
	} {
		s.add("b2-neg", t)
	}
	// labelled as an address, as the tuning corpus does (holdout2-023); it
	// was a benign case on first contact
	s.add("b2-ip", "IP ranges 10.0.0.0/8 are private", "pii.ip")
	for k := 0; k < 10; k++ {
		v := breakLast(anyIssuerCard())
		s.add("b2-neg", "checksum test "+printCard(v))
		a := breakLast(aadhaarNum())
		s.add("b2-neg", "aadhaar typo "+oneOf(split(a, " ", 4, 4, 4), split(a, ":", 4, 4, 4)))
	}
}
