package htmlrewrite

import (
	"bytes"
	"fmt"
	"testing"
)

// describeAttrs renders what a lexing left in e, for comparisons.
func describeAttrs(e *Element, n int) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "len %d self-closing %v:", n, e.selfClose)
	for _, a := range e.attrs {
		fmt.Fprintf(&b, " [%s %d-%d %d-%d %v]", a.key, a.keyStart, a.keyEnd, a.valStart, a.valEnd, a.hasValue)
	}
	return b.String()
}

// checkQuickLex compares quickLex with the lexer on the start tag at the
// beginning of tag, when quickLex takes it.
func checkQuickLex(t *testing.T, where string, tag []byte) (taken bool) {
	t.Helper()
	end, _ := readName(tag, 1)
	nameLen := end - 1
	if nameLen == 0 {
		return false
	}
	if n := bytes.ToLower(tag[1:end]); string(n) == "svg" || string(n) == "math" {
		return false // tdewolff reads these whole; the rewriter never lexes them
	}
	var quick, lexed Element
	n, ok := quickLex(tag, nameLen, &quick)
	if !ok {
		return false
	}
	var lx tagLexer
	m, res := lx.lex(tag[:n], nameLen, &lexed)
	if res != lexDone || describeAttrs(&quick, n) != describeAttrs(&lexed, m) {
		t.Errorf("%s: %q\nquickLex: %s\nlexer:    %s (result %v)", where, tag[:n], describeAttrs(&quick, n), describeAttrs(&lexed, m), res)
	}
	return true
}

// TestQuickLexAgreesWithLexer reads every start tag of the real pages both
// ways: where quickLex takes a tag, it must find what tdewolff's lexer
// (with the standard's fixes) finds.
func TestQuickLexAgreesWithLexer(t *testing.T) {
	tags, taken := 0, 0
	for name, page := range realPages(t) {
		for i := 0; i < len(page); i++ {
			if page[i] != '<' || i+1 >= len(page) || !isASCIIAlpha(page[i+1]) {
				continue
			}
			tags++
			if checkQuickLex(t, fmt.Sprintf("%s at %d", name, i), page[i:]) {
				taken++
			}
		}
	}
	t.Logf("quickLex took %d of %d start tags", taken, tags)
	if taken < tags/2 {
		t.Errorf("quickLex took only %d of %d start tags", taken, tags)
	}
}

func TestQuickLexEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		tag   string
		taken bool
	}{
		{`<img src="a.png" alt='x' width=3>`, true},
		{`<img src=a.png/>`, true},
		{`<br/>`, true},
		{`<a href="x"/>`, true},
		{"<img\tsrc\n=\r\"a\"\f>", true},
		{`<input disabled value=x>`, true},
		{`<img src="a>b" alt=1>`, true},
		{`<img SRC=x>`, false},          // upper case: the lexer lower-cases
		{`<img src="a"alt=1>`, false},   // a name right after a quoted value
		{`<script/src=x>`, false},       // '/' as a separator
		{`<img =src=x>`, false},         // '=' starting a name
		{`<img src=>`, false},           // '>' where the value begins
		{`<img src="x`, false},          // unterminated
		{`<img a"b=1>`, false},          // quote in a name
		{"<img a\x00b=1>", false},       // NUL in a name
		{`<img src=x alt="<b>">`, true}, // '<' inside a value
		{`<img src=a"b'c<d=e>`, true},   // unquoted value with oddities
		{`<meta charset=utf-8 / >`, false},
	} {
		got := checkQuickLex(t, tc.tag, []byte(tc.tag))
		if got != tc.taken {
			t.Errorf("quickLex(%q) took it: %v, want %v", tc.tag, got, tc.taken)
		}
	}
}

// FuzzQuickLex checks quickLex against the lexer on arbitrary tags.
func FuzzQuickLex(f *testing.F) {
	for _, s := range []string{
		`<img src="a.png" alt='x' width=3>`, `<a href=x/>`, "<input\tdisabled\nvalue=x>", `<script async src="//t.example/x.js"></script>`,
		`<img src="a"alt=1>`, `<link rel=preload href=/x as=script />`, `<iframe srcdoc="<p>x</p>" src=y>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, tag []byte) {
		if len(tag) < 2 || tag[0] != '<' || !isASCIIAlpha(tag[1]) {
			return
		}
		checkQuickLex(t, "fuzz", tag)
	})
}
