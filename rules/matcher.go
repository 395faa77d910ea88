package rules

import (
	"bytes"
	"slices"
	"sort"
)

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
// stays in the first-level cache) tells where a pattern may start, and a
// dense index turns a pair into its bucket. When every pattern is at least
// three bytes long the scan looks at every other pair only: a pattern
// starting at i covers the pair at i or the one at i+1, whichever is even,
// so a second bitmap holds both the first and the second pair of each
// pattern, and a position that passes it is tried as a start, as is the
// one before it.
type matcher struct {
	first   [1 << 16 / 64]uint64 // the pairs patterns start with
	either  [1 << 16 / 64]uint64 // the pairs at offsets 0 and 1 of patterns
	short   bool                 // a pattern is two bytes long: every pair is looked at
	index   []int32              // pair → bucket + 1; nil when there are no patterns
	buckets [][]pattern
}

func pair(a, b byte) uint16 { return uint16(a)<<8 | uint16(b) }

func has(bits *[1 << 16 / 64]uint64, k uint16) bool { return bits[k>>6]&(1<<(k&63)) != 0 }

func set(bits *[1 << 16 / 64]uint64, k uint16) { bits[k>>6] |= 1 << (k & 63) }

func newMatcher(ps []pattern) *matcher {
	m := &matcher{}
	seen := make(map[string]bool)
	for i := len(ps) - 1; i >= 0; i-- { // later vendors win
		p := ps[i]
		if len(p.text) < 2 || seen[p.text] {
			continue
		}
		seen[p.text] = true
		if m.index == nil {
			m.index = make([]int32, 1<<16)
		}
		k := pair(p.text[0], p.text[1])
		set(&m.first, k)
		set(&m.either, k)
		if len(p.text) >= 3 {
			set(&m.either, pair(p.text[1], p.text[2]))
		} else {
			m.short = true
		}
		if m.index[k] == 0 {
			m.buckets = append(m.buckets, nil)
			m.index[k] = int32(len(m.buckets))
		}
		b := m.index[k] - 1
		m.buckets[b] = append(m.buckets[b], p)
	}
	// Longest first, so the first URL pattern that matches at a position
	// is the most specific one there.
	for _, b := range m.buckets {
		sort.SliceStable(b, func(i, j int) bool { return len(b[i].text) > len(b[j].text) })
	}
	return m
}

// scan returns the union of need over the vendors of every pattern found
// in text, and the vendor of the earliest match (-1 if none). Where host
// and URL patterns match at the same position only the longest counts, as
// MatchURL would judge that URL.
func (m *matcher) scan(text []byte, need []CategorySet) (CategorySet, int32) {
	if m.short {
		return m.scanEveryPair(text, need)
	}
	s := scanState{first: -1}
	if m.index == nil {
		return 0, -1
	}
	for j := 0; j+1 < len(text); j += 2 {
		k := pair(text[j], text[j+1])
		if !has(&m.either, k) {
			continue
		}
		if j > 0 && has(&m.first, pair(text[j-1], text[j])) {
			m.at(text, j-1, need, &s)
		}
		if has(&m.first, k) {
			m.at(text, j, need, &s)
		}
	}
	return s.union, s.first
}

// vendors returns every vendor whose pattern is found in text, in the
// order first found.
func (m *matcher) vendors(text []byte, need []CategorySet) []int32 {
	var all []int32
	s := scanState{first: -1, all: &all}
	if m.index == nil {
		return nil
	}
	for i := 0; i+1 < len(text); i++ {
		if has(&m.first, pair(text[i], text[i+1])) {
			m.at(text, i, need, &s)
		}
	}
	return all
}

// scanEveryPair is scan trying every position as a start: for a two-byte
// pattern, and as the reference the tests hold scan to.
func (m *matcher) scanEveryPair(text []byte, need []CategorySet) (CategorySet, int32) {
	s := scanState{first: -1}
	if m.index == nil {
		return 0, -1
	}
	for i := 0; i+1 < len(text); i++ {
		if has(&m.first, pair(text[i], text[i+1])) {
			m.at(text, i, need, &s)
		}
	}
	return s.union, s.first
}

type scanState struct {
	union CategorySet
	first int32
	all   *[]int32 // when set, every vendor found is appended
}

// at counts the patterns that start at text[i], where a pattern's first
// pair is (i+1 < len(text)).
func (m *matcher) at(text []byte, i int, need []CategorySet, s *scanState) {
	k := pair(text[i], text[i+1])
	urlSeen := false
	for _, p := range m.buckets[m.index[k]-1] {
		// The third byte first: most pairs that begin a pattern here
		// are the start of some other word.
		if len(text)-i < len(p.text) || len(p.text) > 2 && text[i+2] != p.text[2] ||
			!bytes.Equal(text[i:i+len(p.text)], []byte(p.text)) {
			continue
		}
		if p.url {
			if urlSeen || !urlHostAt(text, i, i+len(p.text)) {
				continue
			}
			urlSeen = true
		}
		if s.first < 0 {
			s.first = p.vendor
		}
		s.union |= need[p.vendor]
		if s.all != nil && !slices.Contains(*s.all, p.vendor) {
			*s.all = append(*s.all, p.vendor)
		}
	}
}

// urlHostAt reports whether the host starting at text[i] (the pattern
// ending at text[end]) is the host of a URL: reading back over a subdomain
// ("www.", "ssl.") it must meet "//" (or the JSON-escaped "\\/\\/"), or
// open a string literal whose text goes on with a path, the second half
// of a URL put together in script ("http://www." + "google-analytics.com/
// ga.js", '//' + 'ad.doubleclick.net/N123/adj/'). A host alone in a string
// is a name, as in a consent manager's vendor list. The host must not
// continue a longer name ("notgoogle-analytics.com").
func urlHostAt(text []byte, i, end int) bool {
	j := i
	if j > 0 && text[j-1] != '.' && text[j-1] != '/' && !isQuote(text[j-1]) {
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
	case j >= 1 && isQuote(text[j-1]):
		return bytes.IndexByte(text[i:end], '/') >= 0 || end < len(text) && (text[end] == '/' || text[end] == '\\')
	}
	return false
}

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.'
}
