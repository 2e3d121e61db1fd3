package guard

// Exact validators, run only on candidates. Each takes ASCII digits (or, for
// IBAN, upper-case letters and digits) without separators.

// Luhn reports whether ASCII digits pass the Luhn (mod 10) check. The audit
// sanitizer shares it.
func Luhn(d []byte) bool {
	sum, dbl := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if dbl {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		dbl = !dbl
	}
	return sum%10 == 0
}

var verhoeffD = [10][10]uint8{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
	{2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
	{4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
	{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
	{8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
}

// verhoeffP[i] is the permutation (1 5 8 9 4 2 7 0)(3 6) applied i times
// (TestVerhoeffTables derives it again).
var verhoeffP = [8][10]uint8{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
	{5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
	{9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
	{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
}

// verhoeff reports whether digits (check digit last) pass the Verhoeff check.
func verhoeff(d []byte) bool {
	c := uint8(0)
	for i := len(d) - 1; i >= 0; i-- {
		c = verhoeffD[c][verhoeffP[(len(d)-1-i)%8][d[i]-'0']]
	}
	return c == 0
}

// aadhaarValid checks a 12-digit Aadhaar number: first digit 2-9, Verhoeff.
func aadhaarValid(d []byte) bool {
	return len(d) == 12 && d[0] >= '2' && verhoeff(d) && !allSame(d)
}

// abaValid checks a 9-digit ABA routing number: Federal Reserve prefix and
// the 3-7-1 weighted checksum.
func abaValid(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	p := int(d[0]-'0')*10 + int(d[1]-'0')
	if !(p <= 12 || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p == 80) || allSame(d) {
		return false
	}
	w := [9]int{3, 7, 1, 3, 7, 1, 3, 7, 1}
	sum := 0
	for i, c := range d {
		sum += w[i] * int(c-'0')
	}
	return sum%10 == 0
}

// ssnInvalidSamples are numbers published in advertising or never issued.
var ssnInvalidSamples = map[string]bool{
	"078051120": true, "219099999": true, "457555462": true, "123456789": true,
}

// ssnValid checks a 9-digit US SSN: area not 000, 666 or 9xx; group not 00;
// serial not 0000; not a known sample.
func ssnValid(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	area := string(d[0:3])
	if area == "000" || area == "666" || d[0] == '9' {
		return false
	}
	if d[3] == '0' && d[4] == '0' {
		return false
	}
	if string(d[5:9]) == "0000" {
		return false
	}
	return !ssnInvalidSamples[string(d)]
}

func allSame(d []byte) bool {
	for _, c := range d[1:] {
		if c != d[0] {
			return false
		}
	}
	return true
}

// prefixIn reports whether the first n digits of d, as a number, lie in [lo, hi].
func prefixIn(d []byte, n, lo, hi int) bool {
	if len(d) < n {
		return false
	}
	v := 0
	for _, c := range d[:n] {
		v = v*10 + int(c-'0')
	}
	return v >= lo && v <= hi
}

// cardIssuer returns the issuer of a card number whose prefix and length fit
// a scheme of the public IIN tables, or "". Order matters where ranges
// nest (Mir and Dankort sit inside wider ones).
func cardIssuer(d []byte) string {
	n := len(d)
	switch {
	case d[0] == '4' && (n == 13 || n == 16 || n == 19):
		return "visa"
	case prefixIn(d, 4, 2200, 2204) && n >= 16 && n <= 19:
		return "mir"
	case (prefixIn(d, 2, 51, 55) || prefixIn(d, 4, 2221, 2720)) && n == 16:
		return "mastercard"
	case (prefixIn(d, 2, 34, 34) || prefixIn(d, 2, 37, 37)) && n == 15:
		return "amex"
	case d[0] == '1' && n == 15:
		return "uatp"
	case prefixIn(d, 4, 5019, 5019) && n == 16:
		return "dankort"
	case prefixIn(d, 4, 9792, 9792) && n == 16:
		return "troy"
	case (prefixIn(d, 6, 506099, 506198) || prefixIn(d, 6, 650002, 650027)) && (n == 16 || n == 18 || n == 19):
		return "verve"
	case (prefixIn(d, 6, 504175, 504175) || prefixIn(d, 6, 506699, 506778) || prefixIn(d, 3, 509, 509) ||
		prefixIn(d, 6, 636297, 636297) || prefixIn(d, 6, 636368, 636368)) && n == 16:
		return "elo"
	case (prefixIn(d, 6, 606282, 606282) || prefixIn(d, 4, 3841, 3841)) && n >= 16 && n <= 19:
		return "hipercard"
	case (prefixIn(d, 4, 6011, 6011) || prefixIn(d, 3, 644, 649) || prefixIn(d, 2, 65, 65) ||
		prefixIn(d, 6, 622126, 622925)) && n >= 16 && n <= 19:
		return "discover"
	case prefixIn(d, 4, 3528, 3589) && n >= 16 && n <= 19:
		return "jcb"
	case (prefixIn(d, 3, 300, 305) || prefixIn(d, 3, 309, 309) || prefixIn(d, 2, 36, 36) ||
		prefixIn(d, 2, 38, 39)) && n >= 14 && n <= 19:
		return "diners"
	case (prefixIn(d, 2, 60, 60) || prefixIn(d, 2, 81, 82) || prefixIn(d, 3, 508, 508) ||
		prefixIn(d, 3, 353, 353) || prefixIn(d, 3, 356, 356)) && n == 16:
		return "rupay"
	case prefixIn(d, 2, 62, 62) && n >= 16 && n <= 19:
		return "unionpay"
	case (prefixIn(d, 4, 5018, 5018) || prefixIn(d, 4, 5020, 5020) || prefixIn(d, 4, 5038, 5038) ||
		prefixIn(d, 4, 5893, 5893) || prefixIn(d, 4, 6304, 6304) || prefixIn(d, 4, 6759, 6759) ||
		prefixIn(d, 4, 6761, 6763)) && n >= 12 && n <= 19,
		(prefixIn(d, 2, 56, 58) || prefixIn(d, 2, 67, 67)) && n >= 16 && n <= 19:
		return "maestro"
	}
	return ""
}

// ibanLengths is the IBAN length per country (SWIFT IBAN registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
	"BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
	"DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
	"FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
	"GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
	"LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
	"MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
	"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
	"SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
	"SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
	"YE": 30,
}

// ibanValid checks an IBAN (upper case, no spaces): length for its country
// and the mod-97 checksum.
func ibanValid(s []byte) bool {
	return len(s) >= 15 && ibanLengths[string(s[:2])] == len(s) && Mod97(s)
}

// Mod97 reports whether an IBAN-shaped string (upper-case letters and digits,
// no spaces) passes the ISO 13616 mod-97 check, whatever its length. The
// audit sanitizer shares it.
func Mod97(s []byte) bool {
	if len(s) < 5 {
		return false
	}
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[(i+4)%len(s)]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// panEntity lists the valid 4th letters of an Indian PAN (holder type).
const panEntity = "PCHFATBLJG"

// ifscBanks are bank codes of common Indian IFSCs; an IFSC with a known code
// needs no context.
var ifscBanks = map[string]bool{
	"SBIN": true, "HDFC": true, "ICIC": true, "UTIB": true, "PUNB": true, "BARB": true,
	"CNRB": true, "UBIN": true, "IOBA": true, "IDIB": true, "KKBK": true, "YESB": true,
	"INDB": true, "IDFB": true, "BKID": true, "MAHB": true, "CBIN": true, "UCBA": true,
	"FDRL": true, "KARB": true, "SIBL": true, "RATN": true, "AUBL": true, "CIUB": true,
	"KVBL": true, "TMBL": true, "DLXB": true, "JAKA": true, "PSIB": true, "CSBK": true,
	"DBSS": true, "SCBL": true, "CITI": true, "HSBC": true, "DEUT": true, "BDBL": true,
	"ESFB": true, "UJVN": true, "FINO": true, "PYTM": true, "AIRP": true, "IPOS": true,
	"NSPB": true, "KVGB": true, "ORBC": true, "ALLA": true, "ANDB": true, "CORP": true,
	"VIJB": true, "SYNB": true,
}
