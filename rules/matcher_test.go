package rules

import (
	"math/rand/v2"
	"testing"
)

// builtinMatcher is the inline-script matcher of the built-in catalogue.
func builtinMatcher(tb testing.TB) (*matcher, []CategorySet) {
	tb.Helper()
	vs, err := Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	rs, err := Compile(vs, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if rs.scripts.short {
		tb.Fatal("the built-in catalogue has a two-byte script pattern: the scan looks at every pair and this test checks nothing")
	}
	return rs.scripts, rs.need
}

// scriptText puts pattern texts of m at random offsets, odd and even, in
// random filler, with URL context around some of them.
func scriptText(m *matcher, r *rand.Rand) []byte {
	var pats []string
	for _, b := range m.buckets {
		for _, p := range b {
			pats = append(pats, p.text)
		}
	}
	const filler = "abc =;(){}'\"/\\.\n\t"
	var b []byte
	for range 1 + r.IntN(6) {
		for range r.IntN(9) {
			b = append(b, filler[r.IntN(len(filler))])
		}
		switch r.IntN(4) {
		case 0:
			b = append(b, "//"...)
		case 1:
			b = append(b, `"`...)
		case 2:
			b = append(b, `\/\/www.`...)
		}
		p := pats[r.IntN(len(pats))]
		if r.IntN(5) == 0 {
			p = p[:r.IntN(len(p))] // a near miss
		}
		b = append(b, p...)
		if r.IntN(2) == 0 {
			b = append(b, "/x.js"...)
		}
	}
	return b
}

// TestScanEveryOtherPair holds scan to trying every position on texts
// dense with the catalogue's own patterns: the shortcut must find the same
// vendors and the same first one.
func TestScanEveryOtherPair(t *testing.T) {
	m, need := builtinMatcher(t)
	r := rand.New(rand.NewPCG(1, 2))
	found := 0
	for range 20000 {
		text := scriptText(m, r)
		u1, f1 := m.scan(text, need)
		u2, f2 := m.scanEveryPair(text, need)
		if u1 != u2 || f1 != f2 {
			t.Fatalf("scan(%q) = %v, %d; every pair gives %v, %d", text, u1, f1, u2, f2)
		}
		if f1 >= 0 {
			found++
		}
	}
	if found < 5000 {
		t.Errorf("only %d of 20000 texts matched: the generator does not exercise the matcher", found)
	}
}

// FuzzScan is TestScanEveryOtherPair on any text.
func FuzzScan(f *testing.F) {
	m, need := builtinMatcher(f)
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		f.Add(scriptText(m, r))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		u1, f1 := m.scan(text, need)
		u2, f2 := m.scanEveryPair(text, need)
		if u1 != u2 || f1 != f2 {
			t.Fatalf("scan(%q) = %v, %d; every pair gives %v, %d", text, u1, f1, u2, f2)
		}
	})
}
