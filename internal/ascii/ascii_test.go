package ascii

import (
	"strconv"
	"testing"
)

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

func TestIsSpace(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
		if IsSpace(byte(c)) != want {
			t.Errorf("IsSpace(%#x) = %v", c, !want)
		}
	}
}

func TestHex(t *testing.T) {
	for c := 0; c < 256; c++ {
		v, err := strconv.ParseUint(string(rune(c)), 16, 8)
		want := err == nil && c < 0x80
		got, ok := HexVal(byte(c))
		if ok != want || IsHex(byte(c)) != want || ok && uint64(got) != v {
			t.Errorf("HexVal(%q) = %d, %v; IsHex %v; want %d, %v", rune(c), got, ok, IsHex(byte(c)), v, want)
		}
	}
}
