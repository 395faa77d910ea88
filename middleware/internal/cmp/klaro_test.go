package cmp

import (
	"strings"
	"testing"
)

func TestKlaro(t *testing.T) {
	catalogue := map[string]string{"youtube": Marketing, "facebook-pixel": Marketing, "hotjar": Analytics}
	r := mustNew(t, []string{"klaro"}, Options{
		Services: map[string]string{"Matomo": Analytics, "googleAnalytics": Analytics, "intercom": Preferences},
		ServiceCategory: func(s string) (string, bool) {
			c, ok := catalogue[s]
			return c, ok
		},
	})
	cookie := func(json string) []Cookie {
		return []Cookie{{"klaro", encodeURIComponent(json)}}
	}
	runReadCases(t, r, []readCase{
		{
			name:    "all granted",
			cookies: cookie(`{"matomo":true,"googleAnalytics":true,"youtube":true,"facebook-pixel":true,"intercom":true}`),
			want: Decision{CMP: "klaro", Granted: []string{Analytics, Marketing, Preferences},
				Services: []string{"facebook-pixel", "googleAnalytics", "intercom", "matomo", "youtube"}},
			wantOK: true,
		},
		{
			name:    "one of two analytics services refused",
			cookies: cookie(`{"matomo":true,"googleAnalytics":false,"youtube":true,"facebook-pixel":true}`),
			want:    Decision{CMP: "klaro", Granted: []string{Marketing}, Services: []string{"facebook-pixel", "matomo", "youtube"}},
			wantOK:  true,
		},
		{
			name:    "all refused",
			cookies: cookie(`{"matomo":false,"youtube":false}`),
			want:    Decision{CMP: "klaro"},
			wantOK:  true,
		},
		{
			name:    "unknown services listed, grant nothing",
			cookies: cookie(`{"my-widget":true,"matomo":true}`),
			want:    Decision{CMP: "klaro", Granted: []string{Analytics}, Services: []string{"matomo", "my-widget"}},
			wantOK:  true,
		},
		{
			name:    "plain json",
			cookies: []Cookie{{"klaro", `{"hotjar":true}`}},
			want:    Decision{CMP: "klaro", Granted: []string{Analytics}, Services: []string{"hotjar"}},
			wantOK:  true,
		},
		{name: "empty object", cookies: cookie(`{}`), want: Decision{CMP: "klaro"}, wantOK: true},
		{name: "absent", cookies: []Cookie{{"klaro-other", "x"}}},
		{name: "truncated", cookies: cookie(`{"matomo":true,"youtube":tr`), wantErr: "invalid json"},
		{name: "truncated escape", cookies: []Cookie{{"klaro", encodeURIComponent(`{"matomo":true}`)[:20] + "%7"}}, wantErr: "percent-encoding"},
		{name: "string value", cookies: cookie(`{"matomo":"true"}`), wantErr: "invalid json"},
		{name: "null", cookies: cookie(`null`), wantErr: "not a json object"},
		{name: "array", cookies: cookie(`[true]`), wantErr: "not a json object"},
		{name: "nested", cookies: cookie(strings.Repeat(`{"a":`, 40) + "true" + strings.Repeat("}", 40)), wantErr: "nested deeper"},
		{name: "nul in name", cookies: cookie(`{"mat\u0000omo":true}`), wantErr: "control character"},
		{name: "raw nul", cookies: []Cookie{{"klaro", "%7B%22a%00%22%3Atrue%7D"}}, wantErr: "control character"},
		{name: "empty name", cookies: cookie(`{"":true}`), wantErr: "empty service name"},
		{name: "invalid utf-8", cookies: []Cookie{{"klaro", "%7B%22%FF%22%3Atrue%7D"}}, wantErr: "utf-8"},
		{name: "huge", cookies: cookie(`{"` + strings.Repeat("x", 9000) + `":true}`), wantErr: "over the limit"},
		{name: "long name", cookies: cookie(`{"` + strings.Repeat("x", 200) + `":true}`), wantErr: "longer than"},
	})
}

func TestKlaroBadCatalogueCategory(t *testing.T) {
	r := mustNew(t, []string{"klaro"}, Options{ServiceCategory: func(string) (string, bool) { return "Not Valid!", true }})
	runReadCases(t, r, []readCase{{
		name:    "invalid category from the catalogue is unknown",
		cookies: []Cookie{{"klaro", encodeURIComponent(`{"x":true}`)}},
		want:    Decision{CMP: "klaro", Services: []string{"x"}},
		wantOK:  true,
	}})
}
