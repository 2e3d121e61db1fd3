package main

// Internationalised addresses (RFC 6531 local parts, IDNA domains) and
// plain ones.

var idnAddresses = []string{
	"anna.müller@bücher-haus.de", "kontakt@bäckerei-schmidt.de", "ventas@compañía.es",
	"support@例え.jp", "info@xn--bcher-kva.de", "josé.garcía@empresa.es", "pelé@exemple.fr",
	"用户@例子.广告", "δοκιμή@παράδειγμα.δοκιμή", "साक्षी@उदाहरण.भारत", "иван@пример.рф",
	"søren@firma.dk", "françois@société.fr", "jürgen.weiß@straße.de", "ñandu@dominio.mx",
	"rahul.verma@bank.co.in", "priya+alerts@gmail.com", "a.okafor@mail.example.ng",
	"info@müller.de", "tanaka@会社.jp", "meera@xn--h2brj9c.xn--h2brj9c", "ops-team@sub.bank.example.com",
	"o'connor@example.ie", "user_name@domain.travel",
}

func addEmails(s *set) {
	tpl := []string{
		"my email is {V}",
		"Send the statement to {V} please.",
		"OUT:We've emailed the form to {V}.",
		"E-Mail: {V}",
		"contact {V} for the loan papers",
		"{V} ne mail nahi kiya",
	}
	k := 0
	for _, a := range idnAddresses {
		t := tpl[k%len(tpl)]
		k++
		s.each("email", []string{t}, func() string { return a }, "pii.email")
	}
	for _, a := range idnAddresses[:12] {
		t := tpl[k%len(tpl)]
		k++
		s.each("email", []string{t}, func() string { return a }, "pii.email")
	}
}
