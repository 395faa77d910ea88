package rules_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/internal/corpus"
	"github.com/consentgate/consentgate/rules"
)

// vendorSummary is a Vendor reduced to what loader tables compare.
type vendorSummary struct {
	id, name, need string
	hosts, cookies []string
}

func summarise(vs []rules.Vendor) []vendorSummary {
	var out []vendorSummary
	for _, v := range vs {
		need := string(v.Category)
		if len(v.Categories) > 0 {
			var names []string
			for _, c := range v.Categories {
				names = append(names, string(c))
			}
			need = strings.Join(names, "+")
		}
		out = append(out, vendorSummary{v.ID, v.Name, need, v.Hosts, v.Cookies})
	}
	return out
}

func assertVendors(t *testing.T, got []rules.Vendor, want []vendorSummary) {
	t.Helper()
	g := summarise(got)
	if len(g) != len(want) {
		t.Fatalf("got %d vendors %+v, want %d %+v", len(g), g, len(want), want)
	}
	for i := range want {
		if g[i].id != want[i].id || g[i].name != want[i].name || g[i].need != want[i].need ||
			!slices.Equal(g[i].hosts, want[i].hosts) || !slices.Equal(g[i].cookies, want[i].cookies) {
			t.Errorf("vendor %d = %+v, want %+v", i, g[i], want[i])
		}
	}
}

func assertSource(t *testing.T, vs []rules.Vendor, want string) {
	t.Helper()
	for _, v := range vs {
		if v.Source != want {
			t.Errorf("vendor %s: Source = %q, want %q", v.ID, v.Source, want)
		}
	}
}

const validRuleFile = `{
  "format": "consentgate-rules/1",
  "vendors": [
    {
      "id": "site-analytics",
      "name": "Site analytics",
      "description": "Our own counter.",
      "category": "analytics",
      "hosts": ["Stats.Example.COM."],
      "urls": ["example.com/collect"],
      "paths": ["/counter.js"],
      "signatures": ["siteCounter("],
      "cookies": ["_sc", "_sc_*"]
    },
    {
      "id": "site-tags",
      "categories": ["analytics", "marketing"],
      "hosts": ["tags.example.com"]
    }
  ]
}
`

func TestParseJSON(t *testing.T) {
	vs, err := rules.ParseJSON(strings.NewReader(validRuleFile), "site.json")
	if err != nil {
		t.Fatalf("ParseJSON: %v", err)
	}
	assertVendors(t, vs, []vendorSummary{
		{"site-analytics", "Site analytics", "analytics", []string{"stats.example.com"}, []string{"_sc", "_sc_*"}},
		{"site-tags", "", "analytics+marketing", []string{"tags.example.com"}, nil},
	})
	assertSource(t, vs, "site.json")
	v := vs[0]
	if v.Description != "Our own counter." || !slices.Equal(v.URLs, []string{"example.com/collect"}) ||
		!slices.Equal(v.Paths, []string{"/counter.js"}) || !slices.Equal(v.Signatures, []string{"siteCounter("}) {
		t.Errorf("fields lost: %+v", v)
	}
	rs := mustCompile(t, vs, rules.Options{})
	assertMatch(t, "MatchURL", urlResult(rs, "stats.example.com", "/x"), matchResult{"site-analytics", "analytics"})
	assertMatch(t, "MatchURL", urlResult(rs, "a.tags.example.com", "/x"), matchResult{"site-tags", "analytics+marketing"})
	assertMatch(t, "MatchCookie", cookieResult(rs, "_sc_1"), matchResult{"site-analytics", "analytics"})
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // substrings of the error
	}{
		{"unknown field", `{"format": "consentgate-rules/1", "vendors": [{"id": "x", "category": "analytics", "hostz": []}]}`, []string{"f.json", `"hostz"`}},
		{"unknown top-level field", `{"format": "consentgate-rules/1", "vendor": []}`, []string{"f.json", `"vendor"`}},
		{"wrong format", `{"format": "consentgate-rules/3", "vendors": []}`, []string{"f.json", `"consentgate-rules/3"`, `"consentgate-rules/2"`, `"consentgate-rules/1"`}},
		{"missing format", `{"vendors": []}`, []string{"f.json", `format ""`}},
		{"syntax error line", "{\n  \"format\": \"consentgate-rules/1\",\n  \"vendors\": [\n    {\"id\": \"x\",, \"category\": \"analytics\"}\n  ]\n}\n", []string{"f.json:4:", "invalid character ','"}},
		{"syntax error on line 1", `{"format" "consentgate-rules/1"}`, []string{"f.json:1:"}},
		{"type error line", "{\n  \"format\": \"consentgate-rules/1\",\n  \"vendors\": [\n    {\"id\": \"x\",\n     \"category\": \"analytics\",\n     \"hosts\": \"x.example\"}\n  ]\n}\n", []string{"f.json:6:", "hosts"}},
		{"type error in list", "{\"format\": \"consentgate-rules/1\",\n\"vendors\": [\n{\"id\": \"x\", \"category\": \"analytics\",\n\"cookies\": [\"a\", 2]}]}", []string{"f.json:4:", "cookies"}},
		{"invalid vendor named by position", `{"format": "consentgate-rules/1", "vendors": [{"id": "a", "category": "analytics"}, {"id": "b"}]}`, []string{"f.json", "vendor 2", "b", "missing category"}},
		{"invalid host", `{"format": "consentgate-rules/1", "vendors": [{"id": "a", "category": "analytics", "hosts": ["https://a.example"]}]}`, []string{"f.json", "vendor 1", `"https://a.example"`}},
		{"not an object", `[]`, []string{"f.json"}},
		{"empty", ``, []string{"f.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := rules.ParseJSON(strings.NewReader(tt.in), "f.json")
			if vs != nil {
				t.Errorf("got vendors %v with an error", summarise(vs))
			}
			assertErrorNames(t, err, tt.want)
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseReadErrors(t *testing.T) {
	parsers := map[string]func(io.Reader, string) ([]rules.Vendor, error){
		"ParseJSON":               rules.ParseJSON,
		"ParseOpenCookieDatabase": rules.ParseOpenCookieDatabase,
		"ParseAdGuard":            rules.ParseAdGuard,
	}
	for name, parse := range parsers {
		t.Run(name, func(t *testing.T) {
			_, err := parse(failingReader{}, "r.txt")
			assertErrorNames(t, err, []string{"r.txt", "disk on fire"})
		})
	}
}

// TestParseJSONNewlineInString checks the line of an unterminated string:
// the offending newline ends line 4, so the error belongs to line 4.
func TestParseJSONNewlineInString(t *testing.T) {
	in := "{\n\"format\": \"consentgate-rules/1\",\n\"vendors\": [\n{\"id\": \"x\", \"category\": \"analytics\n\"}\n]\n}\n"
	_, err := rules.ParseJSON(strings.NewReader(in), "f.json")
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "f.json:5:") {
		t.Fatalf("%v: the string is cut by the newline that ends line 4, so the error belongs to line 4", err)
	}
	assertErrorNames(t, err, []string{"f.json:4:"})
}

// TestParseJSONTrailingData checks that a rule file holding more than one
// JSON value is rejected, as Load rejects it, rather than silently
// ignoring everything after the first value.
func TestParseJSONTrailingData(t *testing.T) {
	in := `{"format": "consentgate-rules/1", "vendors": []}
{"format": "consentgate-rules/1", "vendors": [{"id": "lost", "category": "marketing", "hosts": ["ads.example"]}]}
`
	if _, err := rules.Load([]byte(in), "f.json"); err == nil {
		t.Error("Load accepted two JSON values")
	}
	vs, err := rules.ParseJSON(strings.NewReader(in), "f.json")
	if err == nil {
		t.Fatalf("ParseJSON returned %d vendors and no error for a file with a second JSON value (its vendor \"lost\" would be dropped)", len(vs))
	}
	assertErrorNames(t, err, []string{"f.json:2:"})
}

// TestParseJSONTruncated checks that a truncated file names its last line,
// as ParseJSON's doc promises a line for every decoding error.
func TestParseJSONTruncated(t *testing.T) {
	// No final newline: the end of the input is on line 4 however the
	// line of an error at EOF is counted.
	in := "{\n\"format\": \"consentgate-rules/1\",\n\"vendors\": [\n{\"id\": \"x\", \"category\": \"analytics\"}"
	if _, err := rules.Load([]byte(in), "f.json"); err == nil || !strings.Contains(err.Error(), "f.json:4:") {
		t.Errorf("Load error = %v, want one at f.json:4:", err)
	}
	_, err := rules.ParseJSON(strings.NewReader(in), "f.json")
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), "f.json:") || strings.HasPrefix(err.Error(), "f.json: ") {
		t.Fatalf("%v: a truncated file's error names no line", err)
	}
	assertErrorNames(t, err, []string{"f.json:4:"})
}

const ocdHeader = "ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,Data Controller,User Privacy & GDPR Rights Portals,Wildcard match\n"

func TestParseOpenCookieDatabase(t *testing.T) {
	in := ocdHeader +
		"1,Google Analytics,Analytics,_ga,,ID used to identify users,2 years,Google,https://policies.google.com/privacy,0\n" +
		"2,Google Analytics,Analytics,_ga_,,Used to persist session state,2 years,Google,https://policies.google.com/privacy,1\n" +
		"3,Facebook,Marketing,_fbp,,Used by Facebook,3 months,Facebook,https://www.facebook.com/policy.php,0\n" +
		"4,My Shop,Functional,cart,,\"Keeps the cart,\nacross pages\",session,Shop,,0\n" +
		"5,My Shop,Personalization,theme,,Remembers the theme,1 year,Shop,,0\n" +
		"6,My Shop,Security,csrf_token,,Protects forms,session,Shop,,0\n" +
		"7,Ad Network,Marketing,SSPR_*,,Pattern row,1 year,Ads,,0\n" +
		"8,Ad Network,Marketing,UID*EXT,,Star in the middle,1 year,Ads,,1\n" +
		"9,Ad Network,Marketing,*,,Only a star,1 year,Ads,,0\n" +
		"10,Google Analytics,analytics, _gid ,,Lower-case category,1 day,Google,,0\n" +
		"11,My Shop,Necessary,session,,Session,session,Shop,,0\n"
	vs, err := rules.ParseOpenCookieDatabase(strings.NewReader(in), "ocd.csv")
	if err != nil {
		t.Fatalf("ParseOpenCookieDatabase: %v", err)
	}
	assertVendors(t, vs, []vendorSummary{
		{"ocd:google-analytics:analytics", "Google Analytics", "analytics", nil, []string{"_ga", "_ga_*", "_gid"}},
		{"ocd:facebook:marketing", "Facebook", "marketing", nil, []string{"_fbp"}},
		{"ocd:my-shop:necessary", "My Shop", "necessary", nil, []string{"cart", "csrf_token", "session"}},
		{"ocd:my-shop:preferences", "My Shop", "preferences", nil, []string{"theme"}},
		{"ocd:ad-network:marketing", "Ad Network", "marketing", nil, []string{"SSPR_*", "UID*"}},
	})
	assertSource(t, vs, "ocd.csv")

	rs := mustCompile(t, vs, rules.Options{})
	tests := []struct {
		in   string
		want matchResult
	}{
		{"_ga", matchResult{"ocd:google-analytics:analytics", "analytics"}},
		{"_ga_ABC123", matchResult{"ocd:google-analytics:analytics", "analytics"}},
		{"_gid", matchResult{"ocd:google-analytics:analytics", "analytics"}},
		{"_fbp", matchResult{"ocd:facebook:marketing", "marketing"}},
		{"theme", matchResult{"ocd:my-shop:preferences", "preferences"}},
		{"cart", matchResult{"ocd:my-shop:necessary", "necessary"}},
		{"SSPR_123", matchResult{"ocd:ad-network:marketing", "marketing"}},
		{"UIDabcEXT", matchResult{"ocd:ad-network:marketing", "marketing"}},
		{"_fbp2", matchResult{}},
	}
	for _, tt := range tests {
		assertMatch(t, "MatchCookie("+tt.in+")", cookieResult(rs, tt.in), tt.want)
	}
}

func TestParseOpenCookieDatabaseColumns(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []vendorSummary
	}{
		{"byte order mark", "\ufeff" + ocdHeader + "1,P,Analytics,a,,,,,,0\n", []vendorSummary{{"ocd:p:analytics", "P", "analytics", nil, []string{"a"}}}},
		{"other column order", "Wildcard match,Cookie / Data Key name,Category,Platform\n1,a_,Marketing,P\n", []vendorSummary{{"ocd:p:marketing", "P", "marketing", nil, []string{"a_*"}}}},
		{"no wildcard column", "Platform,Category,Cookie / Data Key name\nP,Analytics,a\n", []vendorSummary{{"ocd:p:analytics", "P", "analytics", nil, []string{"a"}}}},
		{"header only", ocdHeader, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := rules.ParseOpenCookieDatabase(strings.NewReader(tt.in), "ocd.csv")
			if err != nil {
				t.Fatalf("ParseOpenCookieDatabase: %v", err)
			}
			assertVendors(t, vs, tt.want)
		})
	}
}

func TestParseOpenCookieDatabaseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"bad category", ocdHeader + "1,P,Analytics,a,,,,,,0\n2,P,Cookies,b,,,,,,0\n", []string{"ocd.csv:3:", `"Cookies"`}},
		{"bad category after a multi-line field", ocdHeader + "1,P,Analytics,a,,\"two\nlines\",,,,0\n2,P,Tracking,b,,,,,,0\n", []string{"ocd.csv:4:", `"Tracking"`}},
		{"empty category", ocdHeader + "1,P,,a,,,,,,0\n", []string{"ocd.csv:2:", `""`}},
		{"short row", ocdHeader + "1,P\n", []string{"ocd.csv:2:"}},
		{"empty cookie name", ocdHeader + "1,P,Analytics,a,,,,,,0\n2,P,Analytics,  ,,,,,,0\n", []string{"ocd.csv:3:", "empty cookie name"}},
		{"missing columns", "Name,Category\n_ga,Analytics\n", []string{"ocd.csv:1:", "Platform", "Cookie / Data Key name"}},
		{"missing platform column", "Category,Cookie / Data Key name\nAnalytics,_ga\n", []string{"ocd.csv:1:", "Platform"}},
		{"empty input", "", []string{"ocd.csv", "header"}},
		{"bad quoting", ocdHeader + "1,P,Analytics,\"a\"b,,,,,,0\n", []string{"ocd.csv", "line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := rules.ParseOpenCookieDatabase(strings.NewReader(tt.in), "ocd.csv")
			if vs != nil {
				t.Errorf("got vendors %v with an error", summarise(vs))
			}
			assertErrorNames(t, err, tt.want)
		})
	}
}

func TestParseOpenCookieDatabaseCorpus(t *testing.T) {
	path := corpus.Dir(t, "open-cookie-database/open-cookie-database.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vs, err := rules.ParseOpenCookieDatabase(f, "ocd.csv")
	if err != nil {
		t.Fatalf("ParseOpenCookieDatabase: %v", err)
	}
	if len(vs) < 100 {
		t.Errorf("%d vendors, want hundreds", len(vs))
	}
	cookies := 0
	for _, v := range vs {
		cookies += len(v.Cookies)
	}
	t.Logf("%d vendors, %d cookie patterns", len(vs), cookies)
	rs := mustCompile(t, vs, rules.Options{})
	tests := []struct {
		in   string
		want string // needed categories
	}{
		{"_ga", "analytics"},
		{"_ga_ABC123", "analytics"},
		{"_gid", "analytics"},
		{"_fbp", "marketing"},
		{"_gcl_au", "marketing"},
		{"_hjid", "analytics"},
		{"PHPSESSID", "necessary"},
		{"CookieConsent", "necessary"},
	}
	for _, tt := range tests {
		m, ok := rs.MatchCookie(tt.in)
		if !ok || rs.Join(m.Need, "+") != tt.want {
			t.Errorf("MatchCookie(%s) = %s, want %s", tt.in, describe(rs, m, ok), tt.want)
		}
	}
}

const adguardJSON = `{
	"timeUpdated": "2026-01-01T00:00:00.000Z",
	"categories": {
		"0": "audio_video_player",
		"4": "advertising",
		"5": "essential",
		"6": "site_analytics",
		"7": "social_media",
		"8": "misc",
		"15": "telemetry"
	},
	"trackers": {
		"google_marketing": {"name": "Google Marketing Platform", "categoryId": 4, "url": "https://marketingplatform.google.com/", "companyId": "google"},
		"matomo": {"name": "Matomo", "categoryId": 6, "url": "https://matomo.org/", "companyId": "matomo"},
		"youtube": {"name": "YouTube", "categoryId": 0, "url": "https://www.youtube.com/", "companyId": "google"},
		"misc_thing": {"name": "Misc", "categoryId": 8},
		"no_category": {"name": "No category"},
		"bad_hosts": {"name": "Bad hosts", "categoryId": 4},
		"no_domains": {"name": "No domains", "categoryId": 4}
	},
	"trackerDomains": {
		"doubleclick.net": "google_marketing",
		"2mdn.net": "google_marketing",
		"matomo.cloud": "matomo",
		"youtube-nocookie.com": "youtube",
		"misc.example": "misc_thing",
		"nocat.example": "no_category",
		"*.bad.example": "bad_hosts",
		"bad.example:8080": "bad_hosts"
	}
}`

func TestParseAdGuard(t *testing.T) {
	vs, err := rules.ParseAdGuard(strings.NewReader(adguardJSON), "trackers.json")
	if err != nil {
		t.Fatalf("ParseAdGuard: %v", err)
	}
	assertVendors(t, vs, []vendorSummary{
		{"adguard:google_marketing", "Google Marketing Platform", "marketing", []string{"2mdn.net", "doubleclick.net"}, nil},
		{"adguard:matomo", "Matomo", "analytics", []string{"matomo.cloud"}, nil},
		{"adguard:youtube", "YouTube", "preferences", []string{"youtube-nocookie.com"}, nil},
	})
	assertSource(t, vs, "trackers.json")
	rs := mustCompile(t, vs, rules.Options{})
	assertMatch(t, "MatchURL", urlResult(rs, "securepubads.g.doubleclick.net", "/tag/js/gpt.js"), matchResult{"adguard:google_marketing", "marketing"})
	assertMatch(t, "MatchURL", urlResult(rs, "cdn.matomo.cloud", "/x/matomo.js"), matchResult{"adguard:matomo", "analytics"})
	assertMatch(t, "MatchURL", urlResult(rs, "misc.example", "/"), matchResult{})
}

func TestParseAdGuardCategories(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when the tracker is skipped
	}{
		{"advertising", "marketing"},
		{"pornvertising", "marketing"},
		{"social_media", "marketing"},
		{"site_analytics", "analytics"},
		{"mobile_analytics", "analytics"},
		{"telemetry", "analytics"},
		{"audio_video_player", "preferences"},
		{"comments", "preferences"},
		{"customer_interaction", "preferences"},
		{"essential", "necessary"},
		{"consent", "necessary"},
		{"cdn", "necessary"},
		{"hosting", "necessary"},
		{"misc", ""},
		{"unknown", ""},
		{"extensions", ""},
		{"email", ""},
		{"something_new", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			in := `{"categories": {"1": "` + tt.in + `"}, "trackers": {"t": {"name": "T", "categoryId": 1}}, "trackerDomains": {"t.example": "t"}}`
			vs, err := rules.ParseAdGuard(strings.NewReader(in), "a.json")
			if err != nil {
				t.Fatalf("ParseAdGuard: %v", err)
			}
			got := ""
			if len(vs) == 1 {
				got = string(vs[0].Category)
			} else if len(vs) > 1 {
				t.Fatalf("%d vendors", len(vs))
			}
			if got != tt.want {
				t.Errorf("category %s → %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAdGuardErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"domain of unknown tracker", `{"categories": {}, "trackers": {}, "trackerDomains": {"x.example": "ghost"}}`, []string{"a.json", `"ghost"`}},
		{"missing trackers", `{"categories": {}, "trackerDomains": {}}`, []string{"a.json", `"trackers"`}},
		{"missing trackerDomains", `{"categories": {}, "trackers": {}}`, []string{"a.json", `"trackerDomains"`}},
		{"syntax error line", "{\n\"categories\": {},\n\"trackers\": {\n\"t\": {\"name\": \"T\" \"categoryId\": 1}\n}}", []string{"a.json:4:"}},
		{"type error line", "{\n\"categories\": {},\n\"trackers\": {\n\"t\": {\"name\": \"T\", \"categoryId\": \"4\"}\n},\n\"trackerDomains\": {}}", []string{"a.json:4:", "categoryId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := rules.ParseAdGuard(strings.NewReader(tt.in), "a.json")
			if vs != nil {
				t.Errorf("got vendors %v with an error", summarise(vs))
			}
			assertErrorNames(t, err, tt.want)
		})
	}
}

func TestParseAdGuardCorpus(t *testing.T) {
	path := corpus.Dir(t, "adguard-companiesdb/trackers.json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vs, err := rules.ParseAdGuard(f, "trackers.json")
	if err != nil {
		t.Fatalf("ParseAdGuard: %v", err)
	}
	if len(vs) < 1000 {
		t.Errorf("%d vendors, want thousands", len(vs))
	}
	rs := mustCompile(t, vs, rules.Options{})
	tests := []struct {
		host string
		want string
	}{
		{"doubleclick.net", "marketing"},
		{"securepubads.g.doubleclick.net", "marketing"},
		{"www.google-analytics.com", "analytics"},
		{"static.hotjar.com", "analytics"},
		{"example.com", ""},
	}
	for _, tt := range tests {
		m, ok := rs.MatchURL(tt.host, "/")
		got := ""
		if ok {
			got = rs.Join(m.Need, "+")
		}
		if got != tt.want {
			t.Errorf("MatchURL(%s) = %s, want %q", tt.host, describe(rs, m, ok), tt.want)
		}
	}
	// The script matcher copes with thousands of hosts.
	need, first, ok := rs.MatchScript([]byte(`s.src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"`))
	if !ok || rs.Join(need, "+") != "marketing" {
		t.Errorf("MatchScript = %s, %v", rs.Join(need, "+"), first)
	}
}

// TestBuiltinWithAdGuardKeepsConsent loads AdGuard's trackers.json after
// the built-in catalogue, as an operator adding it would. The later file
// wins for hosts both list, so AdGuard's categories must not release a
// tag manager or block checkout.
func TestBuiltinWithAdGuardKeepsConsent(t *testing.T) {
	path := corpus.Dir(t, "adguard-companiesdb/trackers.json")
	ag, err := rules.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rs := mustCompile(t, append(vs, ag...), rules.Options{})
	tests := []struct {
		url  string
		want string
	}{
		{"https://www.googletagmanager.com/gtm.js?id=GTM-X", "analytics+marketing"},
		{"https://js.stripe.com/v3/", "necessary"},
		{"https://www.google.com/recaptcha/api.js", "necessary"},
		{"https://www.google-analytics.com/analytics.js", "analytics"},
	}
	var bugs []string
	for _, tt := range tests {
		host, pq := splitURL(t, tt.url)
		m, ok := rs.MatchURL(host, pq)
		if got := rs.Join(m.Need, "+"); !ok || got != tt.want {
			bugs = append(bugs, tt.url+" → "+describe(rs, m, ok)+", want "+tt.want)
		}
	}
	if len(bugs) > 0 {
		t.Fatalf("with trackers.json loaded after the built-in catalogue, AdGuard's categories override the catalogue's "+
			"(they must only fill gaps): %s", strings.Join(bugs, "; "))
	}
}

func TestLoad(t *testing.T) {
	ocd := ocdHeader + "1,P,Analytics,a,,,,,,0\n"
	tests := []struct {
		name   string
		in     string
		wantID string // ID of the first vendor
	}{
		{"project JSON", validRuleFile, "site-analytics"},
		{"project JSON after white space", "\r\n\t " + validRuleFile, "site-analytics"},
		{"AdGuard JSON", adguardJSON, "adguard:google_marketing"},
		{"Open Cookie Database CSV", ocd, "ocd:p:analytics"},
		{"Open Cookie Database CSV with byte order mark", "\ufeff" + ocd, "ocd:p:analytics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := rules.Load([]byte(tt.in), "rules.any")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(vs) == 0 || vs[0].ID != tt.wantID {
				t.Fatalf("Load → %v, want first vendor %s", summarise(vs), tt.wantID)
			}
			assertSource(t, vs, "rules.any")
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", []string{"rules.any", "empty rule file"}},
		{"white space only", " \r\n\t\n", []string{"rules.any", "empty rule file"}},
		{"byte order mark only", "\ufeff\n", []string{"rules.any", "empty rule file"}},
		{"JSON syntax error", "{\n\"format\": \"consentgate-rules/1\",\n\"vendors\": [}\n", []string{"rules.any:3:"}},
		{"JSON wrong format", `{"format": "other/1", "vendors": []}`, []string{"rules.any", `"other/1"`}},
		{"AdGuard without trackers", `{"trackerDomains": {}}`, []string{"rules.any", `"trackers"`}},
		{"neither JSON nor OCD CSV", "hello,world\n1,2\n", []string{"rules.any:1:", "Platform"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := rules.Load([]byte(tt.in), "rules.any")
			if vs != nil {
				t.Errorf("got vendors %v with an error", summarise(vs))
			}
			assertErrorNames(t, err, tt.want)
		})
	}
}

// TestLoadJSONWithByteOrderMark checks that Load, which skips a byte order
// mark to recognise the format, also parses JSON that starts with one.
func TestLoadJSONWithByteOrderMark(t *testing.T) {
	for _, in := range []string{validRuleFile, adguardJSON} {
		vs, err := rules.Load([]byte("\ufeff"+in), "bom.json")
		if err != nil {
			t.Fatalf("Load(%q…) with a byte order mark = %v", in[:12], err)
		}
		if len(vs) == 0 {
			t.Errorf("no vendors")
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	files := map[string]struct {
		content string
		wantID  string
	}{
		"site.json":     {validRuleFile, "site-analytics"},
		"trackers.json": {adguardJSON, "adguard:google_marketing"},
		"cookies.csv":   {ocdHeader + "1,P,Marketing,m,,,,,,0\n", "ocd:p:marketing"},
	}
	for name, f := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(f.content), 0o600); err != nil {
				t.Fatal(err)
			}
			vs, err := rules.LoadFile(path)
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if len(vs) == 0 || vs[0].ID != f.wantID {
				t.Fatalf("LoadFile → %v, want first vendor %s", summarise(vs), f.wantID)
			}
			assertSource(t, vs, path)
		})
	}
	t.Run("syntax error names the path and line", func(t *testing.T) {
		path := filepath.Join(dir, "broken.json")
		if err := os.WriteFile(path, []byte("{\n\"format\": \"consentgate-rules/1\",\n\"vendors\": [,]}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := rules.LoadFile(path)
		assertErrorNames(t, err, []string{path + ":3:"})
	})
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(dir, "does-not-exist.json")
		vs, err := rules.LoadFile(path)
		if vs != nil {
			t.Errorf("got vendors %v", summarise(vs))
		}
		assertErrorNames(t, err, []string{"loading rules", path})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error %v does not wrap fs.ErrNotExist", err)
		}
	})
}
