package main

import "strings"

func ibanAny() string {
	v := oneOf(
		ibanOf("GB", "NWBK"+num(14)), ibanOf("DE", num(18)), ibanOf("FR", num(10)+upper(2)+num(11)),
		ibanOf("NL", "ABNA"+num(10)), ibanOf("AE", num(19)), ibanOf("SA", num(2)+num(18)), ibanOf("ES", num(20)))
	if rnd.IntN(2) == 0 {
		var parts []string
		for len(v) > 4 {
			parts = append(parts, v[:4])
			v = v[4:]
		}
		return strings.Join(append(parts, v), " ")
	}
	return v
}

func addOthers(s *set) {
	s.each("iban", []string{
		"IBAN {V}",
		"Please transfer to {V} by Friday.",
		"OUT:The beneficiary IBAN is {V}.",
		"my iban: {V}",
		"Überweisung an {V}",
		"pay {V} (SEPA)",
		"beneficiary account {V}",
		"{V}",
	}, ibanAny, "pii.iban")
	s.each("ifsc", []string{
		"IFSC {V}",
		"ifsc code: {V}",
		"branch IFSC is {V}",
		"OUT:Use IFSC {V} for NEFT.",
	}, func() string {
		return oneOf("SBIN", "HDFC", "ICIC", "UTIB", "KKBK", "PUNB") + "0" + oneOf(num(6), upper(2)+num(4))
	}, "pii.ifsc")
	s.each("upi", []string{
		"pay me on {V}",
		"UPI id {V}",
		"OUT:Send it to {V}.",
		"GPay: {V}",
	}, func() string {
		return oneOf("ravi.k", "anita1990", inMobile(), "shop.ganesh") + "@" + oneOf("okaxis", "ybl", "oksbi", "paytm", "okhdfcbank")
	}, "pii.upi")
	s.each("ip", []string{
		"login from {V} was blocked",
		"client ip {V}",
		"OUT:The last session came from {V}.",
		"whitelist {V} on the firewall",
	}, func() string {
		return oneOf("203.0.113."+num(2)[1:]+"7", "198.51.100.23", "10.24.6.130", "2001:db8:85a3::8a2e:370:7334", "172.16.254.3")
	}, "pii.ip")
	s.each("bank", []string{
		"my account number is {V}",
		"credit it to a/c {V}",
		"OUT:Your savings account {V} is now active.",
		"account no. {V}",
		"khata number {V}",
		"खाता संख्या {V}",
		"mera account number {V} hai",
		"acct {V}",
	}, func() string { return "5" + num(oneOfInt(10, 11, 13)) }, "pii.bank_account")
}

func oneOfInt(xs ...int) int { return xs[rnd.IntN(len(xs))] }
