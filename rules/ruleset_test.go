package rules_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/rules"
)

// mustCompile compiles vendors with the default categories.
func mustCompile(t testing.TB, vs []rules.Vendor, opts rules.Options) *rules.Ruleset {
	t.Helper()
	rs, err := rules.Compile(vs, opts)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return rs
}

// mustSet returns the set of the named categories.
func mustSet(t testing.TB, rs *rules.Ruleset, names ...rules.Category) rules.CategorySet {
	t.Helper()
	s, err := rs.Set(names...)
	if err != nil {
		t.Fatalf("Set(%v): %v", names, err)
	}
	return s
}

// matchResult is a Match reduced to what tables compare: the vendor ID
// ("" for no match) and the names of the needed categories.
type matchResult struct {
	vendor string
	need   string
}

func result(rs *rules.Ruleset, m rules.Match, ok bool) matchResult {
	if !ok {
		return matchResult{}
	}
	if m.Vendor == nil {
		return matchResult{vendor: "<nil vendor>", need: rs.Join(m.Need, "+")}
	}
	return matchResult{vendor: m.Vendor.ID, need: rs.Join(m.Need, "+")}
}

func assertMatch(t *testing.T, what string, got, want matchResult) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func assertErrorNames(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one naming %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %q", err, w)
		}
	}
}

func manyCategories(n int) []rules.Category {
	cats := []rules.Category{rules.Necessary}
	for i := 1; i < n; i++ {
		cats = append(cats, rules.Category(fmt.Sprintf("c%d", i)))
	}
	return cats
}

func TestCompileErrors(t *testing.T) {
	ok := rules.Vendor{ID: "ok", Category: rules.Analytics, Hosts: []string{"ok.example"}}
	tests := []struct {
		name string
		cats []rules.Category
		in   []rules.Vendor
		want []string // substrings of the error
	}{
		{"missing necessary", []rules.Category{"analytics", "marketing"}, nil, []string{`"necessary"`}},
		{"duplicate category", []rules.Category{"necessary", "analytics", "analytics"}, nil, []string{`"analytics"`, "twice"}},
		{"upper-case category", []rules.Category{"necessary", "Analytics"}, nil, []string{`"Analytics"`}},
		{"category starting with digit", []rules.Category{"necessary", "1st-party"}, nil, []string{`"1st-party"`}},
		{"category with space", []rules.Category{"necessary", "ad tech"}, nil, []string{`"ad tech"`}},
		{"empty category", []rules.Category{"necessary", ""}, nil, []string{"empty category"}},
		{"category longer than 32 bytes", []rules.Category{"necessary", rules.Category(strings.Repeat("a", 33))}, nil, []string{strings.Repeat("a", 33), "32"}},
		{"too many categories", manyCategories(rules.MaxCategories + 1), nil, []string{"65", "64"}},
		{"vendor with unknown category", nil, []rules.Vendor{ok, {ID: "social-thing", Category: "social"}}, []string{"social-thing", `"social"`}},
		{"vendor with unknown category among several", nil, []rules.Vendor{{ID: "tm", Categories: []rules.Category{"analytics", "ads"}}}, []string{"tm", `"ads"`}},
		{"vendor with invalid category name", nil, []rules.Vendor{{ID: "v", Category: "Marketing"}}, []string{"v", `"Marketing"`}},
		{"vendor without category", nil, []rules.Vendor{{ID: "nocat", Hosts: []string{"x.example"}}}, []string{"nocat", "missing category"}},
		{"vendor with category and categories", nil, []rules.Vendor{{ID: "both", Category: "analytics", Categories: []rules.Category{"marketing"}}}, []string{"both", "not both"}},
		{"vendor without id", nil, []rules.Vendor{{Category: "analytics"}}, []string{"missing id"}},
		{"host with scheme", nil, []rules.Vendor{{ID: "v", Category: "analytics", Hosts: []string{"https://t.example.com"}}}, []string{"v", `"https://t.example.com"`}},
		{"host with port", nil, []rules.Vendor{{ID: "v", Category: "analytics", Hosts: []string{"t.example.com:8443"}}}, []string{`"t.example.com:8443"`}},
		{"host with wildcard", nil, []rules.Vendor{{ID: "v", Category: "analytics", Hosts: []string{"*.example.com"}}}, []string{`"*.example.com"`}},
		{"host with path", nil, []rules.Vendor{{ID: "v", Category: "analytics", Hosts: []string{"example.com/x"}}}, []string{`"example.com/x"`}},
		{"empty host", nil, []rules.Vendor{{ID: "v", Category: "analytics", Hosts: []string{" "}}}, []string{"empty host"}},
		{"host with empty label", nil, []rules.Vendor{{ID: "v", Category: "analytics", Hosts: []string{"a..example.com"}}}, []string{`"a..example.com"`, "empty label"}},
		{"cookie with star in the middle", nil, []rules.Vendor{{ID: "v", Category: "analytics", Cookies: []string{"_ga", "_ga*x"}}}, []string{"v", `"_ga*x"`}},
		{"cookie that is only a star", nil, []rules.Vendor{{ID: "v", Category: "analytics", Cookies: []string{"*"}}}, []string{"v", "empty cookie pattern"}},
		{"empty cookie", nil, []rules.Vendor{{ID: "v", Category: "analytics", Cookies: []string{""}}}, []string{"empty cookie pattern"}},
		{"url without path", nil, []rules.Vendor{{ID: "v", Category: "analytics", URLs: []string{"example.com"}}}, []string{"v", `"example.com"`}},
		{"url with scheme", nil, []rules.Vendor{{ID: "v", Category: "analytics", URLs: []string{"https://example.com/tr"}}}, []string{`"https://example.com/tr"`}},
		{"url starting with slash", nil, []rules.Vendor{{ID: "v", Category: "analytics", URLs: []string{"/tr"}}}, []string{`"/tr"`}},
		{"path without slash", nil, []rules.Vendor{{ID: "v", Category: "analytics", Paths: []string{"matomo.js"}}}, []string{`"matomo.js"`}},
		{"path too short", nil, []rules.Vendor{{ID: "v", Category: "analytics", Paths: []string{"/js"}}}, []string{`"/js"`}},
		{"signature too short", nil, []rules.Vendor{{ID: "v", Category: "analytics", Signatures: []string{"ga"}}}, []string{`"ga"`}},
		{"source named", nil, []rules.Vendor{{ID: "v", Category: "analytics", Hosts: []string{"x:1"}, Source: "site-rules.json"}}, []string{"site-rules.json", `"x:1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := rules.Compile(tt.in, rules.Options{Categories: tt.cats})
			if rs != nil && err != nil {
				t.Errorf("Compile returned a Ruleset with error %v", err)
			}
			assertErrorNames(t, err, tt.want)
		})
	}
}

func TestCompileAcceptsEdgeInput(t *testing.T) {
	tests := []struct {
		name string
		cats []rules.Category
		in   []rules.Vendor
	}{
		{"no vendors, default categories", nil, nil},
		{"64 categories", manyCategories(rules.MaxCategories), nil},
		{"32-byte category", []rules.Category{"necessary", rules.Category("a" + strings.Repeat("0", 31))}, nil},
		{"custom category used by a vendor", []rules.Category{"necessary", "social"}, []rules.Vendor{{ID: "s", Category: "social"}}},
		{"host with trailing dot and upper case", nil, []rules.Vendor{{ID: "v", Category: "analytics", Hosts: []string{" T.Example.COM. "}}}},
		{"necessary listed last", []rules.Category{"analytics", "necessary"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := rules.Compile(tt.in, rules.Options{Categories: tt.cats}); err != nil {
				t.Fatalf("Compile: %v", err)
			}
		})
	}
}

func TestCompileDoesNotModifyInput(t *testing.T) {
	in := []rules.Vendor{{ID: "v", Category: "analytics", Hosts: []string{" T.Example.COM. "}}}
	rs := mustCompile(t, in, rules.Options{})
	if got := in[0].Hosts[0]; got != " T.Example.COM. " {
		t.Errorf("caller's host rewritten to %q", got)
	}
	// The Ruleset holds the normalised host.
	got := urlResult(rs, "www.t.example.com", "/")
	assertMatch(t, "MatchURL", got, matchResult{"v", "analytics"})
	if h := rs.Vendors()[0].Hosts[0]; h != "t.example.com" {
		t.Errorf("compiled host = %q, want t.example.com", h)
	}
}

// urlResult is MatchURL reduced to a matchResult.
func urlResult(rs *rules.Ruleset, host, pq string) matchResult {
	m, ok := rs.MatchURL(host, pq)
	return result(rs, m, ok)
}

// cookieResult is MatchCookie reduced to a matchResult.
func cookieResult(rs *rules.Ruleset, name string) matchResult {
	m, ok := rs.MatchCookie(name)
	return result(rs, m, ok)
}

// urlVendors exercises every kind of URL rule.
func urlVendors() []rules.Vendor {
	return []rules.Vendor{
		{ID: "tagman", Categories: []rules.Category{"analytics", "marketing"}, Hosts: []string{"tagman.example"}, Paths: []string{"/tm.js", "/gtag/js"}},
		{ID: "stats", Category: "analytics", URLs: []string{"tagman.example/gtag/js?id=G-", "tagman.example/gtag/js?id=UA-"}},
		{ID: "ads", Category: "marketing", URLs: []string{"tagman.example/gtag/js?id=AW-", "tagman.example/gtag/js?id=DC-&l="}},
		{ID: "tracker", Category: "analytics", Hosts: []string{"tracker.com"}},
		{ID: "deep-host", Category: "marketing", Hosts: []string{"a.b.shared.example"}},
		{ID: "shared-collect", Category: "analytics", URLs: []string{"shared.example/collect"}},
		{ID: "shared-collect-v2", Category: "marketing", URLs: []string{"www.shared.example/collect/v2"}},
		{ID: "shared-pixel", Category: "preferences", URLs: []string{"shared.example/Pixel/"}},
		{ID: "checkout", Category: "necessary", Hosts: []string{"pay.example"}},
		{ID: "cdn-parent", Category: "necessary", Hosts: []string{"cdn.example"}},
		{ID: "cdn-child", Category: "marketing", Hosts: []string{"ads.cdn.example"}},
		{ID: "long-host", Category: "analytics", Hosts: []string{"a-rather-long-tracking-subdomain.collector-example.net"}},
		{ID: "selfhosted", Category: "analytics", Paths: []string{"/Matomo.js", "/piwik.php"}},
		{ID: "self-longer", Category: "marketing", Paths: []string{"/plugins/piwik.php"}},
	}
}

func urlCases() []struct {
	name, host, pq string
	want           matchResult
} {
	return []struct {
		name, host, pq string
		want           matchResult
	}{
		{"exact host", "tracker.com", "/t.js", matchResult{"tracker", "analytics"}},
		{"subdomain", "sub.tracker.com", "/t.js", matchResult{"tracker", "analytics"}},
		{"deep subdomain", "a.b.c.tracker.com", "/", matchResult{"tracker", "analytics"}},
		{"empty path", "tracker.com", "", matchResult{"tracker", "analytics"}},
		{"not a label boundary", "nottracker.com", "/t.js", matchResult{}},
		{"hyphenated lookalike", "evil-tracker.com", "/t.js", matchResult{}},
		{"host as a label of another domain", "tracker.com.evil.example", "/", matchResult{}},
		{"top-level domain alone", "com", "/t.js", matchResult{}},
		{"empty host", "", "/t.js", matchResult{}},
		{"parent of a vendor host", "shared.example", "/", matchResult{}},
		{"more specific host wins", "x.ads.cdn.example", "/a.js", matchResult{"cdn-child", "marketing"}},
		{"more specific host exactly", "ads.cdn.example", "/a.js", matchResult{"cdn-child", "marketing"}},
		{"less specific host", "img.cdn.example", "/a.js", matchResult{"cdn-parent", "necessary"}},
		{"host longer than 32 bytes", "eu-west-1.a-rather-long-tracking-subdomain.collector-example.net", "/c", matchResult{"long-host", "analytics"}},
		{"vendor host deep in the tree", "x.a.b.shared.example", "/", matchResult{"deep-host", "marketing"}},
		{"url rule beats a deeper host rule", "x.a.b.shared.example", "/collect?v=1", matchResult{"shared-collect", "analytics"}},
		{"url rule beats host rule of same host", "www.tagman.example", "/gtag/js?id=G-123", matchResult{"stats", "analytics"}},
		{"longest url path wins across host levels", "www.shared.example", "/collect/v2/x", matchResult{"shared-collect-v2", "marketing"}},
		{"shorter url path on other host", "api.shared.example", "/collect/v2/x", matchResult{"shared-collect", "analytics"}},
		{"url rule is a path prefix", "shared.example", "/collection", matchResult{"shared-collect", "analytics"}},
		{"url rule path case-insensitive", "shared.example", "/COLLECT/1", matchResult{"shared-collect", "analytics"}},
		{"url rule written in mixed case", "shared.example", "/pixel/1.gif", matchResult{"shared-pixel", "preferences"}},
		{"url rule not matched by other path", "shared.example", "/about", matchResult{}},
		{"query after other parameter", "www.tagman.example", "/gtag/js?l=dataLayer&id=AW-123", matchResult{"ads", "marketing"}},
		{"query first parameter", "www.tagman.example", "/gtag/js?id=AW-123&l=dataLayer", matchResult{"ads", "marketing"}},
		{"query case-insensitive", "www.tagman.example", "/gtag/js?ID=aw-123", matchResult{"ads", "marketing"}},
		{"query of another rule", "www.tagman.example", "/gtag/js?id=G-1", matchResult{"stats", "analytics"}},
		{"query UA", "www.tagman.example", "/gtag/js?id=UA-1-1", matchResult{"stats", "analytics"}},
		{"query value in another key", "www.tagman.example", "/gtag/js?xid=AW-1", matchResult{"tagman", "analytics+marketing"}},
		{"unknown id falls back to host", "www.tagman.example", "/gtag/js?id=GT-1", matchResult{"tagman", "analytics+marketing"}},
		{"no query falls back to host", "www.tagman.example", "/gtag/js", matchResult{"tagman", "analytics+marketing"}},
		{"query needs all parameters", "www.tagman.example", "/gtag/js?id=DC-1", matchResult{"tagman", "analytics+marketing"}},
		{"query with all parameters", "www.tagman.example", "/gtag/js?l=x&id=DC-1", matchResult{"ads", "marketing"}},
		{"query in path does not count", "www.tagman.example", "/gtag/js/id=AW-1", matchResult{"tagman", "analytics+marketing"}},
		{"path rule on any host", "cdn.site.example", "/js/tm.js", matchResult{"tagman", "analytics+marketing"}},
		{"path rule with query", "site.example", "/tm.js?id=GTM-1", matchResult{"tagman", "analytics+marketing"}},
		{"path rule case-insensitive", "site.example", "/stats/MATOMO.JS", matchResult{"selfhosted", "analytics"}},
		{"path rule is a suffix", "site.example", "/matomo.js/x", matchResult{}},
		{"path rule only in query", "site.example", "/index.php?file=/matomo.js", matchResult{}},
		{"longest path rule wins", "site.example", "/wp/plugins/piwik.php", matchResult{"self-longer", "marketing"}},
		{"shorter path rule", "site.example", "/piwik.php", matchResult{"selfhosted", "analytics"}},
		{"host rule beats path rule", "pay.example", "/tm.js", matchResult{"checkout", "necessary"}},
		{"url rule beats path rule", "www.tagman.example", "/gtag/js?id=G-9", matchResult{"stats", "analytics"}},
		{"necessary vendor matched", "js.pay.example", "/v3/", matchResult{"checkout", "necessary"}},
	}
}

func TestMatchURL(t *testing.T) {
	rs := mustCompile(t, urlVendors(), rules.Options{})
	for _, tt := range urlCases() {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := rs.MatchURL(tt.host, tt.pq)
			assertMatch(t, "MatchURL("+tt.host+", "+tt.pq+")", result(rs, m, ok), tt.want)
			m, ok = rs.MatchURLBytes([]byte(tt.host), []byte(tt.pq))
			assertMatch(t, "MatchURLBytes("+tt.host+", "+tt.pq+")", result(rs, m, ok), tt.want)
		})
	}
}

func TestMatchURLNoVendors(t *testing.T) {
	rs := mustCompile(t, nil, rules.Options{})
	if m, ok := rs.MatchURL("www.google-analytics.com", "/analytics.js"); ok {
		t.Errorf("empty Ruleset matched %v", m.Vendor.ID)
	}
}

func TestMatchURLBytesDoesNotAllocate(t *testing.T) {
	rs := mustCompile(t, urlVendors(), rules.Options{})
	tests := []struct {
		name, host, pq string
	}{
		{"host hit", "sub.tracker.com", "/t.js"},
		{"url hit with query", "www.tagman.example", "/gtag/js?l=dataLayer&id=AW-123"},
		{"url hit across hosts", "www.shared.example", "/collect/v2/x"},
		{"path hit", "cdn.site.example", "/stats/matomo.js"},
		{"miss", "www.unknown.example", "/assets/app.js?v=3"},
		// Longer than the 32-byte buffers the compiler may use for
		// non-escaping conversions.
		{"long host hit", "eu-west-1.a-rather-long-tracking-subdomain.collector-example.net", "/collect?v=2&tid=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
		{"long miss", "static-assets-eu-west-1.cdn.some-long-shop-name.example", "/assets/js/vendor.0123456789abcdef0123456789abcdef.js?v=20260101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, pq := []byte(tt.host), []byte(tt.pq)
			allocs := testing.AllocsPerRun(100, func() { rs.MatchURLBytes(host, pq) })
			if allocs != 0 {
				t.Errorf("MatchURLBytes(%s, %s) allocates %v times per call, want 0", tt.host, tt.pq, allocs)
			}
		})
	}
}

func TestLaterVendorOverrides(t *testing.T) {
	early := rules.Vendor{
		ID: "early", Category: "analytics",
		Hosts:      []string{"dup.example"},
		URLs:       []string{"other.example/collect", "other.example/q?id=1"},
		Cookies:    []string{"dupname", "dup_*"},
		Signatures: []string{"dupSignature("},
	}
	late := rules.Vendor{
		ID: "late", Category: "marketing",
		Hosts:      []string{"DUP.example."},
		URLs:       []string{"other.example/Collect", "other.example/q?id=1"},
		Cookies:    []string{"dupname", "dup_*"},
		Signatures: []string{"dupSignature("},
	}
	rs := mustCompile(t, []rules.Vendor{early, late}, rules.Options{})
	want := matchResult{"late", "marketing"}
	t.Run("host", func(t *testing.T) {
		assertMatch(t, "MatchURL", urlResult(rs, "www.dup.example", "/"), want)
	})
	t.Run("url", func(t *testing.T) {
		assertMatch(t, "MatchURL", urlResult(rs, "other.example", "/collect/x"), want)
	})
	t.Run("url with query", func(t *testing.T) {
		assertMatch(t, "MatchURL", urlResult(rs, "other.example", "/q?id=1"), want)
	})
	t.Run("exact cookie", func(t *testing.T) {
		assertMatch(t, "MatchCookie", cookieResult(rs, "dupname"), want)
	})
	t.Run("prefix cookie", func(t *testing.T) {
		assertMatch(t, "MatchCookie", cookieResult(rs, "dup_123"), want)
	})
	t.Run("signature", func(t *testing.T) {
		need, first, ok := rs.MatchScript([]byte("dupSignature(1)"))
		got := matchResult{}
		if ok {
			got = matchResult{first.ID, rs.Join(need, "+")}
		}
		assertMatch(t, "MatchScript", got, want)
	})
	t.Run("vendors keep load order", func(t *testing.T) {
		var ids []string
		for _, v := range rs.Vendors() {
			ids = append(ids, v.ID)
		}
		if !slices.Equal(ids, []string{"early", "late"}) {
			t.Errorf("Vendors() = %v, want [early late]", ids)
		}
	})
}

// TestLaterVendorOverridesPath checks the Compile promise ("the later one
// wins") for path-suffix rules.
func TestLaterVendorOverridesPath(t *testing.T) {
	rs := mustCompile(t, []rules.Vendor{
		{ID: "early", Category: "analytics", Paths: []string{"/track.js"}},
		{ID: "late", Category: "marketing", Paths: []string{"/Track.js"}},
	}, rules.Options{})
	got := urlResult(rs, "site.example", "/static/track.js")
	assertMatch(t, "MatchURL", got, matchResult{"late", "marketing"})
}

func TestNeed(t *testing.T) {
	vs := urlVendors()
	rs := mustCompile(t, vs, rules.Options{})
	for i, v := range rs.Vendors() {
		var want rules.CategorySet
		if len(vs[i].Categories) > 0 {
			want = mustSet(t, rs, vs[i].Categories...)
		} else {
			want = mustSet(t, rs, vs[i].Category)
		}
		if got := rs.Need(v); got != want {
			t.Errorf("Need(%s) = %s, want %s", v.ID, rs.Join(got, "+"), rs.Join(want, "+"))
		}
	}
	if got := rs.Need(&rules.Vendor{ID: "tracker"}); got != 0 {
		t.Errorf("Need(foreign vendor) = %b, want 0", got)
	}
}

func cookieVendors() []rules.Vendor {
	return []rules.Vendor{
		{ID: "broad", Category: "marketing", Cookies: []string{"_g*", "_ga*"}},
		{ID: "ga", Category: "analytics", Cookies: []string{"_ga", "_ga_*", "_gid", "_gat", "_gat_*", "AMP_TOKEN"}},
		{ID: "amp", Category: "analytics", Cookies: []string{"AMP_*"}},
		{ID: "session", Category: "necessary", Cookies: []string{"PHPSESSID", "__Host-*"}},
		{ID: "pref", Category: "preferences", Cookies: []string{"lang_pref"}},
	}
}

func TestMatchCookie(t *testing.T) {
	rs := mustCompile(t, cookieVendors(), rules.Options{})
	tests := []struct {
		name string
		in   string
		want matchResult
	}{
		{"exact", "_ga", matchResult{"ga", "analytics"}},
		{"exact beats prefix of another vendor", "_gid", matchResult{"ga", "analytics"}},
		{"exact beats prefix AMP_*", "AMP_TOKEN", matchResult{"ga", "analytics"}},
		{"prefix", "AMP_abc", matchResult{"amp", "analytics"}},
		{"prefix equal to the name", "_ga_", matchResult{"ga", "analytics"}},
		{"GA4 cookie", "_ga_ABC123", matchResult{"ga", "analytics"}},
		{"throttle cookie", "_gat_UA-1", matchResult{"ga", "analytics"}},
		{"exact _gat", "_gat", matchResult{"ga", "analytics"}},
		{"longest prefix _ga*", "_gaz", matchResult{"broad", "marketing"}},
		{"longest prefix _g*", "_gx", matchResult{"broad", "marketing"}},
		{"__Host- prefix", "__Host-session", matchResult{"session", "necessary"}},
		{"exact is case-sensitive", "phpsessid", matchResult{}},
		{"prefix is case-sensitive", "_GA_1", matchResult{}},
		{"exact necessary", "PHPSESSID", matchResult{"session", "necessary"}},
		{"exact preferences", "lang_pref", matchResult{"pref", "preferences"}},
		{"shorter than every prefix", "_", matchResult{}},
		{"empty", "", matchResult{}},
		{"unknown", "sessionToken", matchResult{}},
		{"exact name is not a prefix", "lang_preference", matchResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Twice: the second call may be answered from the cache.
			for i := 0; i < 2; i++ {
				assertMatch(t, fmt.Sprintf("MatchCookie(%q) call %d", tt.in, i+1), cookieResult(rs, tt.in), tt.want)
			}
		})
	}
}

func TestMatchCookieSmallCache(t *testing.T) {
	// With a cache of two names every lookup below evicts earlier ones;
	// answers must not depend on what the cache holds.
	rs := mustCompile(t, cookieVendors(), rules.Options{CookieCacheSize: 2})
	names := []struct {
		in   string
		want string
	}{
		{"_ga_1", "ga"}, {"_gx", "broad"}, {"zz_unknown", ""}, {"AMP_1", "amp"}, {"__Host-x", "session"},
	}
	for round := 0; round < 3; round++ {
		for _, n := range names {
			got := cookieResult(rs, n.in).vendor
			if got != n.want {
				t.Errorf("round %d: MatchCookie(%q) = %q, want %q", round, n.in, got, n.want)
			}
		}
	}
}

func TestMatchCookieNoPrefixes(t *testing.T) {
	rs := mustCompile(t, []rules.Vendor{{ID: "x", Category: "analytics", Cookies: []string{"only"}}}, rules.Options{})
	assertMatch(t, "MatchCookie(only)", cookieResult(rs, "only"), matchResult{"x", "analytics"})
	assertMatch(t, "MatchCookie(only2)", cookieResult(rs, "only2"), matchResult{})
}

func TestMatchCookieDoesNotAllocate(t *testing.T) {
	rs := mustCompile(t, cookieVendors(), rules.Options{})
	for _, name := range []string{"_ga", "_ga_ABC123", "zz_unknown_cookie", "_"} {
		rs.MatchCookie(name) // fill the cache
		allocs := testing.AllocsPerRun(100, func() { rs.MatchCookie(name) })
		if allocs != 0 {
			t.Errorf("MatchCookie(%q) allocates %v times per call, want 0", name, allocs)
		}
	}
}

func TestMatchCookieConcurrent(t *testing.T) {
	rs := mustCompile(t, cookieVendors(), rules.Options{CookieCacheSize: 8})
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 500; i++ {
				name := fmt.Sprintf("_ga_%d", i%50)
				if m, ok := rs.MatchCookie(name); !ok || m.Vendor.ID != "ga" {
					t.Errorf("MatchCookie(%q) = %v, %v", name, m.Vendor, ok)
					return
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}

func scriptVendors() []rules.Vendor {
	return []rules.Vendor{
		{ID: "ga", Category: "analytics", Hosts: []string{"google-analytics.com"}, Signatures: []string{"GoogleAnalyticsObject"}},
		{ID: "fb", Category: "marketing", Hosts: []string{"connect.facebook.net"}, URLs: []string{"facebook.com/tr"}, Signatures: []string{"fbq('init'"}},
		{ID: "chat", Category: "preferences", Signatures: []string{"chatSettings"}},
		{ID: "stripe", Category: "necessary", Hosts: []string{"js.stripe.com"}, URLs: []string{"stripe.example/v3/"}, Signatures: []string{"Stripe("}},
		{ID: "short", Category: "analytics", Hosts: []string{"a.io"}},
	}
}

func TestMatchScript(t *testing.T) {
	rs := mustCompile(t, scriptVendors(), rules.Options{})
	tests := []struct {
		name string
		in   string
		want matchResult // vendor is the first one found
	}{
		{"empty", "", matchResult{}},
		{"one byte", "G", matchResult{}},
		{"signature", "window.GoogleAnalyticsObject='ga';", matchResult{"ga", "analytics"}},
		{"signature at the very end", "x=GoogleAnalyticsObject", matchResult{"ga", "analytics"}},
		{"signature is case-sensitive", "googleanalyticsobject", matchResult{}},
		{"host in URL", `s.src="https://www.google-analytics.com/analytics.js";`, matchResult{"ga", "analytics"}},
		{"host without subdomain", `s.src='https://google-analytics.com/analytics.js'`, matchResult{"ga", "analytics"}},
		{"host after two subdomains", `'//a.b.google-analytics.com/x.js'`, matchResult{"ga", "analytics"}},
		{"protocol-relative host", `load('//www.google-analytics.com/ga.js')`, matchResult{"ga", "analytics"}},
		{"JSON-escaped URL", `{"url":"https:\/\/connect.facebook.net\/en_US\/fbevents.js"}`, matchResult{"fb", "marketing"}},
		{"JSON-escaped URL with subdomain", `{"u":"https:\/\/www.google-analytics.com\/g\/collect"}`, matchResult{"ga", "analytics"}},
		{"URL rule in URL", `img.src="https://www.facebook.com/tr?id=1&ev=PageView"`, matchResult{"fb", "marketing"}},
		{"bare host in prose", `var note = "We do not use google-analytics.com on this site";`, matchResult{}},
		{"bare host with subdomain in prose", `// see www.google-analytics.com for details`, matchResult{}},
		{"host at start of text", `google-analytics.com/analytics.js`, matchResult{}},
		{"longer host name", `s.src="https://notgoogle-analytics.com/x.js"`, matchResult{}},
		{"longer host name with subdomain", `s.src="https://www.notgoogle-analytics.com/x.js"`, matchResult{}},
		{"host as a path segment", `s.src="https://cdn.example/google-analytics.com/x.js"`, matchResult{}},
		{"URL rule in prose", `"Our pixel is facebook.com/tr"`, matchResult{}},
		{"URL put together: host and path in the second string", `document.write(unescape("%3Cscript src='" + gaJsHost + "google-analytics.com/ga.js'"))`, matchResult{"ga", "analytics"}},
		{"URL put together: subdomain and host in the second string", `s.src = proto + 'www.google-analytics.com/analytics.js';`, matchResult{"ga", "analytics"}},
		{"URL put together: dot and host", "s.src = 'https://ssl' + `.google-analytics.com/ga.js`;", matchResult{"ga", "analytics"}},
		{"URL put together: JSON-escaped path", `u = p + "google-analytics.com\/collect"`, matchResult{"ga", "analytics"}},
		{"URL rule put together", `i.src = proto + "www.facebook.com/tr?id=1"`, matchResult{"fb", "marketing"}},
		{"host alone in a string: a name", `cmp.vendors = {"domains": ["google-analytics.com", 'www.facebook.com']};`, matchResult{}},
		{"host then quote", `var host = "stats.google-analytics.com";`, matchResult{}},
		{"host shorter than 6 bytes is not searched", `s.src="https://a.io/t.js"`, matchResult{}},
		{"necessary host", `s.src="https://js.stripe.com/v3/"`, matchResult{}},
		{"necessary url", `s.src="https://stripe.example/v3/x.js"`, matchResult{}},
		{"necessary signature", `var stripe = Stripe('pk_test_1');`, matchResult{}},
		{"preferences signature", `window.chatSettings = {app_id: "x"};`, matchResult{"chat", "preferences"}},
		{"union, analytics first", `window.GoogleAnalyticsObject; fbq('init', '1');`, matchResult{"ga", "analytics+marketing"}},
		{"union, marketing first", `fbq('init', '1'); window.GoogleAnalyticsObject;`, matchResult{"fb", "analytics+marketing"}},
		{"union of three", `chatSettings={}; fbq('init','1'); s.src="//www.google-analytics.com/a.js"`, matchResult{"chat", "preferences+analytics+marketing"}},
		{"necessary does not count as first", `Stripe('pk'); fbq('init','1')`, matchResult{"fb", "marketing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			need, first, ok := rs.MatchScript([]byte(tt.in))
			got := matchResult{}
			if ok {
				if first == nil {
					t.Fatalf("MatchScript(%q) ok with nil vendor", tt.in)
				}
				got = matchResult{first.ID, rs.Join(need, "+")}
			} else if need != 0 || first != nil {
				t.Errorf("MatchScript(%q) not ok but need=%b first=%v", tt.in, need, first)
			}
			assertMatch(t, fmt.Sprintf("MatchScript(%q)", tt.in), got, tt.want)
		})
	}
}

func TestMatchScriptNoTrackingVendors(t *testing.T) {
	rs := mustCompile(t, []rules.Vendor{{ID: "stripe", Category: "necessary", Hosts: []string{"js.stripe.com"}, Signatures: []string{"Stripe("}}}, rules.Options{})
	if need, first, ok := rs.MatchScript([]byte(`Stripe('x'); s.src="https://js.stripe.com/v3"`)); ok {
		t.Errorf("MatchScript = %b, %v, true; want no match", need, first.ID)
	}
}

// TestMatchScriptAgreesWithMatchURL checks that a URL written in an
// inline script is classified as MatchURL classifies it: a URL rule
// refines its host's rule (gtag.js?id=G- is analytics, not the tag
// manager's analytics+marketing).
func TestMatchScriptAgreesWithMatchURL(t *testing.T) {
	rs := mustCompile(t, urlVendors(), rules.Options{})
	script := []byte(`var s=document.createElement('script');s.src='https://www.tagman.example/gtag/js?id=G-XXXX';document.head.appendChild(s);`)
	m, ok := rs.MatchURL("www.tagman.example", "/gtag/js?id=G-XXXX")
	if !ok || m.Vendor.ID != "stats" {
		t.Fatalf("MatchURL = %v, %v; want stats", m.Vendor, ok)
	}
	need, first, ok := rs.MatchScript(script)
	if !ok {
		t.Fatal("MatchScript found nothing")
	}
	if need != m.Need {
		t.Errorf("MatchScript needs %s (first %s) for an inline loader of a URL that MatchURL classifies as %s (%s)",
			rs.Join(need, "+"), first.ID, m.Vendor.ID, rs.Join(m.Need, "+"))
	}
}

func TestCategoryHelpers(t *testing.T) {
	rs := mustCompile(t, nil, rules.Options{})
	set := func(names ...rules.Category) rules.CategorySet { return mustSet(t, rs, names...) }

	if got, want := rs.Categories(), rules.DefaultCategories(); !slices.Equal(got, want) {
		t.Errorf("Categories() = %v, want %v", got, want)
	}
	// Categories returns a copy.
	rs.Categories()[0] = "changed"
	if rs.Categories()[0] != rules.Necessary {
		t.Error("Categories() exposes the Ruleset's slice")
	}

	bits := []struct {
		in   rules.Category
		want rules.CategorySet
		ok   bool
	}{
		{rules.Necessary, 1, true},
		{rules.Preferences, 2, true},
		{rules.Analytics, 4, true},
		{rules.Marketing, 8, true},
		{"social", 0, false},
		{"", 0, false},
	}
	for _, b := range bits {
		got, ok := rs.Bit(b.in)
		if got != b.want || ok != b.ok {
			t.Errorf("Bit(%q) = %b, %v; want %b, %v", b.in, got, ok, b.want, b.ok)
		}
	}

	if _, err := rs.Set("analytics", "social", "ads"); err == nil || !strings.Contains(err.Error(), `"social"`) {
		t.Errorf("Set with unknown categories: error %v, want one naming \"social\"", err)
	}
	if s, err := rs.Set(); s != 0 || err != nil {
		t.Errorf("Set() = %b, %v; want 0, nil", s, err)
	}

	tests := []struct {
		name string
		in   rules.CategorySet
		want []rules.Category
		join string
	}{
		{"empty", 0, nil, ""},
		{"one", set("analytics"), []rules.Category{"analytics"}, "analytics"},
		{"order follows the Ruleset, not the call", set("marketing", "necessary", "analytics"), []rules.Category{"necessary", "analytics", "marketing"}, "necessary, analytics, marketing"},
		{"all", rs.All(), rules.DefaultCategories(), "necessary, preferences, analytics, marketing"},
		{"optional", rs.Optional(), []rules.Category{"preferences", "analytics", "marketing"}, "preferences, analytics, marketing"},
		{"bits beyond the categories are ignored", set("preferences") | 1<<40, []rules.Category{"preferences"}, "preferences"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rs.Names(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Names(%b) = %v, want %v", tt.in, got, tt.want)
			}
			if got := rs.Join(tt.in, ", "); got != tt.join {
				t.Errorf("Join(%b) = %q, want %q", tt.in, got, tt.join)
			}
		})
	}

	if rs.All() != 0b1111 {
		t.Errorf("All() = %b, want 1111", rs.All())
	}
	if rs.Optional() != 0b1110 {
		t.Errorf("Optional() = %b, want 1110", rs.Optional())
	}
	if rs.NecessarySet() != 0b0001 {
		t.Errorf("NecessarySet() = %b, want 1", rs.NecessarySet())
	}

	granted := set("necessary", "analytics")
	if !granted.Has(set("analytics")) || !granted.Has(0) || granted.Has(set("analytics", "marketing")) {
		t.Errorf("Has is wrong for %s", rs.Join(granted, "+"))
	}
	if got := granted.Missing(set("analytics", "marketing", "preferences")); got != set("preferences", "marketing") {
		t.Errorf("Missing = %s, want preferences+marketing", rs.Join(got, "+"))
	}
	if got := granted.Missing(set("analytics")); got != 0 {
		t.Errorf("Missing(granted) = %b, want 0", got)
	}
}

func TestCategoryHelpersNecessaryNotFirst(t *testing.T) {
	rs := mustCompile(t, nil, rules.Options{Categories: []rules.Category{"analytics", "necessary", "marketing"}})
	if rs.NecessarySet() != 0b010 {
		t.Errorf("NecessarySet() = %b, want 010", rs.NecessarySet())
	}
	if rs.Optional() != 0b101 {
		t.Errorf("Optional() = %b, want 101", rs.Optional())
	}
}

func TestCategoryHelpers64(t *testing.T) {
	cats := manyCategories(rules.MaxCategories)
	rs := mustCompile(t, []rules.Vendor{{ID: "last", Category: cats[63], Hosts: []string{"last.example"}, Cookies: []string{"last"}}}, rules.Options{Categories: cats})
	if got := rs.All(); got != ^rules.CategorySet(0) {
		t.Errorf("All() = %b, want 64 ones", got)
	}
	if got := rs.Optional(); got != ^rules.CategorySet(0)&^1 {
		t.Errorf("Optional() = %b, want all but bit 0", got)
	}
	b, ok := rs.Bit("c63")
	if !ok || b != 1<<63 {
		t.Errorf("Bit(c63) = %b, %v; want 1<<63", b, ok)
	}
	if got := rs.Names(rs.All()); !slices.Equal(got, cats) {
		t.Errorf("Names(All()) has %d names, want %d", len(got), len(cats))
	}
	if got := rs.Names(1 << 63); !slices.Equal(got, []rules.Category{"c63"}) {
		t.Errorf("Names(1<<63) = %v, want [c63]", got)
	}
	if got := rs.Join(1<<63|1, "+"); got != "necessary+c63" {
		t.Errorf("Join = %q, want necessary+c63", got)
	}
	m, ok := rs.MatchURL("last.example", "/")
	if !ok || m.Need != 1<<63 {
		t.Errorf("MatchURL need = %b, %v; want 1<<63", m.Need, ok)
	}
	need, _, ok := rs.MatchScript([]byte(`s.src="https://last.example/x.js"`))
	if !ok || need != 1<<63 {
		t.Errorf("MatchScript need = %b, %v; want 1<<63", need, ok)
	}
}

func TestParseCategory(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"builtin", "analytics", true},
		{"digits, dash and underscore", "ads_2-x", true},
		{"one letter", "a", true},
		{"32 bytes", "a" + strings.Repeat("b", 31), true},
		{"33 bytes", "a" + strings.Repeat("b", 32), false},
		{"empty", "", false},
		{"upper case", "Ads", false},
		{"leading digit", "2ads", false},
		{"leading dash", "-ads", false},
		{"leading underscore", "_ads", false},
		{"space", "a b", false},
		{"non-ASCII", "analytiké", false},
		{"dot", "a.b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := rules.ParseCategory(tt.in)
			if tt.ok {
				if err != nil || string(c) != tt.in {
					t.Errorf("ParseCategory(%q) = %q, %v; want it back", tt.in, c, err)
				}
				return
			}
			if err == nil {
				t.Errorf("ParseCategory(%q) = %q, want an error", tt.in, c)
			} else if tt.in != "" && !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.in)) {
				t.Errorf("error %q does not name %q", err, tt.in)
			}
		})
	}
}

func TestVendorPrimary(t *testing.T) {
	tests := []struct {
		name string
		in   rules.Vendor
		want rules.Category
	}{
		{"category", rules.Vendor{Category: "analytics"}, "analytics"},
		{"categories", rules.Vendor{Categories: []rules.Category{"marketing", "analytics"}}, "marketing"},
		{"none", rules.Vendor{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Primary(); got != tt.want {
				t.Errorf("Primary() = %q, want %q", got, tt.want)
			}
		})
	}
}
