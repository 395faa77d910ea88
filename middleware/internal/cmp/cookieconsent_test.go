package cmp

import (
	"strings"
	"testing"
	"time"
)

func TestCookieConsent(t *testing.T) {
	r := mustNew(t, []string{"cookieconsent"}, Options{Services: map[string]string{"x": "video"}})
	first := time.Date(2024, 11, 20, 8, 0, 0, 0, time.UTC)
	last := time.Date(2024, 11, 26, 9, 0, 0, 123e6, time.UTC)
	const id = "5c4a8d1e-2f3b-4c5d-8e9f-0a1b2c3d4e5f"
	v3 := func(categories, services string) []Cookie {
		return []Cookie{{"cc_cookie", encodeURIComponent(`{"categories":` + categories + `,"revision":0,"data":null,` +
			`"consentTimestamp":"2024-11-20T08:00:00.000Z","consentId":"` + id + `","services":` + services +
			`,"languageCode":"en","lastConsentTimestamp":"2024-11-26T09:00:00.123Z","expirationTime":1748250000000}`)}}
	}
	v2 := func(level string) []Cookie {
		return []Cookie{{"cc_cookie", `{"level":` + level + `,"revision":0,"data":null,"rfc_cookie":false,` +
			`"consent_date":"2022-05-01T10:00:00.000Z","consent_uuid":"9f0e…","last_consent_update":"2022-05-02T10:00:00.000Z"}`}}
	}
	runReadCases(t, r, []readCase{
		{
			name:    "v3 all granted",
			cookies: v3(`["necessary","functionality","analytics","marketing"]`, `{"necessary":[],"analytics":["ga","hotjar"],"marketing":["fbpixel"]}`),
			want: Decision{CMP: "cookieconsent", Granted: []string{Analytics, Marketing, Preferences},
				Services: []string{"fbpixel", "ga", "hotjar"}, ID: id, Time: last},
			wantOK: true,
		},
		{
			name:    "v3 analytics, services of refused categories left out",
			cookies: v3(`["necessary","analytics"]`, `{"analytics":["ga"],"marketing":["fbpixel"]}`),
			want:    Decision{CMP: "cookieconsent", Granted: []string{Analytics}, Services: []string{"ga"}, ID: id, Time: last},
			wantOK:  true,
		},
		{
			name:    "v3 rejected",
			cookies: v3(`["necessary"]`, `{}`),
			want:    Decision{CMP: "cookieconsent", ID: id, Time: last},
			wantOK:  true,
		},
		{
			name:    "v3 synonyms and unknown names",
			cookies: v3(`["Strictly-Necessary","performance","targeting","Functional","tracking","other"]`, `{}`),
			want:    Decision{CMP: "cookieconsent", Granted: []string{Analytics, Marketing, Preferences}, ID: id, Time: last},
			wantOK:  true,
		},
		{
			name:    "v3 custom category from options",
			cookies: v3(`["necessary","video","Video"]`, `{}`),
			want:    Decision{CMP: "cookieconsent", Granted: []string{"video"}, ID: id, Time: last},
			wantOK:  true,
		},
		{
			name: "v3 without lastConsentTimestamp",
			cookies: []Cookie{{"cc_cookie", encodeURIComponent(`{"categories":["necessary","ads"],"revision":2,` +
				`"consentTimestamp":"2024-11-20T08:00:00.000Z","consentId":"` + id + `"}`)}},
			want:   Decision{CMP: "cookieconsent", Granted: []string{Marketing}, ID: id, Time: first},
			wantOK: true,
		},
		{
			name:    "v2",
			cookies: v2(`["necessary","analytics","targeting"]`),
			want: Decision{CMP: "cookieconsent", Granted: []string{Analytics, Marketing}, ID: "9f0e",
				Time: time.Date(2022, 5, 2, 10, 0, 0, 0, time.UTC)},
			wantOK: true,
		},
		{
			name:    "v2 percent-encoded (rfc_cookie)",
			cookies: []Cookie{{"cc_cookie", encodeURIComponent(`{"level":["necessary","analytics"],"revision":0,"data":null,"rfc_cookie":true}`)}},
			want:    Decision{CMP: "cookieconsent", Granted: []string{Analytics}},
			wantOK:  true,
		},
		{
			name:    "site data nested a little",
			cookies: []Cookie{{"cc_cookie", encodeURIComponent(`{"categories":["analytics"],"data":{"a":{"b":[1,{"c":"]]]}}"}]}}}`)}},
			want:    Decision{CMP: "cookieconsent", Granted: []string{Analytics}},
			wantOK:  true,
		},
		{
			name:    "names match exactly, last repeat wins",
			cookies: []Cookie{{"cc_cookie", `{"Categories":["marketing"],"categories":["marketing"],"categories":["analytics"]}`}},
			want:    Decision{CMP: "cookieconsent", Granted: []string{Analytics}},
			wantOK:  true,
		},
		{name: "absent", cookies: []Cookie{{"cc_cookie_other", "{}"}}},
		{name: "capitalised field only", cookies: []Cookie{{"cc_cookie", `{"Categories":["marketing"]}`}}, wantErr: "neither categories"},
		{name: "neither categories nor level", cookies: []Cookie{{"cc_cookie", `{"revision":0}`}}, wantErr: "neither categories"},
		{name: "null categories", cookies: []Cookie{{"cc_cookie", `{"categories":null}`}}, wantErr: "neither categories"},
		{name: "categories a string", cookies: []Cookie{{"cc_cookie", `{"categories":"analytics"}`}}, wantErr: "invalid json"},
		{name: "consentId a number", cookies: []Cookie{{"cc_cookie", `{"categories":["analytics"],"consentId":5}`}}, wantErr: "invalid json"},
		{name: "services wrong shape", cookies: []Cookie{{"cc_cookie", `{"categories":["analytics"],"services":["ga"]}`}}, wantErr: "invalid json"},
		{name: "truncated", cookies: []Cookie{{"cc_cookie", v3(`["analytics"]`, `{}`)[0].Value[:90]}}, wantErr: "invalid json"},
		{name: "trailing garbage", cookies: []Cookie{{"cc_cookie", `{"categories":["analytics"]}x`}}, wantErr: "invalid json"},
		{name: "deeply nested data", cookies: []Cookie{{"cc_cookie", `{"categories":["analytics"],"data":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`}}, wantErr: "nested deeper"},
		{name: "control character in category", cookies: []Cookie{{"cc_cookie", `{"categories":["analytics\u0007"]}`}}, wantErr: "control character"},
		{name: "invalid utf-8", cookies: []Cookie{{"cc_cookie", "{\"categories\":[\"\xff\"]}"}}, wantErr: "utf-8"},
	})
}
