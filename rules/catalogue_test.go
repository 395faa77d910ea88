package rules_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/internal/corpus"
	"github.com/consentgate/consentgate/rules"
)

// builtinRuleset compiles the built-in catalogue with the default
// categories.
func builtinRuleset(t testing.TB) *rules.Ruleset {
	t.Helper()
	vs, err := rules.Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return mustCompile(t, vs, rules.Options{})
}

func TestBuiltinCompiles(t *testing.T) {
	vs, err := rules.Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	if len(vs) < 100 {
		t.Errorf("Builtin has %d vendors, want at least 100", len(vs))
	}
	rs := mustCompile(t, vs, rules.Options{})
	if got := len(rs.Vendors()); got != len(vs) {
		t.Errorf("compiled %d vendors, want %d", got, len(vs))
	}
	for _, v := range vs {
		if v.Name == "" || v.Description == "" {
			t.Errorf("vendor %s: missing name or description", v.ID)
		}
		if v.Source != "builtin catalogue" {
			t.Errorf("vendor %s: Source = %q", v.ID, v.Source)
		}
		if v.ID != strings.ToLower(v.ID) || strings.ContainsAny(v.ID, " \t") {
			t.Errorf("vendor %s: ID not lower case without spaces", v.ID)
		}
	}
}

func TestBuiltinReturnsCopy(t *testing.T) {
	a, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	id := a[0].ID
	a[0] = rules.Vendor{ID: "changed"}
	b, _ := rules.Builtin()
	if b[0].ID != id {
		t.Errorf("Builtin()[0].ID = %q after a caller changed its copy, want %q", b[0].ID, id)
	}
}

// TestBuiltinNoConflicts checks that no host, URL rule, path rule or
// cookie pattern is claimed by two vendors (a later one would silently
// override the earlier), and that IDs are unique.
func TestBuiltinNoConflicts(t *testing.T) {
	vs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	owner := map[string]string{}
	claim := func(kind, key, id string) {
		t.Helper()
		k := kind + " " + key
		if prev, ok := owner[k]; ok && prev != id {
			t.Errorf("%s claimed by %s and %s", k, prev, id)
		} else if ok {
			t.Errorf("%s listed twice by %s", k, id)
		}
		owner[k] = id
	}
	for _, v := range vs {
		claim("id", v.ID, v.ID)
		for _, h := range v.Hosts {
			claim("host", strings.ToLower(h), v.ID)
		}
		for _, u := range v.URLs {
			claim("url", strings.ToLower(u), v.ID)
		}
		for _, p := range v.Paths {
			claim("path", strings.ToLower(p), v.ID)
		}
		for _, c := range v.Cookies {
			claim("cookie", c, v.ID)
		}
		for _, s := range v.Signatures {
			claim("signature", s, v.ID)
		}
	}
}

// TestBuiltinSelfConsistent checks that every host, URL rule and cookie
// pattern of the catalogue classifies as its own vendor.
func TestBuiltinSelfConsistent(t *testing.T) {
	rs := builtinRuleset(t)
	for _, v := range rs.Vendors() {
		for _, h := range v.Hosts {
			if m, ok := rs.MatchURL(h, "/consentgate-probe"); !ok || m.Vendor != v {
				t.Errorf("host %s of %s: MatchURL = %v", h, v.ID, vendorID(m, ok))
			}
		}
		for _, u := range v.URLs {
			slash := strings.IndexByte(u, '/')
			if m, ok := rs.MatchURL(u[:slash], u[slash:]); !ok || m.Vendor != v {
				t.Errorf("url %s of %s: MatchURL = %v", u, v.ID, vendorID(m, ok))
			}
		}
		for _, p := range v.Paths {
			if m, ok := rs.MatchURL("self-hosted.example", "/x"+p); !ok || m.Vendor != v {
				t.Errorf("path %s of %s: MatchURL = %v", p, v.ID, vendorID(m, ok))
			}
		}
		for _, c := range v.Cookies {
			name := c
			if strings.HasSuffix(c, "*") {
				name = strings.TrimSuffix(c, "*") + "Z9"
			}
			if m, ok := rs.MatchCookie(name); !ok || m.Vendor != v {
				t.Errorf("cookie %s of %s: MatchCookie(%s) = %v", c, v.ID, name, vendorID(m, ok))
			}
		}
	}
}

func vendorID(m rules.Match, ok bool) string {
	if !ok {
		return "no match"
	}
	return m.Vendor.ID
}

// TestCatalogueHasProductVendors checks the vendors PRODUCT.md's
// Catalogue section promises, with their categories.
func TestCatalogueHasProductVendors(t *testing.T) {
	rs := builtinRuleset(t)
	byID := map[string]*rules.Vendor{}
	for _, v := range rs.Vendors() {
		byID[v.ID] = v
	}
	both := "analytics+marketing"
	tests := []struct {
		name string // as PRODUCT.md names it
		id   string
		need string
	}{
		{"Google Analytics", "google-analytics", "analytics"},
		{"Google Tag Manager", "google-tag-manager", both},
		{"Tealium (other tag managers)", "tealium", both},
		{"Adobe Launch (other tag managers)", "adobe-launch", both},
		{"Google Ads", "google-ads", "marketing"},
		{"DoubleClick", "google-doubleclick", "marketing"},
		{"AdSense", "google-adsense", "marketing"},
		{"Meta pixel", "meta-pixel", "marketing"},
		{"Hotjar", "hotjar", "analytics"},
		{"Microsoft Clarity", "microsoft-clarity", "analytics"},
		{"Microsoft/Bing UET", "microsoft-advertising", "marketing"},
		{"LinkedIn Insight", "linkedin-insight", "marketing"},
		{"TikTok pixel", "tiktok-pixel", "marketing"},
		{"X/Twitter pixel", "x-pixel", "marketing"},
		{"Pinterest", "pinterest-tag", "marketing"},
		{"Snap", "snap-pixel", "marketing"},
		{"Reddit", "reddit-pixel", "marketing"},
		{"Criteo", "criteo", "marketing"},
		{"Taboola", "taboola", "marketing"},
		{"Outbrain", "outbrain", "marketing"},
		{"Quantcast", "quantcast", "marketing"},
		{"comScore", "comscore", "marketing"},
		{"Adobe Analytics", "adobe-analytics", "analytics"},
		{"Yandex Metrica", "yandex-metrica", "analytics"},
		{"Matomo/Piwik", "matomo", "analytics"},
		{"Mixpanel", "mixpanel", "analytics"},
		{"Segment", "segment", both},
		{"Amplitude", "amplitude", "analytics"},
		{"Heap", "heap", "analytics"},
		{"FullStory", "fullstory", "analytics"},
		{"Mouseflow", "mouseflow", "analytics"},
		{"Crazy Egg", "crazy-egg", "analytics"},
		{"Lucky Orange", "lucky-orange", "analytics"},
		{"Smartlook", "smartlook", "analytics"},
		{"HubSpot", "hubspot", "marketing"},
		{"Intercom", "intercom", "preferences"},
		{"Mailchimp", "mailchimp", "marketing"},
		{"YouTube embeds", "youtube", "marketing"},
		{"Vimeo embeds", "vimeo", "analytics"},
		{"Google Maps embeds", "google-maps", "preferences"},
		{"Facebook social widgets", "facebook-social", "marketing"},
		{"X social widgets", "x-widgets", "marketing"},
		{"Chartbeat", "chartbeat", "analytics"},
		{"Optimizely", "optimizely", "analytics"},
		{"VWO", "vwo", "analytics"},
		{"Stripe", "stripe", "necessary"},
		{"PayPal checkout", "paypal", "necessary"},
		{"reCAPTCHA", "google-recaptcha", "necessary"},
		{"hCaptcha", "hcaptcha", "necessary"},
		{"Cloudflare", "cloudflare", "necessary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := byID[tt.id]
			if !ok {
				t.Fatalf("vendor %s missing", tt.id)
			}
			if got := rs.Join(rs.Need(v), "+"); got != tt.need {
				t.Errorf("%s needs %q, want %q", tt.id, got, tt.need)
			}
			if len(v.Hosts)+len(v.URLs)+len(v.Paths) == 0 {
				t.Errorf("%s has no hosts, URLs or paths", tt.id)
			}
		})
	}
	// Common session and CSRF cookies are necessary.
	for _, name := range []string{"PHPSESSID", "JSESSIONID", "ASP.NET_SessionId", "csrftoken", "XSRF-TOKEN", "laravel_session", "__Host-session", "__Host-csrf"} {
		m, ok := rs.MatchCookie(name)
		if !ok || rs.Join(m.Need, "+") != "necessary" {
			t.Errorf("cookie %s: %s, want necessary", name, describe(rs, m, ok))
		}
	}
}

func describe(rs *rules.Ruleset, m rules.Match, ok bool) string {
	if !ok {
		return "no match"
	}
	return m.Vendor.ID + " (" + rs.Join(m.Need, "+") + ")"
}

func TestCatalogueURLs(t *testing.T) {
	rs := builtinRuleset(t)
	both := "analytics+marketing"
	tests := []struct {
		in   string
		want matchResult
	}{
		{"https://www.googletagmanager.com/gtm.js?id=GTM-X", matchResult{"google-tag-manager", both}},
		{"https://www.googletagmanager.com/gtag/js?id=G-X", matchResult{"google-analytics", "analytics"}},
		{"https://www.googletagmanager.com/gtag/js?id=UA-1-1", matchResult{"google-analytics", "analytics"}},
		{"https://www.googletagmanager.com/gtag/js?id=AW-X", matchResult{"google-ads", "marketing"}},
		{"https://www.googletagmanager.com/gtag/js?l=dataLayer&id=AW-X", matchResult{"google-ads", "marketing"}},
		{"https://www.googletagmanager.com/gtag/js?id=DC-X", matchResult{"google-doubleclick", "marketing"}},
		{"https://www.googletagmanager.com/gtag/js?id=GT-X", matchResult{"google-tag-manager", both}},
		{"https://sgtm.shop.example/gtm.js?id=GTM-X", matchResult{"google-tag-manager", both}},
		{"https://www.google-analytics.com/analytics.js", matchResult{"google-analytics", "analytics"}},
		{"https://region1.google-analytics.com/g/collect?v=2&tid=G-X", matchResult{"google-analytics", "analytics"}},
		{"https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?client=ca-pub-1", matchResult{"google-adsense", "marketing"}},
		{"https://securepubads.g.doubleclick.net/tag/js/gpt.js", matchResult{"google-doubleclick", "marketing"}},
		{"https://www.googleadservices.com/pagead/conversion.js", matchResult{"google-ads", "marketing"}},
		{"https://www.google.com/pagead/1p-user-list/1/?random=1", matchResult{"google-ads", "marketing"}},
		{"https://connect.facebook.net/en_US/fbevents.js", matchResult{"meta-pixel", "marketing"}},
		{"https://connect.facebook.net/signals/config/1?v=2.9", matchResult{"meta-pixel", "marketing"}},
		{"https://connect.facebook.net/en_US/sdk.js#xfbml=1", matchResult{"facebook-social", "marketing"}},
		{"https://www.facebook.com/tr?id=1&ev=PageView&noscript=1", matchResult{"meta-pixel", "marketing"}},
		{"https://www.facebook.com/plugins/page.php?href=x", matchResult{"facebook-social", "marketing"}},
		{"https://www.facebook.com/ExamplePage", matchResult{}},
		{"https://www.google.com/recaptcha/api.js", matchResult{"google-recaptcha", "necessary"}},
		{"https://www.gstatic.com/recaptcha/releases/abc/recaptcha__en.js", matchResult{"google-recaptcha", "necessary"}},
		{"https://js.stripe.com/v3/", matchResult{"stripe", "necessary"}},
		{"https://m.stripe.network/inner.html", matchResult{"stripe", "necessary"}},
		{"https://www.paypal.com/sdk/js?client-id=x", matchResult{"paypal", "necessary"}},
		{"https://www.paypal.com/tagmanager/pptm.js?id=x", matchResult{"paypal-marketing", "marketing"}},
		{"https://js.hcaptcha.com/1/api.js", matchResult{"hcaptcha", "necessary"}},
		{"https://challenges.cloudflare.com/turnstile/v0/api.js", matchResult{"cloudflare", "necessary"}},
		{"https://www.youtube.com/embed/x", matchResult{"youtube", "marketing"}},
		{"https://www.youtube.com/iframe_api", matchResult{"youtube", "marketing"}},
		{"https://www.youtube-nocookie.com/embed/x", matchResult{"youtube", "marketing"}},
		{"https://www.youtube.com/watch?v=x", matchResult{}},
		{"https://player.vimeo.com/video/1", matchResult{"vimeo", "analytics"}},
		{"https://vimeo.com/channels/staffpicks", matchResult{}},
		{"https://www.google.com/maps/embed?pb=x", matchResult{"google-maps", "preferences"}},
		{"https://maps.googleapis.com/maps/api/js?key=x&callback=initMap", matchResult{"google-maps", "preferences"}},
		{"https://www.google.com/search?q=x", matchResult{}},
		{"https://fonts.googleapis.com/css?family=Roboto", matchResult{}},
		{"https://fonts.gstatic.com/s/roboto/v30/x.woff2", matchResult{}},
		{"https://ajax.googleapis.com/ajax/libs/jquery/3.7.1/jquery.min.js", matchResult{}},
		{"https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js", matchResult{}},
		{"https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/js/bootstrap.bundle.min.js", matchResult{}},
		{"https://cdn.example.com/matomo.js", matchResult{"matomo", "analytics"}},
		{"https://stats.example.org/piwik.php?idsite=1&rec=1", matchResult{"matomo", "analytics"}},
		{"https://example.matomo.cloud/matomo.php", matchResult{"matomo", "analytics"}},
		{"https://static.hotjar.com/c/hotjar-1234567.js?sv=6", matchResult{"hotjar", "analytics"}},
		{"https://www.clarity.ms/tag/abcdefghij", matchResult{"microsoft-clarity", "analytics"}},
		{"https://bat.bing.com/bat.js", matchResult{"microsoft-advertising", "marketing"}},
		{"https://snap.licdn.com/li.lms-analytics/insight.min.js", matchResult{"linkedin-insight", "marketing"}},
		{"https://px.ads.linkedin.com/collect/?pid=1&fmt=gif", matchResult{"linkedin-insight", "marketing"}},
		{"https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=X", matchResult{"tiktok-pixel", "marketing"}},
		{"https://static.ads-twitter.com/uwt.js", matchResult{"x-pixel", "marketing"}},
		{"https://t.co/i/adsct?txn_id=x&p_id=Twitter", matchResult{"x-pixel", "marketing"}},
		{"https://t.co/AbCdEf", matchResult{}},
		{"https://platform.twitter.com/widgets.js", matchResult{"x-widgets", "marketing"}},
		{"https://s.pinimg.com/ct/core.js", matchResult{"pinterest-tag", "marketing"}},
		{"https://sc-static.net/scevent.min.js", matchResult{"snap-pixel", "marketing"}},
		{"https://www.redditstatic.com/ads/pixel.js", matchResult{"reddit-pixel", "marketing"}},
		{"https://static.criteo.net/js/ld/publishertag.js", matchResult{"criteo", "marketing"}},
		{"https://cdn.taboola.com/libtrc/example/loader.js", matchResult{"taboola", "marketing"}},
		{"https://widgets.outbrain.com/outbrain.js", matchResult{"outbrain", "marketing"}},
		{"https://secure.quantserve.com/quant.js", matchResult{"quantcast", "marketing"}},
		{"https://sb.scorecardresearch.com/beacon.js", matchResult{"comscore", "marketing"}},
		{"https://example.sc.omtrdc.net/b/ss/rsid/1/JS-2.22.0", matchResult{"adobe-analytics", "analytics"}},
		{"https://www.example.com/js/AppMeasurement.js", matchResult{"adobe-analytics", "analytics"}},
		{"https://assets.adobedtm.com/abc/launch-def.min.js", matchResult{"adobe-launch", both}},
		{"https://mc.yandex.ru/metrika/tag.js", matchResult{"yandex-metrica", "analytics"}},
		{"https://cdn.mxpnl.com/libs/mixpanel-2-latest.min.js", matchResult{"mixpanel", "analytics"}},
		{"https://cdn.segment.com/analytics.js/v1/key/analytics.min.js", matchResult{"segment", both}},
		{"https://cdn.amplitude.com/libs/analytics-browser-2.0.0-min.js.gz", matchResult{"amplitude", "analytics"}},
		{"https://cdn.heapanalytics.com/js/heap-1.js", matchResult{"heap", "analytics"}},
		{"https://edge.fullstory.com/s/fs.js", matchResult{"fullstory", "analytics"}},
		{"https://cdn.mouseflow.com/projects/abc.js", matchResult{"mouseflow", "analytics"}},
		{"https://script.crazyegg.com/pages/scripts/0000/0000.js", matchResult{"crazy-egg", "analytics"}},
		{"https://tools.luckyorange.com/core/lo.js?site-id=x", matchResult{"lucky-orange", "analytics"}},
		{"https://web-sdk.smartlook.com/recorder.js", matchResult{"smartlook", "analytics"}},
		{"https://js.hs-scripts.com/123.js", matchResult{"hubspot", "marketing"}},
		{"https://widget.intercom.io/widget/abc", matchResult{"intercom", "preferences"}},
		{"https://chimpstatic.com/mcjs-connected/js/users/a/b.js", matchResult{"mailchimp", "marketing"}},
		{"https://static.chartbeat.com/js/chartbeat.js", matchResult{"chartbeat", "analytics"}},
		{"https://cdn.optimizely.com/js/123.js", matchResult{"optimizely", "analytics"}},
		{"https://dev.visualwebsiteoptimizer.com/j.php?a=1", matchResult{"vwo", "analytics"}},
		{"https://www.example.com/cdn-cgi/zaraz/s.js?z=x", matchResult{"cloudflare-zaraz", both}},
		{"https://consent.cookiebot.com/uc.js", matchResult{"consent-managers", "necessary"}},
		{"https://www.example.com/assets/app.js", matchResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			host, pq := splitURL(t, tt.in)
			assertMatch(t, "MatchURL", urlResult(rs, host, pq), tt.want)
		})
	}
}

// splitURL splits an absolute https URL into host and path+query, dropping
// the fragment as a browser does before a request.
func splitURL(t *testing.T, u string) (host, pathQuery string) {
	t.Helper()
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		t.Fatalf("not an https URL: %s", u)
	}
	rest, _, _ = strings.Cut(rest, "#")
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return rest, "/"
	}
	return rest[:slash], rest[slash:]
}

func TestCatalogueCookies(t *testing.T) {
	rs := builtinRuleset(t)
	tests := []struct {
		in   string
		want matchResult
	}{
		{"_ga", matchResult{"google-analytics", "analytics"}},
		{"_ga_ABC123", matchResult{"google-analytics", "analytics"}},
		{"_gid", matchResult{"google-analytics", "analytics"}},
		{"_gat_UA-1234-1", matchResult{"google-analytics", "analytics"}},
		{"__utma", matchResult{"google-analytics", "analytics"}},
		{"AMP_TOKEN", matchResult{"google-analytics", "analytics"}},
		{"_gcl_au", matchResult{"google-ads", "marketing"}},
		{"_gac_UA-1234-1", matchResult{"google-ads", "marketing"}},
		{"IDE", matchResult{"google-doubleclick", "marketing"}},
		{"__gads", matchResult{"google-adsense", "marketing"}},
		{"_fbp", matchResult{"meta-pixel", "marketing"}},
		{"_fbc", matchResult{"meta-pixel", "marketing"}},
		{"_hjSessionUser_123", matchResult{"hotjar", "analytics"}},
		{"_hjSession_123", matchResult{"hotjar", "analytics"}},
		{"_hjid", matchResult{"hotjar", "analytics"}},
		{"_clck", matchResult{"microsoft-clarity", "analytics"}},
		{"_clsk", matchResult{"microsoft-clarity", "analytics"}},
		{"MUID", matchResult{"microsoft-advertising", "marketing"}},
		{"_uetsid", matchResult{"microsoft-advertising", "marketing"}},
		{"li_fat_id", matchResult{"linkedin-insight", "marketing"}},
		{"_ttp", matchResult{"tiktok-pixel", "marketing"}},
		{"_twclid", matchResult{"x-pixel", "marketing"}},
		{"_pin_unauth", matchResult{"pinterest-tag", "marketing"}},
		{"_scid", matchResult{"snap-pixel", "marketing"}},
		{"_rdt_uuid", matchResult{"reddit-pixel", "marketing"}},
		{"cto_bundle", matchResult{"criteo", "marketing"}},
		{"__qca", matchResult{"quantcast", "marketing"}},
		{"AMCV_1234%40AdobeOrg", matchResult{"adobe-analytics", "analytics"}},
		{"s_cc", matchResult{"adobe-analytics", "analytics"}},
		{"_ym_uid", matchResult{"yandex-metrica", "analytics"}},
		{"_pk_id.1.1fff", matchResult{"matomo", "analytics"}},
		{"mp_0123abcd_mixpanel", matchResult{"mixpanel", "analytics"}},
		{"ajs_anonymous_id", matchResult{"segment", "analytics+marketing"}},
		{"AMP_0123456789", matchResult{"amplitude", "analytics"}},
		{"_hp2_id.123", matchResult{"heap", "analytics"}},
		{"fs_uid", matchResult{"fullstory", "analytics"}},
		{"_lo_uid", matchResult{"lucky-orange", "analytics"}},
		{"__hstc", matchResult{"hubspot", "marketing"}},
		{"hubspotutk", matchResult{"hubspot", "marketing"}},
		{"intercom-id-abc123", matchResult{"intercom", "preferences"}},
		{"YSC", matchResult{"youtube", "marketing"}},
		{"vuid", matchResult{"vimeo", "analytics"}},
		{"_vwo_uuid_v2", matchResult{"vwo", "analytics"}},
		{"__stripe_mid", matchResult{"stripe", "necessary"}},
		{"__cf_bm", matchResult{"cloudflare", "necessary"}},
		{"PHPSESSID", matchResult{"session", "necessary"}},
		{"JSESSIONID", matchResult{"session", "necessary"}},
		{"ASP.NET_SessionId", matchResult{"session", "necessary"}},
		{"csrftoken", matchResult{"session", "necessary"}},
		{"XSRF-TOKEN", matchResult{"session", "necessary"}},
		{"laravel_session", matchResult{"session", "necessary"}},
		{"__Host-session", matchResult{"session", "necessary"}},
		{"wordpress_logged_in_abc", matchResult{"session", "necessary"}},
		{"CookieConsent", matchResult{"consent-managers", "necessary"}},
		{"OptanonConsent", matchResult{"consent-managers", "necessary"}},
		{"cc_cookie", matchResult{"consent-managers", "necessary"}},
		{"consentgate", matchResult{"consent-managers", "necessary"}},
		{"euconsent-v2", matchResult{"consent-managers", "necessary"}},
		{"cmplz_marketing", matchResult{"consent-managers", "necessary"}},
		// Names SOURCES.md leaves out on purpose: too generic.
		{"s", matchResult{}},
		{"ID", matchResult{}},
		{"SID", matchResult{}},
		{"NID", matchResult{}},
		{"uid", matchResult{}},
		{"lang", matchResult{}},
		{"token", matchResult{}},
		{"theme", matchResult{}},
		{"__Secure-3PSID", matchResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assertMatch(t, "MatchCookie", cookieResult(rs, tt.in), tt.want)
		})
	}
}

// ocdPlatforms maps Open Cookie Database platforms to the catalogue
// vendors that cover them.
var ocdPlatforms = map[string][]string{
	"Google Analytics":             {"google-analytics"},
	"Google Tag Manager":           {"google-tag-manager"},
	"Google Ads":                   {"google-ads"},
	"DoubleClick/Google Marketing": {"google-doubleclick"},
	"Google AdSense":               {"google-adsense"},
	"Google Maps":                  {"google-maps"},
	"Youtube":                      {"youtube"},
	"Facebook":                     {"meta-pixel", "facebook-social"},
	"Instagram":                    {"instagram-embeds"},
	"Hotjar":                       {"hotjar"},
	"Microsoft":                    {"microsoft-clarity"},
	"Bing / Microsoft":             {"microsoft-advertising"},
	"LinkedIn":                     {"linkedin-insight", "linkedin-widgets"},
	"TikTok":                       {"tiktok-pixel", "tiktok-embeds"},
	"X":                            {"x-pixel", "x-widgets"},
	"Pinterest":                    {"pinterest-tag", "pinterest-widgets"},
	"Snapchat":                     {"snap-pixel"},
	"Reddit":                       {"reddit-pixel"},
	"Taboola":                      {"taboola"},
	"Outbrain":                     {"outbrain"},
	"Quantcast":                    {"quantcast"},
	"ComScore":                     {"comscore"},
	"comScore":                     {"comscore"},
	"Nielsen":                      {"nielsen"},
	"Amazon":                       {"amazon-ads"},
	"Adobe Analytics":              {"adobe-analytics"},
	"Adobe Audience Manager":       {"adobe-audience-manager"},
	"Adobe Advertising":            {"adobe-audience-manager"},
	"Yandex.Metrica":               {"yandex-metrica"},
	"Matomo":                       {"matomo"},
	"Piwik":                        {"matomo", "piwik-pro"},
	"Mixpanel":                     {"mixpanel"},
	"Rudderstack":                  {"rudderstack"},
	"Amplitude":                    {"amplitude"},
	"Heap Analytics":               {"heap"},
	"Crazy Egg":                    {"crazy-egg"},
	"Lucky Orange":                 {"lucky-orange"},
	"ContentSquare":                {"contentsquare"},
	"Chartbeat":                    {"chartbeat"},
	"Parse.ly":                     {"parsely"},
	"Optimizely":                   {"optimizely"},
	"Visual Website Optimizer":     {"vwo"},
	"Hubspot":                      {"hubspot"},
	"Intercom":                     {"intercom"},
	"Mailchimp":                    {"mailchimp"},
	"Klaviyo":                      {"klaviyo"},
	"Marketo":                      {"marketo"},
	"Vimeo":                        {"vimeo"},
	"Adform":                       {"adform"},
	"The Tradedesk":                {"the-trade-desk"},
	"Xandr":                        {"xandr"},
	"Magnite":                      {"magnite"},
	"Casale Media":                 {"index-exchange"},
	"PubMatic":                     {"pubmatic"},
	"openx.net":                    {"openx"},
	"Smartadserver":                {"equativ"},
	"Teads":                        {"teads"},
	"Media.net":                    {"media-net"},
	"MediaMath":                    {"mediamath"},
	"Mediamath":                    {"mediamath"},
	"Lotame":                       {"lotame"},
	"BlueKai":                      {"oracle-bluekai"},
	"33Across":                     {"33across"},
	"SOVRN":                        {"sovrn"},
	"Nativo":                       {"nativo"},
	"FreeWheel":                    {"freewheel"},
	"Weborama":                     {"weborama"},
	"Bombora":                      {"bombora"},
	"Leadfeeder":                   {"leadfeeder"},
	"ShareThis":                    {"sharethis"},
	"Disqus":                       {"disqus"},
	"Gemius":                       {"gemius"},
	"infOnline":                    {"infonline"},
	"AT Internet":                  {"at-internet"},
	"Baidu":                        {"baidu-tongji"},
	"Snowplow":                     {"snowplow"},
	"Plausible Analytics":          {"plausible"},
	"Zendesk":                      {"zendesk-widget"},
	"Tawk.to Chat":                 {"tawk-to"},
	"Command Act":                  {"commanders-act"},
}

// Floors for the Open Cookie Database cross-check, a little under what was
// measured (OCD commit in the corpus, 2026: 572 analytics and marketing
// rows on 79 covered platforms, 263 classified = 46.0%, 230 of them in
// agreement = 87.5%). Most disagreements are documented judgement calls
// (consent-storage cookies are necessary, Intercom is preferences,
// Optimizely is analytics); raise the floors when the catalogue grows.
const (
	// ocdMinClassified is the share of those rows the catalogue classifies.
	ocdMinClassified = 0.44
	// ocdMinAgreement is the share of classified rows whose classification
	// requires the OCD's category.
	ocdMinAgreement = 0.85
)

// TestCatalogueAgreesWithOpenCookieDatabase cross-checks cookie names
// against the Open Cookie Database: for platforms the catalogue covers, it
// reports how many analytics and marketing names the catalogue classifies
// and how many of those need the OCD's category. Disagreements are logged
// for review.
func TestCatalogueAgreesWithOpenCookieDatabase(t *testing.T) {
	path := corpus.Dir(t, "open-cookie-database/open-cookie-database.csv")
	rs := builtinRuleset(t)
	known := map[string]bool{}
	for _, v := range rs.Vendors() {
		known[v.ID] = true
	}
	for platform, ids := range ocdPlatforms {
		for _, id := range ids {
			if !known[id] {
				t.Errorf("ocdPlatforms[%q]: no vendor %s in the catalogue", platform, id)
			}
		}
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for _, c := range []string{"Platform", "Category", "Cookie / Data Key name", "Wildcard match"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("OCD header lacks %q: %v", c, records[0])
		}
	}

	var rows, classified, agree, sameVendor int
	var disagreements, unclassified []string
	platformsSeen := map[string]bool{}
	for _, rec := range records[1:] {
		platform := rec[col["Platform"]]
		ids, covered := ocdPlatforms[platform]
		if !covered {
			continue
		}
		var want rules.Category
		switch rec[col["Category"]] {
		case "Analytics":
			want = rules.Analytics
		case "Marketing":
			want = rules.Marketing
		default:
			continue
		}
		name := strings.TrimSpace(rec[col["Cookie / Data Key name"]])
		wildcard := rec[col["Wildcard match"]] == "1"
		if i := strings.IndexByte(name, '*'); i >= 0 {
			name, wildcard = name[:i], true
		}
		if name == "" {
			continue
		}
		if wildcard {
			// A name the wildcard stands for: they are mostly
			// "<prefix>_<id>" ("_gat" stands for "_gat_UA-1").
			if c := name[len(name)-1]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				name += "_"
			}
			name += "1a"
		}
		rows++
		platformsSeen[platform] = true
		m, ok := rs.MatchCookie(name)
		if !ok {
			unclassified = append(unclassified, platform+":"+name)
			continue
		}
		classified++
		bit, _ := rs.Bit(want)
		if m.Need.Has(bit) {
			agree++
		} else {
			disagreements = append(disagreements, fmt.Sprintf("%s (%s, OCD %s): catalogue %s needs %s", name, platform, want, m.Vendor.ID, rs.Join(m.Need, "+")))
		}
		for _, id := range ids {
			if m.Vendor.ID == id {
				sameVendor++
				break
			}
		}
	}
	sort.Strings(disagreements)
	for _, d := range disagreements {
		t.Logf("disagreement: %s", d)
	}
	sort.Strings(unclassified)
	t.Logf("unclassified (%d): %s", len(unclassified), strings.Join(unclassified, " "))
	if rows == 0 {
		t.Fatal("no OCD rows for covered platforms")
	}
	classifiedShare := float64(classified) / float64(rows)
	agreement := float64(agree) / float64(max(classified, 1))
	t.Logf("OCD: %d analytics/marketing rows on %d covered platforms; catalogue classifies %d (%.1f%%), %d of them to a vendor mapped to the platform; category agreement %d/%d (%.1f%%)",
		rows, len(platformsSeen), classified, 100*classifiedShare, sameVendor, agree, classified, 100*agreement)
	if classifiedShare < ocdMinClassified {
		t.Errorf("catalogue classifies %.1f%% of the OCD names of covered platforms, want at least %.1f%%", 100*classifiedShare, 100*ocdMinClassified)
	}
	if agreement < ocdMinAgreement {
		t.Errorf("category agreement with the OCD is %.1f%%, want at least %.1f%%", 100*agreement, 100*ocdMinAgreement)
	}
}

// Official install snippets, with fake IDs.
const (
	gtmHeadSnippet = `
<!-- Google Tag Manager -->
(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','GTM-XXXX000');
<!-- End Google Tag Manager -->
`
	gtagSnippet = `
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());

  gtag('config', 'G-TEST000000');
`
	gtagAdsSnippet = `
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());

  gtag('config', 'AW-000000000');
`
	metaPixelSnippet = `
!function(f,b,e,v,n,t,s)
{if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};
if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';
n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];
s.parentNode.insertBefore(t,s)}(window, document,'script',
'https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '000000000000000');
fbq('track', 'PageView');
`
	hotjarSnippet = `
    (function(h,o,t,j,a,r){
        h.hj=h.hj||function(){(h.hj.q=h.hj.q||[]).push(arguments)};
        h._hjSettings={hjid:0000000,hjsv:6};
        a=o.getElementsByTagName('head')[0];
        r=o.createElement('script');r.async=1;
        r.src=t+h._hjSettings.hjid+j+h._hjSettings.hjsv;
        a.appendChild(r);
    })(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');
`
	claritySnippet = `
    (function(c,l,a,r,i,t,y){
        c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};
        t=l.createElement(r);t.async=1;t.src="https://www.clarity.ms/tag/"+i;
        y=l.getElementsByTagName(r)[0];y.parentNode.insertBefore(t,y);
    })(window, document, "clarity", "script", "test000000");
`
	linkedInSnippet = `
_linkedin_partner_id = "0000000";
window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];
window._linkedin_data_partner_ids.push(_linkedin_partner_id);
(function(l) {
if (!l){window.lintrk = function(a,b){window.lintrk.q.push([a,b])};
window.lintrk.q=[]}
var s = document.getElementsByTagName("script")[0];
var b = document.createElement("script");
b.type = "text/javascript";b.async = true;
b.src = "https://snap.licdn.com/li.lms-analytics/insight.min.js";
s.parentNode.insertBefore(b, s);})(window.lintrk);
`
	tiktokSnippet = `
!function (w, d, t) {
  w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];ttq.methods=["page","track","identify","instances","debug","on","off","once","ready","alias","group","enableCookie","disableCookie","holdConsent","revokeConsent","grantConsent"],ttq.setAndDefer=function(t,e){t[e]=function(){t.push([e].concat(Array.prototype.slice.call(arguments,0)))}};for(var i=0;i<ttq.methods.length;i++)ttq.setAndDefer(ttq,ttq.methods[i]);ttq.instance=function(t){for(
var e=ttq._i[t]||[],n=0;n<ttq.methods.length;n++)ttq.setAndDefer(e,ttq.methods[n]);return e},ttq.load=function(e,n){var r="https://analytics.tiktok.com/i18n/pixel/events.js",o=n&&n.partner;ttq._i=ttq._i||{},ttq._i[e]=[],ttq._i[e]._u=r,ttq._t=ttq._t||{},ttq._t[e]=+new Date,ttq._o=ttq._o||{},ttq._o[e]=n||{};n=document.createElement("script")
;n.type="text/javascript",n.async=!0,n.src=r+"?sdkid="+e+"&lib="+t;e=document.getElementsByTagName("script")[0];e.parentNode.insertBefore(n,e)};

  ttq.load('C0TEST0000000000000');
  ttq.page();
}(window, document, 'ttq');
`
)

// Inline scripts that carry no tracker.
const (
	jqueryReadyScript = `
$(document).ready(function () {
  $('.menu-toggle').on('click', function (e) {
    e.preventDefault();
    $('#site-nav').toggleClass('is-open');
    $(this).attr('aria-expanded', $('#site-nav').hasClass('is-open'));
  });
  $('a[href^="#"]').on('click', function () {
    $('html, body').animate({ scrollTop: $($(this).attr('href')).offset().top }, 300);
  });
});
`
	appStateScript = `
window.__APP_STATE__ = {"page":{"id":42,"title":"Getting started","lang":"en"},"user":null,"video":{"title":"Product tour","provider":"youtube","url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ","escaped":"https:\/\/www.youtube.com\/watch?v=dQw4w9WgXcQ","thumbnail":"https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"},"links":[{"rel":"canonical","href":"https://www.example.com/start"}],"features":{"analytics":false,"darkMode":true}};
`
	reactHydrationScript = `
import { hydrateRoot } from "/assets/react-dom-client.js";
import { createElement } from "/assets/react.js";
import App from "/assets/app.js";
const props = JSON.parse(document.getElementById("__props").textContent);
hydrateRoot(document.getElementById("root"), createElement(App, props), {
  onRecoverableError: (err) => console.warn("hydration:", err),
});
`
	stripeScript = `
const stripe = Stripe('pk_test_000000000000000000000000');
const elements = stripe.elements({ clientSecret: window.checkout.clientSecret });
elements.create('payment').mount('#payment-element');
`
	recaptchaScript = `
grecaptcha.ready(function() {
  grecaptcha.execute('6Lc_test000000000000000000000000000000', {action: 'submit'}).then(function(token) {
    document.getElementById('g-recaptcha-response').value = token;
  });
});
`
)

func TestCatalogueSnippets(t *testing.T) {
	rs := builtinRuleset(t)
	tests := []struct {
		name string
		in   string
		want matchResult // vendor is the first one found; "" for no match
	}{
		{"GTM head snippet", gtmHeadSnippet, matchResult{"google-tag-manager", "analytics+marketing"}},
		{"gtag snippet for GA4", gtagSnippet, matchResult{"google-analytics", "analytics"}},
		{"gtag snippet for Google Ads", gtagAdsSnippet, matchResult{"google-ads", "marketing"}},
		{"Meta pixel snippet", metaPixelSnippet, matchResult{"meta-pixel", "marketing"}},
		{"Hotjar snippet", hotjarSnippet, matchResult{"hotjar", "analytics"}},
		{"Clarity snippet", claritySnippet, matchResult{"microsoft-clarity", "analytics"}},
		{"LinkedIn Insight snippet", linkedInSnippet, matchResult{"linkedin-insight", "marketing"}},
		{"TikTok pixel snippet", tiktokSnippet, matchResult{"tiktok-pixel", "marketing"}},
		{"GTM and Meta pixel together", gtmHeadSnippet + metaPixelSnippet, matchResult{"google-tag-manager", "analytics+marketing"}},
		{"Hotjar then LinkedIn", hotjarSnippet + linkedInSnippet, matchResult{"hotjar", "analytics+marketing"}},
		{"jQuery ready handler", jqueryReadyScript, matchResult{}},
		{"app state with a YouTube link", appStateScript, matchResult{}},
		{"React hydration", reactHydrationScript, matchResult{}},
		{"Stripe Elements (necessary)", stripeScript, matchResult{}},
		{"reCAPTCHA (necessary)", recaptchaScript, matchResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			need, first, ok := rs.MatchScript([]byte(tt.in))
			got := matchResult{}
			if ok {
				got = matchResult{first.ID, rs.Join(need, "+")}
			}
			assertMatch(t, "MatchScript", got, tt.want)
		})
	}
}
