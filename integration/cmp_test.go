package integration

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/consentgate/consentgate/middleware"
)

// analyticsPage carries GA4, the Meta pixel and Hotjar in their official
// shapes.
const analyticsPage = `<!doctype html><html><head><title>Shop</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','G-ABC123');</script>
<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');fbq('init','1234567890');fbq('track','PageView');</script>
<script>(function(h,o,t,j,a,r){h.hj=h.hj||function(){(h.hj.q=h.hj.q||[]).push(arguments)};h._hjSettings={hjid:1234567,hjsv:6};a=o.getElementsByTagName('head')[0];r=o.createElement('script');r.async=1;r.src=t+h._hjSettings.hjid+j+h._hjSettings.hjsv;a.appendChild(r);})(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');</script>
</head><body><h1>Shop</h1>
<noscript><img height="1" width="1" style="display:none" src="https://www.facebook.com/tr?id=1234567890&ev=PageView&noscript=1"/></noscript>
</body></html>`

// liveScripts parses a page and names the trackers whose scripts would run
// (scripts and pixels not neutralised).
func liveScripts(t *testing.T, page []byte) map[string]bool {
	t.Helper()
	live := map[string]bool{}
	for _, scripting := range []bool{true, false} {
		doc, err := html.ParseWithOptions(bytes.NewReader(page), html.ParseOptionEnableScripting(scripting))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				attrs := map[string]string{}
				for _, a := range n.Attr {
					attrs[a.Key] = a.Val
				}
				_, typed := attrs["type"]
				text := ""
				if n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
					text = n.FirstChild.Data
				}
				switch {
				case n.Data == "script" && !typed && strings.Contains(attrs["src"], "gtag/js"),
					n.Data == "script" && !typed && strings.Contains(text, "gtag('config'"):
					live["ga4"] = true
				case n.Data == "script" && !typed && strings.Contains(text, "fbevents.js"),
					n.Data == "img" && strings.Contains(attrs["src"], "facebook.com/tr"):
					live["meta"] = true
				case n.Data == "script" && !typed && strings.Contains(text, "hotjar"):
					live["hotjar"] = true
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
	return live
}

// tcString encodes a minimal IAB TCF v2.2 core segment with the given
// purposes consented, as a CMP writes it.
func tcString(purposes ...int) string {
	var bits []byte
	put := func(v uint64, n int) {
		for i := n - 1; i >= 0; i-- {
			bits = append(bits, byte(v>>uint(i)&1))
		}
	}
	const ds = 17_640_000_000 // deciseconds: 2025-11-24
	put(2, 6)                 // Version
	put(ds, 36)               // Created
	put(ds, 36)               // LastUpdated
	put(7, 12)                // CmpId
	put(1, 12)                // CmpVersion
	put(1, 6)                 // ConsentScreen
	put(uint64('E'-'A')<<6|uint64('N'-'A'), 12)
	put(48, 12) // VendorListVersion
	put(4, 6)   // TcfPolicyVersion (TCF 2.2)
	put(0, 1)   // IsServiceSpecific
	put(0, 1)   // UseNonStandardTexts
	put(0, 12)  // SpecialFeatureOptIns
	var p uint64
	for _, n := range purposes {
		p |= 1 << uint(24-n)
	}
	put(p, 24) // PurposesConsent
	put(0, 24) // PurposesLITransparency
	put(0, 1)  // PurposeOneTreatment
	put(uint64('S'-'A')<<6|uint64('E'-'A'), 12)
	put(1, 16) // MaxVendorId (vendor consents)
	put(0, 1)  // IsRangeEncoding
	put(1, 1)  // vendor 1
	put(1, 16) // MaxVendorId (legitimate interests)
	put(0, 1)
	put(0, 1)
	put(0, 12) // NumPubRestrictions
	for len(bits)%8 != 0 {
		bits = append(bits, 0)
	}
	out := make([]byte, len(bits)/8)
	for i, b := range bits {
		out[i/8] |= b << uint(7-i%8)
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

func enc(s string) string { return url.QueryEscape(s) }

// TestConsentManagersEnforced runs a page with GA4, the Meta pixel and
// Hotjar through the middleware in "cmp auto" mode, for each supported
// consent manager with a real-looking cookie that grants statistics only:
// exactly GA4 and Hotjar may run.
func TestConsentManagersEnforced(t *testing.T) {
	cases := []struct {
		manager, cookie string
	}{
		{"cookiebot", "CookieConsent=" + enc("{stamp:'hVGpG1oCHWcvyG9YZgxn0V4pFSoYoMfDnHx7uIyw3qSgVhaNVpsdeQ==',necessary:true,preferences:false,statistics:true,marketing:false,method:'explicit',ver:2,utc:1764230400123,region:'se'}")},
		{"onetrust", "OptanonConsent=" + "isGpcEnabled=0&datestamp=Thu+Nov+27+2026+09%3A00%3A00+GMT%2B0100&version=202405.2.0&browserGpcFlag=0&isIABGlobal=false&hosts=&consentId=8f6c3a4e-1d2b-4c5a-9e7f-0a1b2c3d4e5f&interactionCount=1&isAnonUser=1&landingPath=NotLandingPage&groups=" + enc("C0001:1,C0002:1,C0003:0,C0004:0,C0005:0") + "&AwaitingReconsent=false; OptanonAlertBoxClosed=2026-11-27T08:00:00.000Z"},
		{"klaro", "klaro=" + enc(`{"google-analytics":true,"hotjar":true,"meta-pixel":false}`)},
		{"cookieconsent v3", "cc_cookie=" + enc(`{"categories":["necessary","analytics"],"revision":0,"data":null,"consentTimestamp":"2026-11-27T08:00:00.000Z","consentId":"5a9e1c2b-7d3f-4e6a-8b9c-0d1e2f3a4b5c","services":{"necessary":[],"analytics":["ga","hotjar"]},"languageCode":"en","lastConsentTimestamp":"2026-11-27T08:00:00.000Z","expirationTime":1780000000000}`)},
		{"cookieyes", "cookieyes-consent=consentid:bHVyS0ZTcmlqUkNZV0hTQ3lGTUlCcDRwVnE4S1dqRk8,consent:yes,action:yes,necessary:yes,functional:no,analytics:yes,performance:yes,advertisement:no,other:no"},
		{"complianz", "cmplz_functional=allow; cmplz_preferences=deny; cmplz_statistics=allow; cmplz_marketing=deny; cmplz_banner-status=dismissed; cmplz_policy_id=21"},
		{"borlabs", "borlabs-cookie=" + enc(`{"consents":{"essential":["borlabs-cookie"],"statistics":["google-analytics","hotjar"]},"domainPath":"shop.example.com/","expires":"Fri, 28 May 2027 08:00:00 GMT","uid":"6h2k9d1q-a8s7d6f5-g4h3j2k1-l0z9x8c7","version":"1"}`)},
		{"tcf", "euconsent-v2=" + tcString(1, 8, 9)},
	}
	mw, err := middleware.New(middleware.Config{CMP: []string{"auto"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := serveHTTP(t, mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, analyticsPage)
	})))
	get := func(cookie string) []byte {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:"+srv+"/", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	if live := liveScripts(t, get("")); len(live) != 0 {
		t.Fatalf("without a consent manager cookie, %v run", live)
	}
	if live := liveScripts(t, get("CookieConsent=%7Bbroken")); len(live) != 0 {
		t.Fatalf("with a malformed cookie, %v run", live)
	}
	for _, c := range cases {
		t.Run(c.manager, func(t *testing.T) {
			out := get(c.cookie)
			live := liveScripts(t, out)
			if !live["ga4"] || !live["hotjar"] || live["meta"] || len(live) != 2 {
				t.Errorf("statistics granted in %s: running %v, want exactly GA4 and Hotjar", c.manager, live)
			}
			if bytes.Contains(out, []byte("data-consent-banner")) {
				t.Error("the middleware's own banner shows although the site's manager asks")
			}
		})
	}
}
