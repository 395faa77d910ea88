package cmp

import (
	"strings"
	"testing"
	"time"
)

func TestCookiebot(t *testing.T) {
	r := mustNew(t, []string{"cookiebot"}, Options{})
	const stamp = "wamI9P0yW3Zx5Kk0fPcQ2w+/ab=="
	utc := time.UnixMilli(1676879904933).UTC()
	cookie := func(v string) []Cookie {
		return []Cookie{{"_ga", "GA1.1.1.1"}, {"CookieConsent", v}}
	}
	literal := func(prefs, stats, mkt string) string {
		return "{stamp:'" + stamp + "',necessary:true,preferences:" + prefs + ",statistics:" + stats +
			",marketing:" + mkt + ",method:'explicit',ver:1,utc:1676879904933,region:'de'}"
	}
	runReadCases(t, r, []readCase{
		{
			name:    "all granted",
			cookies: cookie(cookiebotValue(literal("true", "true", "true"))),
			want:    Decision{CMP: "cookiebot", Granted: []string{Analytics, Marketing, Preferences}, ID: stamp, Time: utc},
			wantOK:  true,
		},
		{
			name:    "statistics only",
			cookies: cookie(cookiebotValue(literal("false", "true", "false"))),
			want:    Decision{CMP: "cookiebot", Granted: []string{Analytics}, ID: stamp, Time: utc},
			wantOK:  true,
		},
		{
			name:    "all refused",
			cookies: cookie(cookiebotValue(literal("false", "false", "false"))),
			want:    Decision{CMP: "cookiebot", ID: stamp, Time: utc},
			wantOK:  true,
		},
		{
			name:    "fully percent-encoded",
			cookies: cookie(encodeURIComponent(literal("true", "false", "true"))),
			want:    Decision{CMP: "cookiebot", Granted: []string{Marketing, Preferences}, ID: stamp, Time: utc},
			wantOK:  true,
		},
		{
			name:    "not encoded, double-quoted strings, spaces",
			cookies: cookie(`{ stamp: "abc", necessary: true, preferences: false, statistics: true, marketing: false }`),
			want:    Decision{CMP: "cookiebot", Granted: []string{Analytics}, ID: "abc"},
			wantOK:  true,
		},
		{
			name: "with tc string and consent mode keys",
			cookies: cookie(cookiebotValue("{stamp:'" + stamp + "',necessary:true,preferences:false,statistics:false,marketing:true," +
				"method:'explicit',ver:3,utc:1676879904933,iab2:'CPt3fQAPt3fQACNAFAENDLCgAAAAAAAAACiQAAAOCgDAB-AIsAZ8A6QDBAHBAAAA.YAAAAAAAAAAA',gacm:'1~',region:'fr'}")),
			want:   Decision{CMP: "cookiebot", Granted: []string{Marketing}, ID: stamp, Time: utc},
			wantOK: true,
		},
		{
			name:    "old format without method and utc",
			cookies: cookie(cookiebotValue("{stamp:'" + stamp + "',necessary:true,preferences:true,statistics:true,marketing:false,ver:1}")),
			want:    Decision{CMP: "cookiebot", Granted: []string{Analytics, Preferences}, ID: stamp},
			wantOK:  true,
		},
		{
			name:    "trailing comma",
			cookies: cookie(cookiebotValue("{stamp:'x',preferences:true,}")),
			want:    Decision{CMP: "cookiebot", Granted: []string{Preferences}, ID: "x"},
			wantOK:  true,
		},
		{
			name:    "implied outside consent region",
			cookies: cookie(cookiebotValue("{stamp:'-1',necessary:true,preferences:true,statistics:true,marketing:true,method:'implied',ver:1,utc:1676879904933,region:'us'}")),
		},
		{
			name:    "implied method with a real stamp",
			cookies: cookie(cookiebotValue("{stamp:'" + stamp + "',necessary:true,preferences:true,statistics:true,marketing:true,method:'implied',ver:1}")),
		},
		{name: "legacy -1", cookies: cookie("-1")},
		{name: "absent", cookies: []Cookie{{"CookieConsentBulkTicket", "x"}}},
		{
			name:    "id sanitised and cut",
			cookies: cookie(cookiebotValue("{stamp:'" + strings.Repeat("ab", 40) + "é',marketing:true}")),
			want:    Decision{CMP: "cookiebot", Granted: []string{Marketing}, ID: strings.Repeat("ab", 32)},
			wantOK:  true,
		},
		{name: "truncated", cookies: cookie(cookiebotValue(literal("true", "true", "true"))[:60]), wantErr: "cookiebot"},
		{name: "truncated in string", cookies: cookie("{stamp:%27abc"), wantErr: "unterminated string"},
		{name: "empty", cookies: cookie(""), wantErr: "not an object literal"},
		{name: "json array", cookies: cookie("[1,2]"), wantErr: "not an object literal"},
		{name: "no stamp", cookies: cookie("{necessary:true,marketing:true}"), wantErr: "no stamp"},
		{name: "numeric stamp", cookies: cookie("{stamp:1,marketing:true}"), wantErr: "no stamp"},
		{name: "string instead of boolean", cookies: cookie(cookiebotValue("{stamp:'x',marketing:'true'}")), wantErr: "not a boolean"},
		{name: "number instead of boolean", cookies: cookie("{stamp:'x',marketing:1}"), wantErr: "not a boolean"},
		{name: "duplicate key", cookies: cookie(cookiebotValue("{stamp:'x',marketing:false,marketing:true}")), wantErr: "repeated"},
		{name: "nested object", cookies: cookie(cookiebotValue("{stamp:'x',marketing:{a:true}}")), wantErr: "expected a string"},
		{name: "truer", cookies: cookie(cookiebotValue("{stamp:'x',marketing:truer}")), wantErr: "expected a string"},
		{name: "escape in string", cookies: cookie(`{stamp:'a\'b'}`), wantErr: "escape"},
		{name: "text after object", cookies: cookie("{stamp:'x'}x"), wantErr: "text after"},
		{name: "invalid percent-encoding", cookies: cookie("%7Bstamp%3A%27x%27%2zmarketing:true}"), wantErr: "percent-encoding"},
		{name: "nul byte", cookies: cookie("{stamp:'x%00',marketing:true}"), wantErr: "control character"},
		{name: "invalid utf-8", cookies: cookie("{stamp:'x%C3%28',marketing:true}"), wantErr: "utf-8"},
		{name: "huge", cookies: cookie("{stamp:'" + strings.Repeat("A", 9000) + "',marketing:true}"), wantErr: "over the limit"},
		{name: "bad number", cookies: cookie("{stamp:'x',utc:-}"), wantErr: "expected digits"},
	})
}
