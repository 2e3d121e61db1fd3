package main

// Phone numbers in ITU E.164 form and in each country's national notation
// (national numbering plans as the regulators publish them).

func inMobile() string { return oneOf("6", "7", "8", "9") + num(9) }

func phoneIN() string {
	m := inMobile()
	return oneOf("+91 "+split(m, " ", 5, 5), "+91-"+m, "+91"+m, "0"+split(m, "-", 5, 5),
		split(m, " ", 5, 5), split(m, "-", 3, 3, 4), "+91 "+split(m, "-", 5, 5), split(m, ".", 5, 5),
		"+91 "+split(m, " ", 3, 3, 4))
}

func phoneGB() string {
	london := "20" + oneOf("7", "8", "3") + num(7)
	mob := "7" + oneOf("4", "5", "7", "8", "9") + num(8)
	return oneOf("+44 "+split(london, " ", 2, 4, 4), "+44 "+split(mob, " ", 4, 6), "0"+split(london, " ", 2, 4, 4),
		"0"+split(mob, " ", 4, 6), "(0"+london[:2]+") "+split(london[2:], " ", 4, 4), "+44 (0)"+split(london, " ", 2, 4, 4),
		"+44"+mob)
}

func phoneDE() string {
	berlin := "30" + num(8)
	mob := "15" + oneOf("1", "2", "7", "9") + num(8)
	return oneOf("+49 "+split(berlin, " ", 2, 8), "+49 "+split(mob, " ", 3, 8), "0"+split(berlin, " ", 2, 8),
		"0"+split(mob, " ", 3, 8), "0"+berlin[:2]+"/"+berlin[2:], "+49 (0)"+split(berlin, " ", 2, 4, 4),
		"+49-"+split(mob, "-", 3, 8))
}

func phoneFR() string {
	n := oneOf("1", "6", "7", "4") + num(8)
	return oneOf("+33 "+split(n, " ", 1, 2, 2, 2, 2), "0"+split(n, " ", 1, 2, 2, 2, 2), "0"+split(n, ".", 1, 2, 2, 2, 2),
		"0"+split(n, "-", 1, 2, 2, 2, 2), "+33"+n, "+33 (0)"+split(n, " ", 1, 2, 2, 2, 2))
}

func phoneSG() string {
	n := oneOf("6", "8", "9") + num(7)
	return oneOf("+65 "+split(n, " ", 4, 4), "+65-"+split(n, "-", 4, 4), "+65"+n, "(+65) "+split(n, " ", 4, 4))
}

func phoneAE() string {
	mob := "5" + oneOf("0", "2", "5", "6") + num(7)
	dubai := "4" + num(7)
	return oneOf("+971 "+split(mob, " ", 2, 3, 4), "+971 "+split(dubai, " ", 1, 3, 4), "0"+split(mob, " ", 2, 3, 4),
		"0"+split(mob, "-", 2, 3, 4), "+971-"+split(mob, "-", 2, 7), "+971"+mob)
}

func phoneUS() string {
	n := oneOf("2", "3", "4", "5", "6", "7", "8", "9") + num(2) + oneOf("2", "3", "4", "5", "6", "7", "8", "9") + num(6)
	return oneOf("+1 "+split(n, " ", 3, 3, 4), "("+n[:3]+") "+split(n[3:], "-", 3, 4), split(n, ".", 3, 3, 4),
		split(n, "-", 3, 3, 4), "1-"+split(n, "-", 3, 3, 4), "+1 ("+n[:3]+") "+split(n[3:], "-", 3, 4), "+1-"+split(n, "-", 3, 3, 4))
}

func phoneAny() string {
	return oneOf(phoneIN(), phoneGB(), phoneDE(), phoneFR(), phoneSG(), phoneAE(), phoneUS(), phoneIN(), phoneUS())
}

func addPhones(s *set) {
	tpl := []string{
		"Call me on {V} after 6pm.",
		"my mobile is {V}",
		"OUT:We will call you back on {V} within 24 hours.",
		"Phone: {V}",
		"Contact number {V} (WhatsApp)",
		"please update my registered mobile to {V}",
		"You can reach the customer at {V}.",
		"tel {V}",
		`{"phone":"{V}","name":"A. Okafor"}`,
		"I got a fraud call from {V} claiming to be the bank",
		"Text me at {V} when the cheque clears.",
		"Mobile no: {V}",
		"Her number is {V}",
		"mera number {V} hai, OTP nahi aa raha",
		"Ruf mich an unter {V}",
		"Appelez-moi au {V}",
	}
	gens := []func() string{phoneIN, phoneGB, phoneDE, phoneFR, phoneSG, phoneAE, phoneUS}
	for _, g := range gens {
		s.each("phone", tpl[:8], g, "pii.phone")
	}
	s.each("phone", tpl, phoneAny, "pii.phone")
	// numbers in E.164 form need no context word
	s.each("phone", []string{
		"reach out: {V}",
		"Priya Nair, Operations, {V}",
		"Sent from {V}",
		"{V} — Rahul",
	}, func() string {
		return oneOf("+91 "+split(inMobile(), " ", 5, 5), "+44 "+split("7"+num(9), " ", 4, 6),
			"+65 "+split("9"+num(7), " ", 4, 4), "+971 "+split("50"+num(7), " ", 2, 3, 4), "+49 "+split("151"+num(8), " ", 3, 8),
			"+33 "+split("6"+num(8), " ", 1, 2, 2, 2, 2))
	}, "pii.phone")
}
