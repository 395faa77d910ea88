package cmp

import (
	"strings"
	"testing"
)

func TestBorlabs(t *testing.T) {
	r := mustNew(t, []string{"borlabs"}, Options{})
	const uid = "3r1ezs6q-0s3e6x9e-4t6r3n5f-9k9r0j3s"
	cookie := func(consents string) []Cookie {
		return []Cookie{{"borlabs-cookie", encodeURIComponent(`{"consents":` + consents +
			`,"domainPath":"example.com/","expires":"Wed, 26 Nov 2025 10:00:00 GMT","uid":"` + uid + `","version":"1"}`)}}
	}
	runReadCases(t, r, []readCase{
		{
			name:    "all granted",
			cookies: cookie(`{"essential":["borlabs-cookie"],"statistics":["google-analytics"],"marketing":["facebook-pixel"],"external-media":["youtube","googlemaps"]}`),
			want: Decision{CMP: "borlabs", Granted: []string{Analytics, Marketing},
				Services: []string{"borlabs-cookie", "facebook-pixel", "google-analytics", "googlemaps", "youtube"}, ID: uid},
			wantOK: true,
		},
		{
			name:    "statistics only",
			cookies: cookie(`{"essential":["borlabs-cookie"],"statistics":["google-analytics"]}`),
			want:    Decision{CMP: "borlabs", Granted: []string{Analytics}, Services: []string{"borlabs-cookie", "google-analytics"}, ID: uid},
			wantOK:  true,
		},
		{
			name:    "essential only",
			cookies: cookie(`{"essential":["borlabs-cookie"]}`),
			want:    Decision{CMP: "borlabs", Services: []string{"borlabs-cookie"}, ID: uid},
			wantOK:  true,
		},
		{
			name:    "external media alone grants no marketing",
			cookies: cookie(`{"essential":["borlabs-cookie"],"external-media":["youtube"]}`),
			want:    Decision{CMP: "borlabs", Services: []string{"borlabs-cookie", "youtube"}, ID: uid},
			wantOK:  true,
		},
		{
			name:    "marketing withheld by refused external media",
			cookies: cookie(`{"essential":["borlabs-cookie"],"marketing":["facebook-pixel"],"external-media":[]}`),
			want:    Decision{CMP: "borlabs", Services: []string{"borlabs-cookie", "facebook-pixel"}, ID: uid},
			wantOK:  true,
		},
		{
			name:    "empty groups are refusals",
			cookies: cookie(`{"essential":["borlabs-cookie"],"statistics":[],"marketing":[]}`),
			want:    Decision{CMP: "borlabs", Services: []string{"borlabs-cookie"}, ID: uid},
			wantOK:  true,
		},
		{
			name:    "borlabs 3 with custom group",
			cookies: []Cookie{{"borlabs-cookie", encodeURIComponent(`{"consents":{"essential":["borlabs-cookie"],"marketing":["google-ads"],"custom-group":["chat"]},"domainPath":"example.com/","expires":"Thu, 27 Nov 2025 10:00:00 GMT","uid":"abc","v3":true,"version":3}`)}},
			want:    Decision{CMP: "borlabs", Granted: []string{Marketing}, Services: []string{"borlabs-cookie", "chat", "google-ads"}, ID: "abc"},
			wantOK:  true,
		},
		{
			name:    "plain json",
			cookies: []Cookie{{"borlabs-cookie", `{"consents":{"statistics":["matomo"]},"uid":"u"}`}},
			want:    Decision{CMP: "borlabs", Granted: []string{Analytics}, Services: []string{"matomo"}, ID: "u"},
			wantOK:  true,
		},
		{name: "absent", cookies: []Cookie{{"borlabs-cookie-other", "{}"}}},
		{name: "no consents", cookies: []Cookie{{"borlabs-cookie", `{"uid":"u","version":"1"}`}}, wantErr: "no consents"},
		{name: "consents wrong shape", cookies: cookie(`{"statistics":"google-analytics"}`), wantErr: "invalid json"},
		{name: "truncated", cookies: []Cookie{{"borlabs-cookie", cookie(`{"statistics":["google-analytics"]}`)[0].Value[:50]}}, wantErr: "invalid json"},
		{name: "empty service id", cookies: cookie(`{"statistics":[""]}`), wantErr: "empty service name"},
		{name: "nul", cookies: cookie(`{"statistics":["ga\u0000"]}`), wantErr: "control character"},
		{name: "huge", cookies: cookie(`{"statistics":["` + strings.Repeat("a", 9000) + `"]}`), wantErr: "over the limit"},
		{name: "nested", cookies: []Cookie{{"borlabs-cookie", strings.Repeat(`{"consents":`, 20) + "{}" + strings.Repeat("}", 20)}}, wantErr: "nested deeper"},
	})
}
