package ascii

import "testing"

func TestHasPrefixFold(t *testing.T) {
	for _, c := range []struct {
		s, prefix string
		want      bool
	}{
		{"URL(x)", "url(", true},
		{"url(x)", "url(", true},
		{"uRl", "url(", false},
		{"@IMPORT 'a'", "@import", true},
		{"\x08rl(", "(rl(", false}, // only letters fold
		{"Path=/", "path=", true},
		{"", "", true},
		{"x", "", true},
	} {
		if got := HasPrefixFold(c.s, c.prefix); got != c.want {
			t.Errorf("HasPrefixFold(%q, %q) = %v", c.s, c.prefix, got)
		}
		if got := HasPrefixFold([]byte(c.s), c.prefix); got != c.want {
			t.Errorf("HasPrefixFold([]byte(%q), %q) = %v", c.s, c.prefix, got)
		}
	}
}

func TestAppendLower(t *testing.T) {
	for in, want := range map[string]string{
		"":             "",
		"StyleSheet":   "stylesheet",
		"DNS-Prefetch": "dns-prefetch",
		"\u017ftyle":   "\u017ftyle", // the long s folds to s only in Unicode
		"AZ@[`{az\x00": "az@[`{az\x00",
	} {
		if got := string(AppendLower([]byte("x"), []byte(in))); got != "x"+want {
			t.Errorf("AppendLower(%q) = %q, want %q", in, got, "x"+want)
		}
	}
}
