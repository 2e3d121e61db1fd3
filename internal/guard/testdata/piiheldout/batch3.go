package main

// batch3 is written by hand, numbers included (their checksums computed
// apart, in a throw-away script, not with the engine), after batch 2 and
// before the engine was run on it.
func batch3(s *set) {
	for _, c := range []struct {
		text   string
		labels []string
	}{
		{"Hi team — customer says her Mir card 2204 1234 5678 9015 was charged in roubles.", []string{"pii.credit_card"}},
		{"Dankort: 5019-8765-4321-0984", []string{"pii.credit_card"}},
		{"OUT:The Troy card ending …5677 (full number 9792123400005677) is now blocked.", []string{"pii.credit_card"}},
		{"Elo card 4011 7899 8877 6651, validade 09/28", []string{"pii.credit_card"}},
		{"elo 6363 6812 3450 9870 recusado no caixa", []string{"pii.credit_card"}},
		{"UnionPay 621277889900112231 — can I use it for UPI?", []string{"pii.credit_card"}},
		{"JCB: 3566 1234 1234 1232", []string{"pii.credit_card"}},
		{"diners club 3051 234567 8906", []string{"pii.credit_card"}},
		{"Maestro 6759 0000 1111 2222 338", []string{"pii.credit_card"}},
		{"UATP 1555 12345 678905 for the airline refund", []string{"pii.credit_card"}},
		{"aadhaar 4812:3905:6173 verify karo please", []string{"pii.aadhaar"}},
		{"Aadhaar No.- 7334 0129 8655", []string{"pii.aadhaar"}},
		{"mera UID 299018374624 hai", []string{"pii.aadhaar"}},
		{"आधार कार्ड संख्या: 6129-0045-7317", []string{"pii.aadhaar"}},
		{"ABA/routing: 0210-0002-1", []string{"pii.aba_routing"}},
		{"routing 261-073-326 acct ends 4411", []string{"pii.aba_routing"}},
		{"Routing number is 322271805.", []string{"pii.aba_routing"}},
		{"For ACH use routing 1110 0061 4", []string{"pii.aba_routing"}},
		{"wire routing no 071000013 (Chicago)", []string{"pii.aba_routing"}},
		{"SSN 412.78.5531 on the W-9", []string{"pii.ssn"}},
		{"my social security number: 521 44 9087", []string{"pii.ssn"}},
		{"SSN-218-55-7403", []string{"pii.ssn"}},
		{"Call me back on +44 (0)7700 900461 please", []string{"pii.phone"}},
		{"Tel.: +49 (0)89 2180 4411", []string{"pii.phone"}},
		{"Portable : 07 81 22 45 90", []string{"pii.phone"}},
		{"whatsapp karo 98450 12763 pe", []string{"pii.phone"}},
		{"Dubai office 04 331 8822, mobile 055 712 4490", []string{"pii.phone"}},
		{"Singapore +65 9012 3344 (Grace)", []string{"pii.phone"}},
		{"0091-98450-12763 is my number from abroad", []string{"pii.phone"}},
		{"NY desk: 212.555.0184", []string{"pii.phone"}},
		{"email: fatma.yıldız@örnek.com.tr", []string{"pii.email"}},
		{"Kontakt: jörg.müller@stadtsparkasse-köln.de", []string{"pii.email"}},
		{"contact — 王伟@例子.公司", []string{"pii.email"}},
		{"reply to rohit.sharma@बैंक.भारत please", []string{"pii.email"}},
		{"PAN: AAKPT9021Q", []string{"pii.pan"}},
		{"pan card ka number bkhpm7710d hai", []string{"pii.pan"}},
		{"मेरा खाता नंबर 300145678912 है और IFSC SBIN0004523", []string{"pii.bank_account", "pii.ifsc"}},
		{"Invoice INV-2025-004417-2210 attached for October.", nil},
		{"Order #5019-8765-4321-0984 will ship tomorrow", nil},
		{"Ref. No. 4812 3905 6173 for your grievance", nil},
		{"PAN AAKPT0000Q is clearly a dummy value", nil},
		{"The batch ran 2025-01-17 03:15:22 UTC and took 0.000412 s", nil},
		{"Net interest ₹12,45,300.75 and fees Rs 1,180", nil},
		{"Helpline hours 0800-2000, seven days", nil},
		{"Version 4.12.3.1 fixed the crash on login", nil},
		{"Your OTP request id is 88412 and expires in 5 minutes.", nil},
		{"Branch code 004523 serves the Andheri area", nil},
		{"Dial 1800 and then press 2 for cards", nil},
		{"Q2 revenue: 4,012,889,988 (up 6.2%)", nil},
		{"coordinates 28.6139, 77.2090", nil},
	} {
		s.add("b3", c.text, c.labels...)
	}
}
