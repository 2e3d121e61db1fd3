package jsonwalk

// maxDepth is encoding/json's limit on nested objects and arrays.
const maxDepth = 10000

// Valid reports whether data is one JSON value, optionally surrounded by
// whitespace, exactly as encoding/json's Valid does (the same grammar, bytes
// above 0x7F accepted in strings unchecked, at most 10,000 nested objects and
// arrays), at several times its speed: every chat request body is checked.
func Valid(data []byte) bool {
	var buf [64]byte
	stack := buf[:0] // the open containers, '{' or '['
	i := SkipSpace(data, 0)
	for {
		// A value starts at i.
		if i >= len(data) {
			return false
		}
		switch c := data[i]; {
		case c == '{' || c == '[':
			if len(stack) >= maxDepth {
				return false
			}
			closer := byte('}')
			if c == '[' {
				closer = ']'
			}
			if i = SkipSpace(data, i+1); i < len(data) && data[i] == closer {
				i++
				break // an empty container is a whole value
			}
			stack = append(stack, c)
			if c == '{' {
				if i = validKey(data, i); i < 0 {
					return false
				}
			}
			continue
		case c == '"':
			i = validString(data, i)
		case c == '-' || c >= '0' && c <= '9':
			i = validNumber(data, i)
		case c == 't':
			i = literal(data, i, "true")
		case c == 'f':
			i = literal(data, i, "false")
		case c == 'n':
			i = literal(data, i, "null")
		default:
			return false
		}
		if i < 0 {
			return false
		}
		// A value ended at i: close containers until the next value starts.
		for {
			i = SkipSpace(data, i)
			if len(stack) == 0 {
				return i == len(data)
			}
			if i >= len(data) {
				return false
			}
			top := stack[len(stack)-1]
			if c := data[i]; c == ',' {
				i = SkipSpace(data, i+1)
				if top == '{' {
					if i = validKey(data, i); i < 0 {
						return false
					}
				}
				break
			} else if top == '{' && c == '}' || top == '[' && c == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return false
		}
	}
}

// validKey checks an object key and its colon at i and returns where the
// member's value starts, or -1.
func validKey(data []byte, i int) int {
	if i >= len(data) || data[i] != '"' {
		return -1
	}
	if i = validString(data, i); i < 0 {
		return -1
	}
	if i = SkipSpace(data, i); i >= len(data) || data[i] != ':' {
		return -1
	}
	return SkipSpace(data, i+1)
}

// strStop marks the bytes a string's plain run stops at: the quote, the
// backslash and control characters.
var strStop = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// validString checks the string starting at data[i] == '"' and returns the
// index after its closing quote, or -1.
func validString(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		c := data[j]
		if !strStop[c] {
			continue
		}
		switch {
		case c == '"':
			return j + 1
		case c < 0x20:
			return -1
		}
		// a backslash
		if j++; j >= len(data) {
			return -1
		}
		switch data[j] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			if j+4 >= len(data) || !isHex(data[j+1]) || !isHex(data[j+2]) || !isHex(data[j+3]) || !isHex(data[j+4]) {
				return -1
			}
			j += 4
		default:
			return -1
		}
	}
	return -1
}

func isHex(c byte) bool { return c-'0' < 10 || (c|0x20)-'a' < 6 }

// validNumber checks the number starting at data[i] and returns its end,
// or -1: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(data []byte, i int) int {
	if data[i] == '-' {
		if i++; i >= len(data) {
			return -1
		}
	}
	switch c := data[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		i = digits(data, i+1)
	default:
		return -1
	}
	if i < len(data) && data[i] == '.' {
		if i+1 >= len(data) || !isDigit(data[i+1]) {
			return -1
		}
		i = digits(data, i+1)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		if i++; i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return -1
		}
		i = digits(data, i)
	}
	return i
}

func isDigit(c byte) bool { return c-'0' < 10 }

func digits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

func literal(data []byte, i int, lit string) int {
	if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}
