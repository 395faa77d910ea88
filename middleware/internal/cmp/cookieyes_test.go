package cmp

import (
	"strings"
	"testing"
)

func TestCookieYes(t *testing.T) {
	r := mustNew(t, []string{"cookieyes"}, Options{})
	const id = "OHNOck5kY2gzQjJ6UFlmN2dPUGFkZjVNM2hWRm9lZU4"
	cookie := func(v string) []Cookie { return []Cookie{{"cookieyes-consent", v}} }
	value := func(consent, functional, analytics, performance, ad string) string {
		return "consentid:" + id + ",consent:" + consent + ",action:yes,necessary:yes,functional:" + functional +
			",analytics:" + analytics + ",performance:" + performance + ",advertisement:" + ad + ",other:" + ad
	}
	runReadCases(t, r, []readCase{
		{
			name:    "all granted",
			cookies: cookie(value("yes", "yes", "yes", "yes", "yes")),
			want:    Decision{CMP: "cookieyes", Granted: []string{Analytics, Marketing, Preferences}, ID: id},
			wantOK:  true,
		},
		{
			// CookieYes loads its Analytics tools (Google Analytics) on
			// Analytics alone: Performance is another category.
			name:    "analytics without performance loads analytics tools",
			cookies: cookie(value("yes", "yes", "yes", "no", "no")),
			want:    Decision{CMP: "cookieyes", Granted: []string{Analytics, Preferences}, ID: id},
			wantOK:  true,
		},
		{
			name:    "performance without analytics grants no analytics",
			cookies: cookie(value("yes", "no", "no", "yes", "no")),
			want:    Decision{CMP: "cookieyes", ID: id},
			wantOK:  true,
		},
		{
			name:    "analytics and performance",
			cookies: cookie(value("yes", "no", "yes", "yes", "no")),
			want:    Decision{CMP: "cookieyes", Granted: []string{Analytics}, ID: id},
			wantOK:  true,
		},
		{
			name:    "other does not stand for advertisement",
			cookies: cookie(value("yes", "no", "no", "no", "no")[:len(value("yes", "no", "no", "no", "no"))-2] + "yes"),
			want:    Decision{CMP: "cookieyes", ID: id},
			wantOK:  true,
		},
		{
			name:    "rejected",
			cookies: cookie(value("no", "no", "no", "no", "no")),
			want:    Decision{CMP: "cookieyes", ID: id},
			wantOK:  true,
		},
		{
			name:    "consent no overrides stray yes",
			cookies: cookie(value("no", "yes", "yes", "yes", "yes")),
			want:    Decision{CMP: "cookieyes", ID: id},
			wantOK:  true,
		},
		{
			name:    "percent-encoded",
			cookies: cookie(encodeURIComponent(value("yes", "no", "no", "no", "yes"))),
			want:    Decision{CMP: "cookieyes", Granted: []string{Marketing}, ID: id},
			wantOK:  true,
		},
		{
			name:    "missing categories are not granted",
			cookies: cookie("consentid:abc,consent:yes,action:yes,necessary:yes,analytics:yes"),
			want:    Decision{CMP: "cookieyes", Granted: []string{Analytics}, ID: "abc"},
			wantOK:  true,
		},
		{
			name:    "unknown keys skipped",
			cookies: cookie("consentid:abc,consent:yes,action:yes,advertisement:yes,lastRenewedDate:1700000000000"),
			want:    Decision{CMP: "cookieyes", Granted: []string{Marketing}, ID: "abc"},
			wantOK:  true,
		},
		{name: "before action", cookies: cookie("consentid:abc,consent:no,action:,necessary:yes,functional:no,analytics:no")},
		{name: "action no", cookies: cookie("consentid:abc,consent:yes,action:no,analytics:yes,performance:yes")},
		{name: "absent", cookies: []Cookie{{"cky-consent", "x"}}},
		{name: "no consent key", cookies: cookie("consentid:abc,action:yes,analytics:yes"), wantErr: "no consent key"},
		{name: "bad consent", cookies: cookie("consent:maybe,action:yes"), wantErr: "want yes or no"},
		{name: "bad action", cookies: cookie("consent:yes,action:later"), wantErr: "want yes or no"},
		{name: "bad category value", cookies: cookie("consent:yes,action:yes,analytics:true"), wantErr: "want yes or no"},
		{name: "bad performance value", cookies: cookie("consent:yes,action:yes,performance:1"), wantErr: "want yes or no"},
		{name: "no colon", cookies: cookie("consent:yes,action:yes,analytics"), wantErr: "not key:value"},
		{name: "duplicate key", cookies: cookie("consent:yes,action:yes,analytics:no,analytics:yes"), wantErr: "repeated"},
		{name: "truncated", cookies: cookie(value("yes", "yes", "yes", "yes", "yes")[:75]), wantErr: "cookieyes"},
		{name: "nul", cookies: cookie("consent:yes%00,action:yes"), wantErr: "control character"},
		{name: "huge", cookies: cookie("consent:yes,x:" + strings.Repeat("y", 9000)), wantErr: "over the limit"},
	})
}
