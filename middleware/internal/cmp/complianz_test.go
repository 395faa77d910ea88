package cmp

import (
	"strings"
	"testing"
)

func TestComplianz(t *testing.T) {
	r := mustNew(t, []string{"complianz"}, Options{})
	jar := func(stats, mkt, prefs string, extra ...Cookie) []Cookie {
		c := append(extra, Cookie{"cmplz_consented_services", ""}, Cookie{"cmplz_policy_id", "38"})
		if mkt != "" {
			c = append(c, Cookie{"cmplz_marketing", mkt})
		}
		if stats != "" {
			c = append(c, Cookie{"cmplz_statistics", stats})
		}
		if prefs != "" {
			c = append(c, Cookie{"cmplz_preferences", prefs})
		}
		return append(c, Cookie{"cmplz_functional", "allow"}, Cookie{"cmplz_banner-status", "dismissed"})
	}
	runReadCases(t, r, []readCase{
		{
			name:    "all granted",
			cookies: jar("allow", "allow", "allow", Cookie{"cmplz_id", "91093"}),
			want:    Decision{CMP: "complianz", Granted: []string{Analytics, Marketing, Preferences}, ID: "91093"},
			wantOK:  true,
		},
		{
			name:    "statistics only",
			cookies: jar("allow", "deny", "deny"),
			want:    Decision{CMP: "complianz", Granted: []string{Analytics}},
			wantOK:  true,
		},
		{
			name:    "all denied",
			cookies: jar("deny", "deny", "deny"),
			want:    Decision{CMP: "complianz"},
			wantOK:  true,
		},
		{
			name:    "missing category cookie is not granted",
			cookies: jar("", "allow", ""),
			want:    Decision{CMP: "complianz", Granted: []string{Marketing}},
			wantOK:  true,
		},
		{
			name: "services accepted one by one are listed, not granted",
			cookies: []Cookie{{"cmplz_marketing", "deny"}, {"cmplz_statistics", "deny"},
				{"cmplz_consented_services", encodeURIComponent(`{"youtube":true,"google-maps":false}`)}},
			want:   Decision{CMP: "complianz", Services: []string{"youtube"}},
			wantOK: true,
		},
		{
			name:    "plain json services",
			cookies: []Cookie{{"cmplz_marketing", "deny"}, {"cmplz_consented_services", `{"youtube":true}`}},
			want:    Decision{CMP: "complianz", Services: []string{"youtube"}},
			wantOK:  true,
		},
		{
			name:    "first of repeated cookies wins",
			cookies: []Cookie{{"cmplz_marketing", "deny"}, {"cmplz_marketing", "allow"}},
			want:    Decision{CMP: "complianz"},
			wantOK:  true,
		},
		{
			name:    "anonymous statistics is not analytics consent",
			cookies: []Cookie{{"cmplz_statistics-anonymous", "allow"}, {"cmplz_marketing", "deny"}},
			want:    Decision{CMP: "complianz"},
			wantOK:  true,
		},
		{name: "only other cmplz cookies", cookies: []Cookie{{"cmplz_banner-status", "dismissed"}, {"cmplz_policy_id", "38"}, {"cmplz_statistics-anonymous", "allow"}}},
		{name: "absent", cookies: []Cookie{{"complianz_consent_status", "allow"}}},
		{name: "bad value", cookies: jar("allow", "yes", "allow"), wantErr: "want allow or deny"},
		{name: "empty value", cookies: jar("allow", "deny", "", Cookie{"cmplz_preferences", ""}), wantErr: "want allow or deny"},
		{name: "packing cannot be forged", cookies: []Cookie{{"cmplz_statistics", "deny"}, {"cmplz_marketing", "5:allow"}}, wantErr: "want allow or deny"},
		{name: "truncated value", cookies: jar("allo", "deny", "deny"), wantErr: "want allow or deny"},
		{name: "bad services json", cookies: jar("allow", "allow", "allow", Cookie{"cmplz_consented_services", `{"youtube":tr`}), wantErr: "consented_services"},
		{name: "services not an object", cookies: jar("allow", "allow", "allow", Cookie{"cmplz_consented_services", `["youtube"]`}), wantErr: "not a json object"},
		{name: "nul in id", cookies: jar("allow", "allow", "allow", Cookie{"cmplz_id", "1%00"}), wantErr: "control character"},
		{name: "huge services", cookies: jar("allow", "allow", "allow", Cookie{"cmplz_consented_services", strings.Repeat("%7B", 3000)}), wantErr: "over the limit"},
		{name: "value with framing characters", cookies: jar("5:allow", "deny", "deny"), wantErr: "want allow or deny"},
	})
}

func TestComplianzPacking(t *testing.T) {
	for _, raw := range []string{"", "-", "-----x", "9:allow----", "x:allow----", "5:allow---", "5:allow-----", "-1:-----"} {
		if _, _, err := decodeComplianz(&config{}, raw); err == nil {
			t.Errorf("decodeComplianz(%q) gave no error", raw)
		}
	}
	raw, ok := findComplianz([]Cookie{{"cmplz_marketing", "allow"}, {"cmplz_id", "7"}})
	if !ok || raw != "-5:allow--1:7" {
		t.Fatalf("findComplianz = %q, %v", raw, ok)
	}
}
