package main

import "strings"

// Benign text full of digit groups: ids, amounts, timestamps, look-alikes
// that fail their checksums, and a PAN with the impossible serial 0000.
func addNegatives(s *set) {
	neg := func(prefix string, templates []string, gen func() string) { s.each(prefix, templates, gen) }
	neg("neg-id", []string{
		"Invoice INV-{V} is overdue by 12 days.",
		"order #{V} has shipped",
		"Reference {V} — please quote it in any reply.",
		"Your ticket {V} was closed.",
		"PO number {V} approved",
		"Tracking no. {V}",
		"booking ref {V}",
		"claim {V} is under review",
		"UTR {V} for the NEFT",
		"Loan application {V} sanctioned",
		"shipment {V} out for delivery",
		"folio {V} redemption processed",
	}, func() string {
		return oneOf("2024-"+num(6)+"-"+num(4), num(4)+"-"+num(4)+"-"+num(4)+"-"+num(4), num(12), num(10),
			"2025/"+num(6)+"/"+num(4), num(4)+" "+num(4)+" "+num(4), num(16), num(9))
	})
	// test-card numbers in order and invoice contexts
	neg("neg-id", []string{
		"order #4111-1111-1111-1111 confirmed",
		"INV-2024-000123-4567",
		"Invoice 4012 8888 8888 1881 (proforma)",
		"ref no 5555-5555-5555-4444 in the ledger",
	}, func() string { return "" })
	neg("neg-time", []string{
		"logged at {V}",
		"timestamp {V}",
		"created_at={V}",
		"The job ran at {V} and finished in 3s.",
		"epoch {V}",
	}, func() string {
		return oneOf("2024-03-15 10:23:45", "20240315102345", "17"+num(8), "17"+num(11), "2024-03-15T10:23:45.123Z",
			"15.03.2024 10:23", "10:23:45.678", "2025-11-30 23:59:59.999999")
	})
	neg("neg-amount", []string{
		"The balance is {V}.",
		"EMI of {V} per month",
		"Total due: {V}",
		"we received {V} yesterday",
		"sanctioned limit {V}",
		"Turnover last year was {V}",
	}, func() string {
		return oneOf("₹98,76,543", "Rs. 9,87,65,432.50", "USD 4,500,000.00", "$1,234,567.89", "12 345 678,90 €",
			"9,876,543,210", "INR 98765.43", "₹ 1,23,45,678/-", "GBP 7,654,321", "98,76,54,321 rupees")
	})
	neg("neg-ver", []string{
		"upgrade to version {V}",
		"see section {V}",
		"firmware {V} fixes the bug",
	}, func() string { return oneOf("10.2.0.1", "6.1.23.4", "2.4.1", "11.0.22631.4169", "3.14.159.26") })
	neg("neg-pan", []string{
		"PAN {V} was rejected by the portal",
		"pan: {V}",
		"The PAN {V} on the form is invalid",
	}, func() string { return upper(3) + "P" + upper(1) + "0000" + upper(1) })
	neg("neg-card", []string{
		"card {V} fails the check",
		"Is {V} a real card number?",
		"test value {V}",
	}, func() string { return printCard(breakLast(anyIssuerCard())) })
	neg("neg-aadhaar", []string{
		"aadhaar {V} shows invalid",
		"{V}",
	}, func() string { v := breakLast(aadhaarNum()); return oneOf(v, split(v, " ", 4, 4, 4)) })
	neg("neg-aba", []string{
		"routing number {V} is wrong",
		"ABA {V} bounced",
	}, func() string { return breakLast(abaNum()) })
	neg("neg-ssn", []string{
		"SSN {V} is not valid",
		"is {V} a real SSN?",
	}, func() string {
		return oneOf("000-"+num(2)+"-"+num(4), "666-"+num(2)+"-"+num(4), "9"+num(2)+"-"+num(2)+"-"+num(4),
			num(3)+"-00-"+num(4), strings.Replace(split(ssnNum(), "-", 3, 2, 4), "-", ".", 2)[:7]+"0000")
	})
	for _, t := range []string{
		"ISBN 978-3-16-148410-0",
		"UPS tracking 1Z999AA10123456784",
		"Flight AI 302 departs at 21:45 from gate 12",
		"Room 1204, Tower B, 3rd floor",
		"Postcode 560034, Koramangala",
		"Population of 1,428,627,663 as of 2023",
		"call the branch between 10 and 4",
		"We processed 12,345 transactions in 0.87 seconds",
		"Q3 revenue 2,345.6 crore, up 14.2%",
		"The 2019-2024 CAGR was 11.8%",
		"Pin code 400001",
		"sort code 20-00-00 is a test value",
		"HSN code 8471 30 10",
		"GSTIN 27AAPFU0939F1ZV on the invoice",
		"serial number SN-2024-88341-22",
		"coordinates 19.0760, 72.8777",
		"matrix 3 4 5 6 7 8 9 10 11 12",
		"Lottery numbers 04 11 23 35 41 49",
		"Build 20240315.3 passed 1,204 tests",
		"the meeting id is 845 2391 7710",
	} {
		s.add("neg-misc", t)
	}
}
