package cmp

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// oneTrustValue writes an OptanonConsent value as OneTrust's script does.
func oneTrustValue(groups string, interactions string) string {
	return "isGpcEnabled=0&datestamp=Tue+Nov+26+2024+10%3A00%3A00+GMT%2B0100+(Central+European+Standard+Time)" +
		"&version=202409.1.0&browserGpcFlag=0&isIABGlobal=false&hosts=&consentId=0b8c2f4e-6c1a-4a4e-9d55-3f5b2a7e9c11" +
		"&interactionCount=" + interactions + "&isAnonUser=1&landingPath=NotLandingPage" +
		"&groups=" + url.QueryEscape(groups) + "&AwaitingReconsent=false&geolocation=DE%3BBE"
}

func TestOneTrust(t *testing.T) {
	r := mustNew(t, []string{"onetrust"}, Options{})
	when := time.Date(2024, 11, 26, 9, 0, 0, 0, time.UTC)
	const id = "0b8c2f4e-6c1a-4a4e-9d55-3f5b2a7e9c11"
	cookie := func(v string) []Cookie {
		return []Cookie{{"OptanonAlertBoxClosed", "2024-11-26T09:00:00.000Z"}, {"OptanonConsent", v}}
	}
	runReadCases(t, r, []readCase{
		{
			name:    "all granted",
			cookies: cookie(oneTrustValue("C0001:1,C0002:1,C0003:1,C0004:1,C0005:1", "1")),
			want:    Decision{CMP: "onetrust", Granted: []string{Analytics, Marketing, Preferences}, Vendors: socialSet(true), ID: id, Time: when},
			wantOK:  true,
		},
		{
			name:    "performance only",
			cookies: cookie(oneTrustValue("C0001:1,C0002:1,C0003:0,C0004:0,C0005:0", "2")),
			want:    Decision{CMP: "onetrust", Granted: []string{Analytics}, Vendors: socialSet(false), ID: id, Time: when},
			wantOK:  true,
		},
		{
			name:    "all refused",
			cookies: cookie(oneTrustValue("C0001:1,C0002:0,C0003:0,C0004:0,C0005:0", "1")),
			want:    Decision{CMP: "onetrust", Vendors: socialSet(false), ID: id, Time: when},
			wantOK:  true,
		},
		{
			// OneTrust loads targeting tags on C0004 alone; the social
			// widgets of C0005 stay off.
			name:    "targeting without social media: marketing, social widgets refused",
			cookies: cookie(oneTrustValue("C0001:1,C0002:0,C0003:1,C0004:1,C0005:0", "1")),
			want:    Decision{CMP: "onetrust", Granted: []string{Marketing, Preferences}, Vendors: socialSet(false), ID: id, Time: when},
			wantOK:  true,
		},
		{
			name:    "social media without targeting: social widgets only",
			cookies: cookie(oneTrustValue("C0001:1,C0002:0,C0003:0,C0004:0,C0005:1", "1")),
			want:    Decision{CMP: "onetrust", Vendors: socialSet(true), ID: id, Time: when},
			wantOK:  true,
		},
		{
			name:    "targeting on a site without a social media group",
			cookies: cookie(oneTrustValue("C0001:1,C0002:0,C0003:0,C0004:1", "1")),
			want:    Decision{CMP: "onetrust", Granted: []string{Marketing}, ID: id, Time: when},
			wantOK:  true,
		},
		{
			name:    "numeric group ids",
			cookies: cookie(oneTrustValue("1:1,2:1,3:0,4:0", "1")),
			want:    Decision{CMP: "onetrust", Granted: []string{Analytics}, ID: id, Time: when},
			wantOK:  true,
		},
		{
			name:    "vendor groups and stacks ignored",
			cookies: cookie(oneTrustValue("C0001:1,C0002:1,STACK42:1,V2STACK42:0,BG12:1,SPD_BG:1", "1")),
			want:    Decision{CMP: "onetrust", Granted: []string{Analytics}, ID: id, Time: when},
			wantOK:  true,
		},
		{
			name:    "minimal cookie without datestamp",
			cookies: cookie("groups=C0001%3A1%2CC0004%3A1"),
			want:    Decision{CMP: "onetrust", Granted: []string{Marketing}},
			wantOK:  true,
		},
		{
			name:    "unparseable datestamp gives zero time",
			cookies: cookie("datestamp=yesterday&groups=C0002%3A1"),
			want:    Decision{CMP: "onetrust", Granted: []string{Analytics}},
			wantOK:  true,
		},
		{name: "before interaction", cookies: cookie(oneTrustValue("C0001:1,C0002:1,C0003:1,C0004:1", "0"))},
		{name: "no groups", cookies: cookie("isGpcEnabled=0&consentId=abc&interactionCount=1")},
		{name: "empty groups", cookies: cookie("isGpcEnabled=0&groups=&interactionCount=1")},
		{name: "absent", cookies: []Cookie{{"OptanonAlertBoxClosed", "x"}}},
		{name: "group without state", cookies: cookie("groups=C0001%2CC0002%3A1"), wantErr: "not id:state"},
		{name: "bad state", cookies: cookie("groups=C0001%3A1%2CC0002%3Atrue"), wantErr: "want 0 or 1"},
		{name: "conflicting repeat", cookies: cookie("groups=C0002%3A1%2CC0002%3A0"), wantErr: "twice"},
		{name: "repeated groups field", cookies: cookie("groups=C0002%3A1&groups=C0002%3A0"), wantErr: "repeated"},
		{name: "bad interaction count", cookies: cookie("interactionCount=x&groups=C0002%3A1"), wantErr: "not a count"},
		{name: "truncated escape", cookies: cookie("interactionCount=1&groups=C0001%3A1%2CC0002%3"), wantErr: "percent-encoding"},
		{name: "nul byte", cookies: cookie("groups=C0002%3A1%00"), wantErr: "control character"},
		{name: "invalid utf-8", cookies: cookie("groups=C0002%3A1%FF"), wantErr: "utf-8"},
		{name: "huge", cookies: cookie("hosts=" + strings.Repeat("H1%3A1%2C", 1000) + "&groups=C0002%3A1"), wantErr: "over the limit"},
	})
}

func TestOneTrustCustomGroups(t *testing.T) {
	r := mustNew(t, []string{"onetrust"}, Options{OneTrustGroups: map[string]string{
		"C0001": Necessary, "C0002": Analytics, "C0007": "video",
	}})
	runReadCases(t, r, []readCase{{
		name:    "custom category, defaults replaced",
		cookies: []Cookie{{"OptanonConsent", "groups=" + url.QueryEscape("C0001:1,C0002:1,C0004:1,C0007:1") + "&interactionCount=3"}},
		want:    Decision{CMP: "onetrust", Granted: []string{Analytics, "video"}},
		wantOK:  true,
	}})
}

func TestOneTrustGroupVendors(t *testing.T) {
	r := mustNew(t, []string{"onetrust"}, Options{
		OneTrustGroups:       map[string]string{"C0002": Analytics, "C0004": Marketing, "C0005": Marketing},
		OneTrustGroupVendors: map[string][]string{"C0009": {"youtube"}, "C0010": {"youtube", "vimeo"}},
	})
	cookie := func(groups string) []Cookie {
		return []Cookie{{"OptanonConsent", "groups=" + url.QueryEscape(groups) + "&interactionCount=1"}}
	}
	runReadCases(t, r, []readCase{
		{
			name:    "groups mapped to one category must all be on",
			cookies: cookie("C0002:1,C0004:1,C0005:0"),
			want:    Decision{CMP: "onetrust", Granted: []string{Analytics}},
			wantOK:  true,
		},
		{
			name:    "a vendor group grants its vendors",
			cookies: cookie("C0004:0,C0009:1"),
			want:    Decision{CMP: "onetrust", Vendors: VendorSet{"youtube": true}},
			wantOK:  true,
		},
		{
			name:    "a refusing group wins over a granting one",
			cookies: cookie("C0009:1,C0010:0"),
			want:    Decision{CMP: "onetrust", Vendors: VendorSet{"youtube": false, "vimeo": false}},
			wantOK:  true,
		},
		{
			name:    "the default social media vendors are replaced",
			cookies: cookie("C0005:1,C0004:1"),
			want:    Decision{CMP: "onetrust", Granted: []string{Marketing}},
			wantOK:  true,
		},
	})
	for _, bad := range []map[string][]string{{"": {"x"}}, {"C0005": {""}}} {
		if _, err := New([]string{"onetrust"}, Options{OneTrustGroupVendors: bad}); err == nil {
			t.Errorf("New accepted OneTrustGroupVendors %q", bad)
		}
	}
}

func TestParseJSDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"Tue Nov 26 2024 10:00:00 GMT+0100 (Central European Standard Time)", time.Date(2024, 11, 26, 9, 0, 0, 0, time.UTC)},
		{"Mon Nov 25 2024 14:21:15 GMT+0100 (Mitteleuropäische Normalzeit)", time.Date(2024, 11, 25, 13, 21, 15, 0, time.UTC)},
		{"Wed Jul 03 2024 08:05:09 GMT-0400", time.Date(2024, 7, 3, 12, 5, 9, 0, time.UTC)},
		{"2024-11-26T09:00:00Z", time.Time{}},
		{"", time.Time{}},
	} {
		if got := parseJSDate(tc.in); !got.Equal(tc.want) {
			t.Errorf("parseJSDate(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
