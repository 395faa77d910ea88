package rules

import "bytes"

// pattern is one string searched for in inline scripts.
type pattern struct {
	text   string
	vendor int32
	// url marks a host or host/path: it counts only where it reads as the
	// host of a URL ("//www.host.com/…", also JSON-escaped "\/\/"), not
	// as a word in data.
	url bool
}

// matcher finds many fixed strings in a text in one pass. Every pattern is
// filed under its first two bytes; a bitmap of those pairs (8 KiB, so it
// stays in the first-level cache) lets the scan skip positions where no
// pattern can start.
type matcher struct {
	bits    [1 << 16 / 64]uint64
	buckets map[uint16][]pattern
}

func newMatcher(ps []pattern) *matcher {
	m := &matcher{buckets: make(map[uint16][]pattern)}
	seen := make(map[string]bool)
	for i := len(ps) - 1; i >= 0; i-- { // later vendors win
		p := ps[i]
		if len(p.text) < 2 || seen[p.text] {
			continue
		}
		seen[p.text] = true
		k := uint16(p.text[0])<<8 | uint16(p.text[1])
		m.bits[k>>6] |= 1 << (k & 63)
		m.buckets[k] = append(m.buckets[k], p)
	}
	return m
}

// scan returns the union of need over the vendors of every pattern found
// in text, and the vendor of the earliest match (-1 if none).
func (m *matcher) scan(text []byte, need []CategorySet) (CategorySet, int32) {
	var union CategorySet
	first := int32(-1)
	if len(m.buckets) == 0 {
		return 0, -1
	}
	for i := 0; i+1 < len(text); i++ {
		k := uint16(text[i])<<8 | uint16(text[i+1])
		if m.bits[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		for _, p := range m.buckets[k] {
			if len(text)-i >= len(p.text) && bytes.Equal(text[i:i+len(p.text)], []byte(p.text)) {
				if p.url && !urlHostAt(text, i) {
					continue
				}
				if first < 0 {
					first = p.vendor
				}
				union |= need[p.vendor]
			}
		}
	}
	return union, first
}

// urlHostAt reports whether the host starting at text[i] is the host of a
// URL: reading back over a subdomain ("www.", "ssl.") it must meet "//"
// (or the JSON-escaped "\/\/"), and the host must not continue a longer
// name ("notgoogle-analytics.com").
func urlHostAt(text []byte, i int) bool {
	j := i
	if j > 0 && text[j-1] != '.' && text[j-1] != '/' {
		return false
	}
	for j > 0 && isHostByte(text[j-1]) {
		j--
	}
	switch {
	case j >= 2 && text[j-1] == '/' && text[j-2] == '/':
		return true
	case j >= 4 && string(text[j-4:j]) == `\/\/`:
		return true
	}
	return false
}

func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.'
}
