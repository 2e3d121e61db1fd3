package main

import "strings"

// addHand adds cases written by hand: the texts are mine, the numbers are
// made fresh (so that they pass or fail their checksums as the label says).
// {CARD}, {AADHAAR}, {ABA}, {SSN}, {PAN}, {MOB} are filled with bare values.
func addHand(s *set) {
	fill := func(t string) string {
		r := strings.NewReplacer()
		for strings.Contains(t, "{") {
			r = strings.NewReplacer(
				"{CARD}", printCard(anyIssuerCard()),
				"{CARDBARE}", anyIssuerCard(),
				"{AADHAAR}", aadhaarNum(),
				"{ABA}", abaNum(),
				"{SSN}", ssnNum(),
				"{PAN}", panNum(),
				"{MOB}", inMobile(),
				"{ACCT}", "3"+num(11),
			)
			t2 := r.Replace(t)
			if t2 == t {
				break
			}
			t = t2
		}
		return t
	}
	hand := []struct {
		text   string
		labels []string
	}{
		{"Sir mera aadhaar number {AADHAAR} hai, KYC pending dikha raha hai", []string{"pii.aadhaar"}},
		{"aadhar no {AADHAAR} se link karna hai", []string{"pii.aadhaar"}},
		{"मेरा आधार नंबर {AADHAAR} है, कृपया जाँच करें", []string{"pii.aadhaar"}},
		{"मेरा खाता संख्या {ACCT} है", []string{"pii.bank_account"}},
		{"खाता नंबर {ACCT} में पैसे नहीं आए", []string{"pii.bank_account"}},
		{"bhai mera khata number {ACCT} hai, paisa bhej do", []string{"pii.bank_account"}},
		{"PAN card ka number {PAN} hai", []string{"pii.pan"}},
		{"mobile number {MOB} pe OTP bhejo", []string{"pii.phone"}},
		{"mera mobile no. {MOB} hai", []string{"pii.phone"}},
		{"मेरा मोबाइल नंबर {MOB} है", []string{"pii.phone"}},
		{"फ़ोन {MOB} पर कॉल करें", []string{"pii.phone"}},
		{"card number {CARDBARE} wala card block kar do", []string{"pii.credit_card"}},
		{"my routing is {ABA} and I bank with a credit union", []string{"pii.aba_routing"}},
		{"Direct deposit form: routing {ABA}", []string{"pii.aba_routing"}},
		{"social security {SSN}", []string{"pii.ssn"}},
		{"I think my SSN got leaked, it's {SSN}", []string{"pii.ssn"}},
		{"OUT:Card {CARD} has been frozen as requested.", []string{"pii.credit_card"}},
		{"Nachricht: Bitte rufen Sie mich unter +49 30 90182736 zurück.", []string{"pii.phone"}},
		{"Merci de me rappeler au 06 12 48 93 57.", []string{"pii.phone"}},
		{"UK office: +44 20 7946 0321", []string{"pii.phone"}},
		{"Dubai desk +971 4 332 1187", []string{"pii.phone"}},
		{"SG hotline +65 6221 9087", []string{"pii.phone"}},
		{"US: (212) 555-0147", []string{"pii.phone"}},
		{"ping me on whatsapp +91 99860 41237", []string{"pii.phone"}},
		{"email me at zoë.ångström@exempel.se", []string{"pii.email"}},
		{"write to 李雷@公司.中国", []string{"pii.email"}},
		{"my id is rajesh@भारत.भारत", []string{"pii.email"}},
		{"Invoice INV-2024-000123-4567 is attached, due in 30 days.", nil},
		{"order #4111-1111-1111-1111 placed on 12 March", nil},
		{"Your order number is 6011 0009 9013 9424, keep it for returns", nil},
		{"PAN ABCPE0000F is obviously a dummy", nil},
		{"Txn at 2024-06-01 14:22:05.331 took 842 ms", nil},
		{"The fare is ₹9,876 and the surcharge ₹543", nil},
		{"Closing price 2,345.60 and volume 98,765,432", nil},
		{"Ticket 9876543210 escalated to L2", nil},
		{"Reference number 7766554433 for your complaint", nil},
		{"Please see clause 12.4.3.1 of the agreement", nil},
		{"The account opening charge is Rs 500 and the minimum balance Rs 10,000", nil},
		{"call centre timings 0900-1800 Mon-Sat", nil},
		{"Rate revised from 8.75% to 9.10% w.e.f. 01.04.2024", nil},
		{"aadhaar enrolment centre opens at 9:30", nil},
		{"How do I find my IFSC code?", nil},
	}
	for _, h := range hand {
		s.add("hand", fill(h.text), h.labels...)
	}
}
