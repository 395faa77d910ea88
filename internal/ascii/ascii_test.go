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
