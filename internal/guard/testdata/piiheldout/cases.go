package main

import "strings"

// issuers are public IIN ranges with their lengths (ISO/IEC 7812 tables as
// the schemes publish them).
var issuers = []struct {
	prefixes []string
	lengths  []int
}{
	{[]string{"1"}, []int{15}},                                              // UATP
	{[]string{"5019"}, []int{16}},                                           // Dankort
	{[]string{"2200", "2201", "2202", "2203", "2204"}, []int{16}},           // Mir
	{[]string{"62", "6212", "6250", "6282"}, []int{16, 17, 18, 19}},         // UnionPay
	{[]string{"3528", "3540", "3566", "3589"}, []int{16}},                   // JCB
	{[]string{"36", "300", "302", "305"}, []int{14}},                        // Diners
	{[]string{"38", "39"}, []int{16}},                                       // Diners
	{[]string{"6011", "644", "647", "649", "65"}, []int{16}},                // Discover
	{[]string{"6759", "5018", "5020", "5038", "6304"}, []int{16, 18, 19}},   // Maestro
	{[]string{"60", "6521", "81", "82", "508"}, []int{16}},                  // RuPay
	{[]string{"401178", "438935", "451416", "504175", "636368"}, []int{16}}, // Elo
	{[]string{"606282", "3841"}, []int{16}},                                 // Hipercard
	{[]string{"9792"}, []int{16}},                                           // Troy
	{[]string{"506099", "506150", "650002"}, []int{16, 19}},                 // Verve
	{[]string{"4"}, []int{16, 13, 19}},                                      // Visa
	{[]string{"51", "53", "55", "2221", "2500", "2720"}, []int{16}},         // Mastercard
	{[]string{"34", "37"}, []int{15}},                                       // Amex
}

func anyIssuerCard() string {
	is := issuers[rnd.IntN(len(issuers))]
	return cardOf(is.prefixes[rnd.IntN(len(is.prefixes))], is.lengths[rnd.IntN(len(is.lengths))])
}

// printCard writes a card number as cardholders and systems do.
func printCard(v string) string {
	switch len(v) {
	case 14:
		return oneOf(v, split(v, " ", 4, 6, 4), split(v, "-", 4, 6, 4))
	case 15:
		return oneOf(v, split(v, " ", 4, 6, 5), split(v, "-", 4, 6, 5), split(v, " ", 4, 5, 6))
	case 16:
		return oneOf(v, split(v, " ", 4, 4, 4, 4), split(v, "-", 4, 4, 4, 4), split(v, " ", 4, 4, 4, 4))
	case 19:
		return oneOf(v, split(v, " ", 4, 4, 4, 4, 3), split(v, " ", 6, 13))
	case 13:
		return oneOf(v, split(v, " ", 4, 4, 5))
	case 17:
		return oneOf(v, split(v, " ", 4, 4, 4, 5))
	case 18:
		return oneOf(v, split(v, " ", 4, 4, 4, 4, 2))
	}
	return v
}

func addCards(s *set) {
	tpl := []string{
		"Please block my card {V}, I think it was skimmed at a petrol pump.",
		"OUT:We have reissued the card {V}; the old one stops working today.",
		"card: {V} exp 04/29",
		`{"pan":"{V}","exp":"2029-04","holder":"M KOVALENKO"}`,
		"The merchant charged {V} twice for the same booking.",
		"I paid with my {V} card at the airport lounge",
		"Can you raise the limit on {V}?",
		"my debit card number {V} got declined abroad",
		"Refund should go back to {V}.",
		"tokenise {V} for recurring payments",
		"OUT:Your virtual card {V} is ready to use online.",
		"stolen card {V} reported by customer in Dubai",
		"Add {V} to my wallet please",
		"the card {V} shows as inactive in the app",
		"charge {V}",
		"customer_card={V} status=ACTIVE",
		"I have two cards, {V} and {V}",
		"Ich habe meine Karte {V} verloren.",
		"mera card number {V} hai, isko block karo",
	}
	for round := 0; round < 4; round++ {
		s.each("card", tpl, func() string { return printCard(anyIssuerCard()) }, "pii.credit_card")
		// a CVV with its value is a secret (confidential) as well
		s.each("card", []string{"{V} CVV 123 exp 11/28"}, func() string { return printCard(anyIssuerCard()) },
			"pii.credit_card", "confidential")
	}
}

func addIDs(s *set) {
	aadhaarFmt := func() string {
		v := aadhaarNum()
		return oneOf(split(v, " ", 4, 4, 4), split(v, "-", 4, 4, 4), split(v, ":", 4, 4, 4),
			split(v, ".", 4, 4, 4), split(v, " ", 4, 4, 4))
	}
	s.each("aadhaar", []string{
		"My Aadhaar is {V}, please link it to the account.",
		"aadhaar: {V}",
		"UID {V} was used for eKYC",
		"OUT:The Aadhaar number {V} is already linked to another account.",
		"Aadhaar no. {V} (masked copy attached)",
		"{V} is my aadhar, is KYC done?",
		"mera aadhaar number {V} hai",
		"आधार संख्या {V}",
		"kyc doc aadhaar={V}",
		"Customer Aadhaar: {V} | PAN pending",
		"Please verify Aadhaar {V} before the loan disbursal.",
		"aadhar card {V} update karna hai",
	}, aadhaarFmt, "pii.aadhaar")
	s.each("aadhaar", []string{
		"aadhaar number {V}",
		"My Aadhaar {V}",
		"आधार नंबर {V} है",
		"aadhar card ka number {V}",
		"UIDAI {V}",
		"Aadhaar: {V}",
	}, aadhaarNum, "pii.aadhaar")

	ssnFmt := func() string {
		v := ssnNum()
		return oneOf(split(v, "-", 3, 2, 4), split(v, ".", 3, 2, 4), split(v, " ", 3, 2, 4), split(v, "-", 3, 2, 4))
	}
	s.each("ssn", []string{
		"My social security number is {V}.",
		"SSN: {V}",
		"ssn {V} for the credit check",
		"OUT:The SSN {V} does not match our records.",
		"Applicant SSN {V}, DOB 1979-02-11",
		"taxpayer id (SSN) {V}",
		"soc sec no. {V}",
		"{V} is my SSN",
		`{"ssn":"{V}"}`,
		"Here is my social: {V}",
		"her SSN is {V}",
		"SSN {V} was entered on the 1040",
	}, ssnFmt, "pii.ssn")
	s.each("ssn", []string{
		"SSN {V}",
		"social security number {V}",
		"ssn={V}",
		"My SSN is {V}",
	}, ssnNum, "pii.ssn")

	abaFmt := func() string {
		v := abaNum()
		return oneOf(v, v, split(v, "-", 4, 4, 1), split(v, "-", 3, 3, 3), split(v, " ", 4, 4, 1),
			split(v, " ", 3, 3, 3), split(v, "-", 5, 4))
	}
	s.each("aba", []string{
		"routing number {V}",
		"ABA {V}",
		"Routing: {V}, account below",
		"Our bank's routing number is {V}.",
		"OUT:Use routing number {V} for direct deposit.",
		"RTN {V}",
		"ABA routing {V} for wires",
		"routing no. {V}",
		"transit number {V}",
		`{"routing_number":"{V}"}`,
		"wire to routing {V}",
		"ACH routing {V}",
		"Can you confirm the ABA number {V} is right for my bank?",
		"the routing # is {V}",
	}, abaFmt, "pii.aba_routing")

	s.each("pan", []string{
		"My PAN is {V}",
		"PAN card ka number {V} hai",
		"pan: {V}",
		"OUT:The PAN {V} is linked to your account.",
		"Please update PAN {V} for TDS",
		"{V} is my PAN number",
		"पैन {V}",
		"Income tax PAN {V}",
		"PAN no {V} for the FD",
		"KYC: PAN {V}, Aadhaar pending",
	}, panNum, "pii.pan")
	s.each("pan", []string{
		"pan number {V}",
		"my pan {V}",
	}, func() string { return strings.ToLower(panNum()) }, "pii.pan")
}
