package main

import (
	"fmt"
	"math/big"
	"strings"
)

// Independent implementations of the checksums, for generating test data.

func luhnCheckDigit(payload string) byte {
	sum := 0
	for i := 0; i < len(payload); i++ {
		d := int(payload[len(payload)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// card returns a Luhn-valid number with the prefix and length.
func card(prefix string, length int) string {
	p := prefix + digits(length-len(prefix)-1)
	return p + string(luhnCheckDigit(p))
}

// badCard returns a number with a card prefix that fails Luhn.
func badCard(prefix string, length int) string {
	v := card(prefix, length)
	last := v[len(v)-1]
	return v[:len(v)-1] + string('0'+(last-'0'+1+byte(rng.IntN(8)))%10)
}

var cardPrefixes = []struct {
	prefix string
	length int
}{
	{"4", 16}, {"4", 16}, {"4", 13}, {"51", 16}, {"55", 16}, {"2221", 16}, {"2720", 16},
	{"2345", 16}, {"34", 15}, {"37", 15}, {"6011", 16}, {"65", 16}, {"3530", 16},
	{"3589", 16}, {"36", 14}, {"38", 16}, {"60", 16}, {"6521", 16}, {"8100", 16}, {"508", 16},
}

func anyCard() (string, int) {
	p := cardPrefixes[rng.IntN(len(cardPrefixes))]
	return card(p.prefix, p.length), p.length
}

// formatCard prints a card number the way people write it.
func formatCard(v string) string {
	switch {
	case len(v) == 15:
		return pick(v, group(v, " ", 4, 6, 5), group(v, "-", 4, 6, 5))
	case len(v) == 16:
		return pick(v, group(v, " ", 4, 4, 4, 4), group(v, "-", 4, 4, 4, 4), group(v, ".", 4, 4, 4, 4))
	}
	return v
}

var verD = [10][10]int{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
	{3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
	{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
	{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
}
var verP = [8][10]int{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
	{8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
	{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
}
var verInv = [10]int{0, 4, 3, 2, 1, 5, 6, 7, 8, 9}

func verhoeffDigit(payload string) byte {
	c := 0
	for i := 0; i < len(payload); i++ {
		c = verD[c][verP[(i+1)%8][payload[len(payload)-1-i]-'0']]
	}
	return byte('0' + verInv[c])
}

func aadhaar() string {
	p := string(byte('2'+rng.IntN(8))) + digits(10)
	return p + string(verhoeffDigit(p))
}

func badAadhaar() string {
	v := aadhaar()
	return v[:11] + string('0'+(v[11]-'0'+1+byte(rng.IntN(8)))%10)
}

func ssn() string {
	area := 1 + rng.IntN(898)
	for area == 666 {
		area = 1 + rng.IntN(898)
	}
	return fmt.Sprintf("%03d-%02d-%04d", area, 1+rng.IntN(99), 1+rng.IntN(9999))
}

func aba() string {
	prefixes := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72}
	p := fmt.Sprintf("%02d", prefixes[rng.IntN(len(prefixes))]) + digits(6)
	w := []int{3, 7, 1, 3, 7, 1, 3, 7}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += w[i] * int(p[i]-'0')
	}
	return p + string(byte('0'+(10-sum%10)%10))
}

var ibanFormats = []struct {
	cc   string
	bban func() string
}{
	{"DE", func() string { return digits(18) }},
	{"GB", func() string { return pick("NWBK", "BARC", "HBUK", "LOYD", "MIDL") + digits(14) }},
	{"FR", func() string { return digits(10) + upperAlnum(11) + digits(2) }},
	{"ES", func() string { return digits(20) }},
	{"IT", func() string { return "X" + digits(10) + upperAlnum(12) }},
	{"NL", func() string { return pick("ABNA", "INGB", "RABO") + digits(10) }},
	{"BE", func() string { return digits(12) }},
	{"CH", func() string { return digits(17) }},
	{"AE", func() string { return digits(19) }},
	{"SA", func() string { return digits(20) }},
	{"PL", func() string { return digits(24) }},
	{"IE", func() string { return pick("AIBK", "BOFI") + digits(14) }},
}

func upperAlnum(n int) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = a[rng.IntN(len(a))]
	}
	return string(b)
}

func ibanCheck(cc, bban string) string {
	var sb strings.Builder
	for _, r := range bban + cc + "00" {
		if r >= 'A' && r <= 'Z' {
			sb.WriteString(fmt.Sprint(int(r-'A') + 10))
		} else {
			sb.WriteRune(r)
		}
	}
	n, _ := new(big.Int).SetString(sb.String(), 10)
	m := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%02d", 98-m)
}

func iban() string {
	f := ibanFormats[rng.IntN(len(ibanFormats))]
	b := f.bban()
	return f.cc + ibanCheck(f.cc, b) + b
}

func badIBAN() string {
	v := iban()
	c := v[2:4]
	wrong := fmt.Sprintf("%02d", (int(c[0]-'0')*10+int(c[1]-'0')+1+rng.IntN(50))%97+2)
	return v[:2] + wrong + v[4:]
}

func printedIBAN(v string) string {
	var parts []string
	for len(v) > 4 {
		parts = append(parts, v[:4])
		v = v[4:]
	}
	return strings.Join(append(parts, v), " ")
}

const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func letters(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = upper[rng.IntN(26)]
	}
	return string(b)
}

func pan() string {
	return letters(3) + string("PCHFATBLJG"[rng.IntN(10)]) + letters(1) + digits(4) + letters(1)
}

func badPAN() string {
	return letters(3) + string("DEIKMNOQRSUVWXYZ"[rng.IntN(16)]) + letters(1) + digits(4) + letters(1)
}

func ifsc() string {
	bank := pick("SBIN", "HDFC", "ICIC", "UTIB", "PUNB", "BARB", "CNRB", "KKBK", "YESB", "IDFB", "INDB", "UBIN")
	return bank + "0" + pick(digits(6), digits(6), digits(6), letters(2)+digits(4))
}

func indianMobile() string { return string(byte('6'+rng.IntN(4))) + digits(9) }

func usPhone() string {
	return string(byte('2'+rng.IntN(8))) + digits(2) + string(byte('2'+rng.IntN(8))) + digits(6)
}

func ipv4() string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+rng.IntN(223), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
}

func ipv6() string {
	g := func() string { return fmt.Sprintf("%x", rng.IntN(0xffff)+1) }
	switch rng.IntN(3) {
	case 0:
		return strings.Join([]string{"2001", "db8", g(), g(), g(), g(), g(), g()}, ":")
	case 1:
		return "2001:db8::" + g() + ":" + g()
	}
	return "fe80::" + g() + ":" + g() + ":" + g() + ":" + g()
}
