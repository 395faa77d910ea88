package middleware

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consentgate/consentgate/rules"
)

// referenceCookieName is an independent reading of RFC 6265bis section
// 5.6, written from the text rather than from browserCookieName: it walks
// the line once, byte by byte, as a state machine.
func referenceCookieName(line string) (string, bool) {
	// Go writes CR and LF as spaces.
	b := []byte(line)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	line = string(b)
	var name, value []byte
	inValue, sawEq := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c <= 0x08 || c >= 0x0a && c <= 0x1f || c == 0x7f {
			return "", false // a control character voids the line
		}
	}
	for i := 0; i < len(line) && line[i] != ';'; i++ {
		c := line[i]
		if !inValue && c == '=' {
			inValue, sawEq = true, true
			continue
		}
		if inValue {
			value = append(value, c)
		} else {
			name = append(name, c)
		}
	}
	if !sawEq {
		name, value = nil, name
	}
	n := strings.Trim(string(name), " \t")
	v := strings.Trim(string(value), " \t")
	if n == "" && v == "" || len(n)+len(v) > 4096 {
		return "", false
	}
	if n == "" {
		// A nameless cookie goes back as its value, read up to '='.
		n = strings.Trim(strings.SplitN(v, "=", 2)[0], " \t")
	}
	return n, true
}

func FuzzSetCookieName(f *testing.F) {
	for _, s := range []string{"_ga=1", "=_ga=1", "_ga =1", " _ga", "a\x00b=1", "a=b; Path=/", `"a=b"=c`, "=", "", "\t=\t", "a\r\nb=1", strings.Repeat("a", 4097) + "=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		got, ok := browserCookieName(line)
		want, wantOK := referenceCookieName(line)
		if got != want || ok != wantOK {
			t.Fatalf("browserCookieName(%q) = %q, %v; the reference reads %q, %v", line, got, ok, want, wantOK)
		}
	})
}

// FuzzCookieHeaderFilter checks that filtering a Cookie header removes
// exactly the refused cookies, keeps the others byte for byte in order,
// and never panics.
func FuzzCookieHeaderFilter(f *testing.F) {
	for _, s := range []string{"_ga=1; PHPSESSID=x", "a=1;;b=2", " ; _fbp ; =x", "_ga", "x=\"a;b\"; _gid=2"} {
		f.Add(s)
	}
	refuse := func(name string) bool { return strings.HasPrefix(name, "_") }
	f.Fuzz(func(t *testing.T, line string) {
		h := http.Header{"Cookie": {line}}
		removed := filterCookieHeader(h, func(name string) bool { return !refuse(name) })
		var kept []string
		var wantRemoved []string
		eachCookiePair(line, func(pair, name string) {
			if refuse(name) {
				// A pair without '=' is a cookie stored without a name.
				if !strings.Contains(pair, "=") {
					name = "=" + pair
				}
				wantRemoved = append(wantRemoved, name)
			} else {
				kept = append(kept, pair)
			}
		})
		if strings.Join(removed, "|") != strings.Join(wantRemoved, "|") {
			t.Fatalf("removed %q, want %q", removed, wantRemoved)
		}
		got := strings.Join(h["Cookie"], "; ")
		if len(wantRemoved) == 0 {
			if got != line {
				t.Fatalf("a line with nothing to remove changed: %q → %q", line, got)
			}
			return
		}
		if want := strings.Join(kept, "; "); got != want {
			t.Fatalf("kept %q, want %q", got, want)
		}
		eachCookiePair(got, func(_, name string) {
			if refuse(name) {
				t.Fatalf("refused cookie %q survives in %q", name, got)
			}
		})
	})
}

// FuzzConsentCookie checks that any consent cookie value either decodes
// into a consistent decision that encodes back to the same bytes, or is no
// decision at all: nothing malformed turns into consent.
func FuzzConsentCookie(f *testing.F) {
	m, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	rs := m.Rules()
	analytics, _ := rs.Set(rules.Analytics)
	good := encodeConsentCookie(rs, cookieValue{granted: analytics, denied: rs.Optional() &^ analytics, revision: "1", time: time.Unix(1764230400, 0), id: "AAAAAAAAAAAAAAAAAAAAAA", method: methodBanner})
	var vc vendorChoices
	vc = vc.with("youtube", true).with("meta-pixel", false).with("hotjar", true)
	v2 := encodeConsentCookie(rs, cookieValue{granted: analytics, denied: rs.Optional() &^ analytics, revision: "1", time: time.Unix(1764230400, 0), id: "AAAAAAAAAAAAAAAAAAAAAA", method: methodBanner, vendors: vc})
	for _, s := range []string{good, v2, v2 + "x", v2 + "AAAAA", strings.Replace(v2, ".b.", ".b..", 1), "1....1.AAAAAAAAAAAAAAAAAAAAAA.b", "2" + good[1:], good + ".x", "1.analytics+analytics..1.1.AAAAAAAAAAAAAAAAAAAAAA.b", "1.necessary..1.1.AAAAAAAAAAAAAAAAAAAAAA.b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := decodeConsentCookie(rs, s)
		if !ok {
			if v.granted != 0 {
				t.Fatalf("%q: refused but granted %v", s, v.granted)
			}
			return
		}
		if v.granted&v.denied != 0 || (v.granted|v.denied)&rs.NecessarySet() != 0 {
			t.Fatalf("%q: inconsistent decision %+v", s, v)
		}
		for i, c := range v.vendors {
			if _, ok := rs.VendorByID(c.id); !ok || i > 0 && v.vendors[i-1].id >= c.id {
				t.Fatalf("%q: vendor choices %v unsorted or of unknown vendors", s, v.vendors)
			}
		}
		// What it says survives writing and reading again.
		back := encodeConsentCookie(rs, v)
		if again, ok := decodeConsentCookie(rs, back); !ok || again.granted != v.granted || again.denied != v.denied ||
			again.revision != v.revision || !again.time.Equal(v.time) || again.id != v.id || again.method != v.method ||
			!slices.Equal(again.vendors, v.vendors) {
			t.Fatalf("%q decodes to %+v, which encodes as %q and reads back as %+v", s, v, back, again)
		}
		if len(v.vendors) == 0 && s[0] == '1' && back != s {
			t.Fatalf("%q decodes but encodes back as %q", s, back)
		}
		// Through a request: only a complete, current decision counts.
		req, _ := http.NewRequest("GET", "https://x.example/", nil)
		req.Header.Set("Cookie", "consentgate="+s)
		c := m.consentOf(req)
		if c.Decided && (v.revision != "1" || v.granted|v.denied != rs.Optional()) {
			t.Fatalf("%q: taken as a decision though incomplete or of another revision", s)
		}
	})
}

// TestGuardCookieNames holds browserCookieName to the table of cookie
// strings the run-time guard's reading is held to (its TestCookieNames),
// so that a script's document.cookie write and a Set-Cookie header of the
// same string are judged by the same name.
func TestGuardCookieNames(t *testing.T) {
	b, err := os.ReadFile("internal/guard/testdata/cookie-names.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Line, Name string }
	if err := json.Unmarshal(b, &cases); err != nil || len(cases) == 0 {
		t.Fatalf("the table: %v (%d cases)", err, len(cases))
	}
	for _, tc := range cases {
		name, ok := browserCookieName(tc.Line)
		if !ok {
			name = ""
		}
		if name != tc.Name {
			t.Errorf("cookie string %.40q: the server reads name %q, the table %q", tc.Line, name, tc.Name)
		}
	}
}
