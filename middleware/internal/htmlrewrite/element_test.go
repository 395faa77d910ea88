package htmlrewrite

import "testing"

func TestDecodeAttr(t *testing.T) {
	for in, want := range map[string]string{
		"a=1&amp;b=2":               "a=1&b=2",
		"a=1&b=2":                   "a=1&b=2",  // '=' after a run: literal
		"?x&amp=1":                  "?x&amp=1", // legacy name then '=': literal
		"&ampx":                     "&ampx",    // legacy name then alphanumeric
		"&amp x":                    "& x",      // legacy name, no ';'
		"&middot;&middot":           "··",       // six letters, with and without ';'
		"&frac12;&frac12":           "½½",
		"&utm_source":               "&utm_source", // '_' ends the run: "&utm" is no reference
		"&notit;":                   "&notit;",     // not a reference with ';'; "&not" then "it": literal
		"&notin;":                   "∉",
		"&quot;&lt;&gt;&apos;":      `"<>'`,
		"&#x41;&#65;&#0;&#x110000;": "AA\uFFFD\uFFFD",
		"&#":                        "&#",
		"a\x00b":                    "a\uFFFDb",
		"&NotAnEntityAtAll;":        "&NotAnEntityAtAll;",
		"":                          "",
	} {
		if got := string(decodeAttr([]byte(in))); got != want {
			t.Errorf("decodeAttr(%q) = %q, want %q", in, got, want)
		}
	}
}
