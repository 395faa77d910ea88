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
