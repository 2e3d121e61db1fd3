package main

import (
	"math/big"
	"strings"
)

// Checksums written again from the public specifications, sharing no code
// with the engine or with ../gen: ISO/IEC 7812 (Luhn), the dihedral group D5
// (Verhoeff, as UIDAI uses), the ABA 3-7-1 weights, ISO 13616 mod 97.

// luhnComplete appends the digit that makes payload pass Luhn.
func luhnComplete(payload string) string {
	total := 0
	for k := 0; k < len(payload); k++ {
		v := int(payload[k] - '0')
		// the check digit will sit at the right; doubling starts next to it
		if (len(payload)-k)%2 == 1 {
			v = [10]int{0, 2, 4, 6, 8, 1, 3, 5, 7, 9}[v]
		}
		total += v
	}
	return payload + string(rune('0'+(10-total%10)%10))
}

// d5 multiplies elements of the dihedral group of order 10, numbered
// 0-4 rotations and 5-9 reflections.
func d5(a, b int) int {
	ra, fa := a%5, a >= 5
	rb, fb := b%5, b >= 5
	var r int
	if fa {
		r = (ra - rb + 5) % 5
	} else {
		r = (ra + rb) % 5
	}
	if fa != fb {
		return 5 + r
	}
	return r
}

// verhoeffPerm is the permutation (0)(1 5 8 9 4 2 7 0)... used by Verhoeff:
// perm[0] = 1 5 7 6 2 8 3 0 9 4 applied i times.
var verhoeffPerm = func() [8][10]int {
	base := [10]int{1, 5, 7, 6, 2, 8, 3, 0, 9, 4}
	var out [8][10]int
	for d := 0; d < 10; d++ {
		out[0][d] = d
	}
	for i := 1; i < 8; i++ {
		for d := 0; d < 10; d++ {
			out[i][d] = base[out[i-1][d]]
		}
	}
	return out
}()

func verhoeffInverse(x int) int {
	for y := 0; y < 10; y++ {
		if d5(x, y) == 0 {
			return y
		}
	}
	panic("no inverse")
}

// verhoeffComplete appends the Verhoeff check digit.
func verhoeffComplete(payload string) string {
	c := 0
	for i := 0; i < len(payload); i++ {
		d := int(payload[len(payload)-1-i] - '0')
		c = d5(c, verhoeffPerm[(i+1)%8][d])
	}
	return payload + string(rune('0'+verhoeffInverse(c)))
}

func num(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(byte('0' + rnd.IntN(10)))
	}
	return b.String()
}

// cardOf makes a Luhn-valid number of length n starting with prefix.
func cardOf(prefix string, n int) string {
	return luhnComplete(prefix + num(n-len(prefix)-1))
}

// breakLast changes the last digit so that the checksum fails.
func breakLast(v string) string {
	d := int(v[len(v)-1]-'0') + 1 + rnd.IntN(8)
	return v[:len(v)-1] + string(rune('0'+d%10))
}

func aadhaarNum() string {
	return verhoeffComplete(string(rune('2'+rnd.IntN(8))) + num(10))
}

// abaNum makes a routing number with a Federal Reserve prefix (01-12,
// 21-32, 61-72, 80) and a valid 3-7-1 checksum.
func abaNum() string {
	prefixes := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 21, 22, 26, 31, 32, 61, 63, 67, 71, 72}
	p := prefixes[rnd.IntN(len(prefixes))]
	for {
		s := string(rune('0'+p/10)) + string(rune('0'+p%10)) + num(6)
		w := []int{3, 7, 1, 3, 7, 1, 3, 7}
		sum := 0
		for i := range s {
			sum += w[i] * int(s[i]-'0')
		}
		v := s + string(rune('0'+(10-sum%10)%10))
		if strings.Count(v, v[:1]) != 9 {
			return v
		}
	}
}

func ssnNum() string {
	for {
		area := 1 + rnd.IntN(899)
		if area == 666 {
			continue
		}
		grp := 1 + rnd.IntN(99)
		ser := 1 + rnd.IntN(9999)
		return pad(area, 3) + pad(grp, 2) + pad(ser, 4)
	}
}

func pad(v, n int) string {
	s := big.NewInt(int64(v)).String()
	return strings.Repeat("0", n-len(s)) + s
}

func ibanOf(cc, bban string) string {
	var digits strings.Builder
	for _, c := range bban + cc + "00" {
		if c >= 'A' && c <= 'Z' {
			digits.WriteString(big.NewInt(int64(c - 'A' + 10)).String())
		} else {
			digits.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(digits.String(), 10)
	check := 98 - int(new(big.Int).Mod(n, big.NewInt(97)).Int64())
	return cc + pad(check, 2) + bban
}

func upper(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(byte('A' + rnd.IntN(26)))
	}
	return b.String()
}

func panNum() string {
	serial := 1 + rnd.IntN(9999)
	return upper(3) + string("PCHFATBLJG"[rnd.IntN(10)]) + upper(1) + pad(serial, 4) + upper(1)
}

// split cuts s into groups of the sizes, joined by sep.
func split(s, sep string, sizes ...int) string {
	var parts []string
	for _, n := range sizes {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	if s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, sep)
}

func oneOf(xs ...string) string { return xs[rnd.IntN(len(xs))] }
