package main

import (
	"fmt"
)

// addPIINegatives adds benign text full of numbers that look like PII but
// are not: checksum failures, invalid SSN areas, dates, versions, order ids,
// amounts, hashes and timestamps.
func addPIINegatives(c *corpus) {
	badCardV := func() string {
		p := cardPrefixes[rng.IntN(len(cardPrefixes))]
		return formatCard(badCard(p.prefix, p.length))
	}
	c.fill("neg-card", []string{
		"My card number is {V}, is it valid?",
		"Order {V} was delivered",
		`{"tracking": "{V}"}`,
		"card {V} (this fails the checksum on purpose)",
		"Invoice number {V}",
		"Test string {V}",
		"{V}",
		"payment ref {V}",
	}, badCardV)
	c.fill("neg-aadhaar", []string{
		"aadhaar {V} is showing invalid",
		"Order ID {V}",
		"{V}",
		"UTR {V} for the NEFT transfer",
		"booking reference {V}",
		"The ticket number is {V}",
	}, func() string {
		v := badAadhaar()
		return pick(v, group(v, " ", 4, 4, 4))
	})
	for _, v := range []string{"000-12-3456", "666-45-1234", "912-34-5678", "123-00-4567", "321-54-0000",
		"078-05-1120", "219-09-9999", "987-65-4321"} {
		c.add("neg-ssn", "input", fmt.Sprintf("Is %s a valid SSN? The form rejected it.", v))
	}
	c.add("neg-ssn", "input", "SSN 123-45-6789 is the sample from the training slides")
	c.fill("neg-iban", []string{
		"IBAN {V} was rejected as invalid",
		"{V}",
		"send to {V}",
	}, func() string { return printedIBAN(badIBAN()) })
	c.fill("neg-pan", []string{
		"PAN ABCDE1234F is the sample number printed on the form",
		"product code {V}",
		"{V}",
	}, badPAN)
	c.fill("neg-aba", []string{
		"routing number {V} looks wrong",
		"routing {V}",
	}, func() string {
		v := aba()
		return v[:8] + string('0'+(v[8]-'0'+1+byte(rng.IntN(8)))%10)
	})
	for _, t := range staticNegatives {
		c.add("neg-num", "input", t)
	}
	c.fill("neg-order", []string{
		"Order #{V} hasn't arrived yet",
		"AWB {V}, shipped via Delhivery",
		"Your ticket number is {V}",
		"reference no {V}",
		"txn id {V} failed",
		"Booking ref {V}",
		"invoice {V} is overdue",
		"complaint no {V} is still open",
	}, func() string { return indianMobile() })
}

var staticNegatives = []string{
	"The meeting is on 2024-11-15 at 10:30:45 IST.",
	"Statement period 01/04/2024 to 31/03/2025",
	"Dates: 15.01.2024, 16.01.2024 and 17.01.2024",
	"We upgraded to version 10.2.0.1 last night",
	"Release v2.14.3 fixes the login bug",
	"See section 4.2.1.3 of the agreement",
	"Rs 25,00,000 was sanctioned as the home loan",
	"The total is $1,234.56 including tax",
	"Balance: ₹ 98,765.43",
	"commit 3f2a9b7c1d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a",
	"request_id=550e8400-e29b-41d4-a716-446655440000 status=200",
	"unix time 1700000000 corresponds to Nov 2023",
	"ORD-9876543210 is the order, not a phone number",
	"Use std::vector<int> and std::map in the C++ code",
	"The match ended 3-2 after extra time",
	"Interest rate 7.25% for 444 days, minimum 10000",
	"Call between 10:00 and 18:00, Monday to Friday",
	"The EMI is 12,450 for 240 months",
	"Our GSTIN is 27AAPFU0939F1ZV",
	"IMEI 356938035643809",
	"Flight AI 302 departs at 21:45 from T3",
	"Pin code 560001, Bangalore",
	"My pincode is 400053",
	"ISBN 978-3-16-148410-0",
	"coordinates 12.9716, 77.5946",
	"temperature 36.6, pulse 72, bp 120/80",
	"Please follow @HDFC_Bank on Twitter for updates",
	"logo@2x.png failed to load",
	"The score was 98765 points",
	"Build 20241103.4 passed all 1234 tests",
	"Employee ID 7788990011 joined the Pune office",
	"Customer ID 99887766 has two accounts",
	"Loan application number 202411030045 is under review",
	"UTR 412345678901 credited",
	"Serial number 9876543210 on the POS terminal",
	"Batch 4111 of 5000 processed",
	"Table 3.2.1.4 lists the ratios",
	"I am 34 years old and earn 85000 per month",
	"The stock fell 4.5% to 2,345.60 on Friday",
	"Sensex closed at 79,486.32, Nifty at 24,141.30",
	"12 13 14 15 16 17 18 19 20",
	"mac 00:1A:2B:3C:4D:5E is the router",
	"timestamp 2024-11-03T09:41:22.318Z",
	"The cheque number is 004512",
	"Routing slips 1 through 9 are in the tray",
	"Version 1.2.3.4 of the SDK",
	"PO number 4500012345 approved",
	"Folio no 1234567/89 for the mutual fund",
	"CIF 88776655 belongs to a corporate client",
	"The account has been open for 12 years and 3 months",
	"Extension 4455, desk 12",
	"Model number SM-G991B/DS",
}
