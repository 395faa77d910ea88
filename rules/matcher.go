package rules

import "bytes"

// pattern is one string searched for in inline scripts.
type pattern struct {
	text   string
	vendor int32
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
				if first < 0 {
					first = p.vendor
				}
				union |= need[p.vendor]
			}
		}
	}
	return union, first
}
