package main

import "fmt"

func addPII(c *corpus) {
	cardV := func() string { v, _ := anyCard(); return formatCard(v) }
	c.fill("card", []string{
		"My card number is {V}, please check why it was declined.",
		"I lost my credit card {V} yesterday, block it please",
		"charge it to {V}",
		"{V} exp 09/27 cvv on the back",
		`{"card_number": "{V}", "exp_month": 11, "exp_year": 2027}`,
		`payment failed: card={V} merchant=AMAZON amount=1499.00 currency=INR`,
		"Visa {V}",
		"Debit card: {V}",
		"can you tell me if {V} is still active",
		"OUT:The card ending in the number {V} has been hot-listed.",
		"const testCard = \"{V}\" // do not commit",
		"| Name | Card |\n|---|---|\n| R. Iyer | {V} |",
		"Please refund to the same card ({V}) as the original purchase.",
		"cc: {V}",
		"Customer read out {V} over the phone to the agent.",
		"2024-11-02 10:11:09 WARN payments txn declined pan={V} reason=insufficient_funds",
		"My RuPay card {V} isn't working at the ATM",
		"Use {V} for the EMI auto-debit from next month",
		"Why was {V} charged twice?",
		"Mastercard {V} was stolen in Mumbai",
		"Amex {V}",
		"card {V} and the other one {V}",
		"please update my card on file to {V}",
		"OUT:Sure — I've noted your card {V} for the standing instruction.",
		"{V}",
		"The number is {V} and the expiry is 08/26.",
		"insert into cards(num) values ('{V}');",
		"Hi team, customer card {V} flagged for chargeback review.",
		"My son used my card {V} without permission",
		"card_no={V}&amount=500",
		"I want to add {V} to Apple Pay",
		"Reissue card {V} with a new PIN",
	}, cardV, "pii.credit_card")

	c.fill("ssn", []string{
		"My SSN is {V}.",
		"Social security number: {V}",
		"{V} is my social, can you verify my identity?",
		`{"ssn": "{V}", "dob": "1988-04-12"}`,
		"applicant ssn={V} status=pending",
		"SSN {V}",
		"Please update the W-9 with taxpayer SSN {V}",
		"OUT:The SSN on file, {V}, does not match the IRS record.",
		"her social security # is {V}",
		"I typed {V} into the form but it says invalid",
		"The borrower's SSN ({V}) was verified by the credit bureau.",
		"ssn: {V}",
		"My husband's number is {V}, mine is {V}",
		"identity check: {V}",
		"Tax ID {V} for the 1099",
		"{V}",
		"SSN no dashes {NODASH}",
		"Send the SSN {NODASH} to underwriting",
		"Can you fix the typo in my social security number, it should be {V}",
		"W-2 shows SSN {V} and wages of 84,500",
		"Record: name=John Carter, ssn={V}, state=TX",
		"OUT:I found an account for SSN {V} opened in 2019.",
		"Member SSN last updated {V}",
		"update customers set ssn='{V}' where id=42;",
		"the SSN field contains {V}",
		"my SS# {V}",
	}, ssnOrNoDash, "pii.ssn")

	bankV := func() string {
		n := pick("9", "10", "11", "12", "14", "15", "16", "17")
		v := digits(atoi(n))
		for v[0] == '0' {
			v = digits(len(v))
		}
		return v
	}
	c.fill("bank", []string{
		"My account number is {V}.",
		"Please transfer 5000 to account {V} at SBI",
		"a/c no {V}",
		"Acct# {V} shows a negative balance",
		"beneficiary account: {V}, IFSC to follow",
		`{"account_number": "{V}", "type": "savings"}`,
		"credited to A/C {V} on 12-Oct",
		"Savings account {V} is dormant, how do I reactivate it?",
		"Close my current account {V}",
		"OUT:Your account {V} has been linked to your mobile banking profile.",
		"acct_no={V} branch=Andheri status=frozen",
		"Transfer from account {V} failed",
		"My salary account number {V} isn't receiving credits",
		"Account No.: {V}",
		"The loan account {V} has an overdue EMI",
		"please add beneficiary with account number {V}",
		"wire to checking account {V}",
		"Checking {V} routing to follow",
		"bank account {V} belongs to my father",
		"OUT:Funds were debited from account {V} at 14:02.",
		"acc no {V}",
		"I need a statement for account {V} for the last 6 months",
		"account: {V}",
		"Is account {V} eligible for an overdraft?",
		"update accounts set frozen=true where account_number='{V}';",
		"RTGS to a/c {V} bounced",
	}, bankV, "pii.bank_account")

	ibanV := func() string {
		v := iban()
		return pick(v, printedIBAN(v))
	}
	c.fill("iban", []string{
		"Please send the refund to IBAN {V}.",
		"My IBAN is {V}",
		"{V}",
		"SEPA transfer to {V} failed with AC04",
		`{"iban": "{V}", "bic": "DEUTDEFF"}`,
		"beneficiary: Hans Müller, {V}",
		"OUT:The payment to {V} was returned by the beneficiary bank.",
		"wire to {V} reference invoice 4471",
		"Pay the supplier at {V} by Friday",
		"IBAN: {V} BIC: NWBKGB2L",
		"Can you check {V} is a valid account?",
		"my old IBAN {V} is closed, use the new one",
		"iban={V} amount=1200.00 EUR",
		"Tenant deposit goes to {V}",
		"Transfer 500 GBP to {V} please",
		"the account {V} belongs to our landlord",
		"I received money from {V} but don't recognise it",
		"Salary is paid into {V}",
		"OUT:I have set up a standing order to {V}.",
		"Please confirm the IBAN {V} on the invoice",
		"{V} — Emirates NBD, Dubai",
		"Send it to {V}, thanks",
		"insert into payees(iban) values ('{V}');",
		"IBAN of the remitter: {V}",
		"my friend's IBAN is {V}",
		"why does {V} show as invalid in your app?",
	}, ibanV, "pii.iban")

	c.fill("aba", []string{
		"routing number {V}",
		"ABA {V}, account to follow",
		"Our bank's routing number is {V}",
		"RTN: {V}",
		`{"routing_number": "{V}", "account_type": "checking"}`,
		"wire instructions: ABA routing {V}",
		"OUT:The routing number {V} belongs to a Federal Reserve district bank.",
		"please use routing {V} for the ACH",
		"ACH routing # {V}",
		"direct deposit form: routing {V}",
		"Routing no. {V}",
		"is {V} the right routing number for wires?",
		"routing={V}",
		"The ABA number {V} is for domestic wires only",
		"routing number: {V} (checking)",
		"My credit union's routing number is {V}",
		"RTN {V} for the payroll file",
		"ach_routing: {V}",
		"Can you verify routing {V}?",
		"the ABA routing transit number {V}",
		"routing number is {V}, not the one on the check",
		"OUT:Use routing number {V} for direct deposit.",
		"I set up ACH with routing {V}",
		"routing:{V}",
		"wire: routing {V}, swift BOFAUS3N",
	}, aba, "pii.aba_routing")

	aadhaarV := func() string {
		v := aadhaar()
		return pick(v, group(v, " ", 4, 4, 4), group(v, " ", 4, 4, 4), group(v, "-", 4, 4, 4))
	}
	c.fill("aadhaar", []string{
		"My Aadhaar number is {V}",
		"aadhaar {V} linked to my mobile",
		"{V} is my aadhar",
		"UID: {V}",
		`{"aadhaar": "{V}", "name": "Ravi Kumar"}`,
		"e-KYC failed for {V}",
		"OUT:The Aadhaar {V} is already linked to another account.",
		"Please update my Aadhaar to {V}",
		"aadhaar_no={V} status=verified",
		"Link Aadhaar {V} with my PAN",
		"my mother's aadhaar card number {V}",
		"Aadhaar: {V}",
		"{V}",
		"I gave {V} at the branch for KYC",
		"KYC document: Aadhaar {V}",
		"customer submitted {V} as proof of address",
		"आधार नंबर {V} है",
		"Aadhar no {V} pls update",
		"why is my aadhaar {V} not getting verified?",
		"OUT:Your Aadhaar ending {V} has been seeded for DBT.",
		"aadhaar number: {V}",
		"Uidai says {V} is active",
		"update kyc set aadhaar='{V}' where cif=77812;",
		"My Aadhaar {V} and my wife's {V}",
		"Please verify {V} via OTP",
	}, aadhaarV, "pii.aadhaar")

	c.fill("pan", []string{
		"My PAN is {V}",
		"PAN card number {V}",
		"{V}",
		"Please link PAN {V} to my account",
		`{"pan": "{V}", "name": "Anita Desai"}`,
		"TDS was deducted against {V}",
		"OUT:The PAN {V} is not linked to your Aadhaar.",
		"pan={V} status=valid",
		"Form 16 shows {V}",
		"Update PAN to {V} please",
		"my pan no {V}",
		"Permanent Account Number: {V}",
		"the company's PAN is {V}",
		"PAN {V} is inoperative, what should I do?",
		"Income tax notice for {V}",
		"{V} - Ravi Traders HUF",
		"Customer PAN: {V}",
		"I entered {V} but the app says mismatch",
		"insert into kyc(pan) values ('{V}');",
		"The PAN of the firm is {V}",
		"OUT:We have updated your PAN to {V}.",
		"pan {V}",
		"Please quote PAN {V} on the FD form",
		"my father's PAN {V} for the joint account",
		"26AS for {V} doesn't show the interest",
	}, pan, "pii.pan")

	c.fill("ifsc", []string{
		"IFSC code {V}",
		"Branch IFSC: {V}",
		"{V}",
		"Please use IFSC {V} for NEFT",
		`{"ifsc": "{V}", "branch": "Koramangala"}`,
		"OUT:The IFSC {V} belongs to the Andheri East branch.",
		"neft to {V} failed",
		"ifsc={V}",
		"What is the branch for {V}?",
		"RTGS using {V}",
		"my branch code {V}",
		"IFSC {V}, account to follow",
		"Add beneficiary with IFSC {V}",
		"the ifsc on my cheque is {V}",
		"IMPS to {V} is failing",
		"ifsc: {V}",
		"Is {V} correct for Whitefield?",
		"OUT:Use IFSC {V} when adding the payee.",
		"Branch: Pune Camp ({V})",
		"please confirm IFSC {V}",
		"beneficiary bank IFSC is {V}",
		"insert into branches(ifsc) values ('{V}');",
		"old IFSC {V} changed after the merger",
		"NEFT details: IFSC {V}",
		"the IFSC you gave, {V}, is wrong",
	}, ifsc, "pii.ifsc")

	upiV := func() string {
		local := pick(indianMobile(), "ravi.kumar", "priya"+digits(2), "anil_shah", "meena.k", "shop"+digits(4), "rk"+digits(3))
		return local + "@" + pick("okaxis", "oksbi", "okhdfcbank", "okicici", "ybl", "paytm", "upi", "ibl", "axl", "apl")
	}
	c.fill("upi", []string{
		"Send it to my UPI {V}",
		"UPI ID: {V}",
		"{V}",
		"pay {V} 500 rupees",
		`{"vpa": "{V}", "amount": 250}`,
		"OUT:The collect request was sent to {V}.",
		"I paid {V} by mistake",
		"my upi is {V}",
		"VPA {V} is not verified",
		"refund to {V} please",
		"upi://pay?pa={V}&pn=Ravi&am=100",
		"Scan or pay to {V}",
		"Money sent to {V} didn't reach",
		"Please add {V} as beneficiary",
		"GPay {V}",
		"PhonePe id {V}",
		"upi_id={V} status=FAILED",
		"Is {V} a valid UPI handle?",
		"OUT:Payment to {V} is pending with the PSP.",
		"my wife's UPI {V}",
		"pay rent to {V}",
		"collect from {V}",
		"raise a dispute for {V}",
		"who owns {V}?",
		"UPI {V}",
	}, upiV, "pii.upi")

	emailV := func() string {
		return pick("priya.sharma", "john.doe", "a.kumar+bank", "rk_1987", "ops-team", "jane", "m.oconnor", "ankit.j") +
			"@" + pick("gmail.com", "example.com", "yahoo.co.in", "outlook.com", "corp.example.in", "hdfcbank.net", "mail.bank.co.uk")
	}
	c.fill("email", []string{
		"My email is {V}",
		"send the statement to {V}",
		"{V}",
		`{"email": "{V}", "verified": true}`,
		"Contact: {V}",
		"OUT:We have sent a confirmation to {V}.",
		"From: {V}\nTo: {V}\nSubject: KYC",
		"user={V} action=password_reset ip_country=IN",
		"please cc {V}",
		"change my email to {V}",
		"Email ID {V} is not receiving OTPs",
		"mailto:{V}",
		"reach me at {V}",
		"<a href=\"mailto:{V}\">support</a>",
		"Registered email: {V}",
		"I got a phishing mail from {V}",
		"Reply-To: {V}",
		"Is {V} your official address?",
		"OUT:Your registered email {V} has been updated.",
		"email_id='{V}'",
		"the customer wrote from {V}",
		"forward it to {V} and {V}",
		"Hi, it's me ({V}), any update?",
		"git config user.email {V}",
		"Login id: {V}",
	}, emailV, "pii.email")

	phoneV := func() string {
		m := indianMobile()
		u := usPhone()
		return pick("+91 "+group(m, " ", 5, 5), "+91-"+m, "+91"+m, m, group(m, " ", 5, 5), "0"+m,
			"("+u[:3]+") "+u[3:6]+"-"+u[6:], group(u, "-", 3, 3, 4), "+1 "+group(u, " ", 3, 3, 4),
			"+1-"+group(u, "-", 3, 3, 4), "+44 20 "+group(digits(8), " ", 4, 4), "+65 "+group("6"+digits(7), " ", 4, 4),
			group(u, ".", 3, 3, 4))
	}
	c.fill("phone", []string{
		"Call me on {V}",
		"My mobile number is {V}",
		"{V}",
		`{"phone": "{V}", "country": "IN"}`,
		"Contact: {V}",
		"OUT:We will call you back on {V} within 24 hours.",
		"whatsapp {V}",
		"update my registered number to {V}",
		"sms from {V} asking for OTP",
		"caller_id={V} duration=312s",
		"Ph: {V}",
		"I got a fraud call from {V}",
		"reach me at {V} after 6pm",
		"tel: {V}",
		"my husband's mobile {V}",
		"phone: {V}",
		"Is {V} your official customer care number?",
		"OUT:Your new mobile number {V} is now registered.",
		"text me on {V}",
		"Mobile {V} not receiving alerts",
		"call {V} or {V}",
		"The agent called from {V} and asked for my PIN",
		"customer phone {V}",
		"I changed my number, new one is {V}",
		"emergency contact {V}",
		"please ring {V}",
	}, phoneV, "pii.phone")

	ipV := func() string { return pick(ipv4(), ipv4(), ipv6()) }
	c.fill("ip", []string{
		"Login from {V} was not me",
		"My IP address is {V}",
		"{V}",
		`{"client_ip": "{V}", "ua": "Mozilla/5.0"}`,
		"2024-11-03T10:01:55Z sshd[812]: Failed password for root from {V} port 52144",
		"OUT:The last login was from {V}.",
		"block {V} at the firewall",
		"src={V} dst=10.0.4.12 action=deny",
		"whitelist {V} for the API",
		"The server is at {V}",
		"X-Forwarded-For: {V}",
		"GET /login 401 {V} 182ms",
		"someone from {V} tried to log in",
		"connect to {V}:5432",
		"remote_addr={V}",
		"allow from {V}",
		"ping {V}",
		"suspicious traffic from {V} and {V}",
		"OUT:We blocked access from {V}.",
		"ip={V}",
		"my router shows {V}",
		"nginx: {V} - - [03/Nov/2024:10:01:55] \"POST /api/transfer\" 200",
		"Is {V} one of your servers?",
		"VPN exit {V}",
		"host {V} is unreachable",
	}, ipV, "pii.ip")
}

func ssnOrNoDash() string { return ssn() }

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}
