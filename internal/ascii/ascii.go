// Package ascii holds the ASCII case folding the project's parsers share.
package ascii

// HasPrefixFold reports whether s begins with prefix, which is lower case,
// ASCII letters compared without regard to case.
func HasPrefixFold[T string | []byte](s T, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// AppendLower appends b to dst with ASCII capitals in lower case, the case
// folding HTML gives tag names and keywords; other bytes are kept.
func AppendLower(dst, b []byte) []byte {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// IsSpace reports whether c is ASCII whitespace as HTML and CSS define it:
// space, tab, line feed, form feed and carriage return.
func IsSpace(c byte) bool { return space[c] }

var space = [256]bool{' ': true, '\t': true, '\n': true, '\f': true, '\r': true}

// IsHex reports whether c is a hexadecimal digit.
func IsHex(c byte) bool { return hexValue[c] != 0 }

// HexVal returns the value of the hexadecimal digit c, and whether c is
// one.
func HexVal(c byte) (byte, bool) {
	v := hexValue[c]
	return v - 1, v != 0
}

// hexValue holds one more than each hexadecimal digit's value, 0 for other
// bytes.
var hexValue = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c-'0') + 1
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 11
		t[c-'a'+'A'] = byte(c-'a') + 11
	}
	return t
}()
