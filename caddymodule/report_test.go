package caddymodule

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/middleware"
	"github.com/consentgate/consentgate/rules"
)

func TestDescribeFinding(t *testing.T) {
	tests := []struct {
		name string
		in   middleware.Finding
		want string
	}{
		{"script", middleware.Finding{Kind: "script", Element: "script", URL: "https://www.googletagmanager.com/gtag/js?id=G-1", Vendor: "google-analytics", Categories: []rules.Category{"analytics"}},
			"<script> https://www.googletagmanager.com/gtag/js?id=G-1 (google-analytics: analytics)"},
		{"inline script", middleware.Finding{Kind: "script", Element: "script", Vendor: "google-tag-manager", Categories: []rules.Category{"analytics", "marketing"}},
			"inline <script> (google-tag-manager: analytics+marketing)"},
		{"attribute", middleware.Finding{Kind: "ping", Element: "a", URL: "https://t.example/p", Vendor: "acme", Categories: []rules.Category{"analytics"}},
			"ping on <a> https://t.example/p (acme: analytics)"},
		{"style attribute", middleware.Finding{Kind: "style-attribute", Element: "span", URL: "https://www.google-analytics.com/collect", Vendor: "google-analytics", Categories: []rules.Category{"analytics"}},
			"style attribute on <span> https://www.google-analytics.com/collect (google-analytics: analytics)"},
		{"response cookie", middleware.Finding{Kind: "set-cookie", Cookie: "_ga", Vendor: "google-analytics", Categories: []rules.Category{"analytics"}},
			"Set-Cookie _ga (google-analytics: analytics)"},
		{"request cookie", middleware.Finding{Kind: "cookie", Cookie: "_fbp", Vendor: "meta-pixel", Categories: []rules.Category{"marketing"}},
			"request cookie _fbp (meta-pixel: marketing)"},
		{"link header", middleware.Finding{Kind: "link-header", URL: "https://connect.facebook.net/", Vendor: "meta-pixel", Categories: []rules.Category{"marketing"}},
			"Link header https://connect.facebook.net/ (meta-pixel: marketing)"},
		{"no vendor", middleware.Finding{Kind: "script", Element: "script", Categories: []rules.Category{"preferences", "analytics", "marketing"}},
			"inline <script> (no vendor known: preferences+analytics+marketing)"},
		{"hostile URL", middleware.Finding{Kind: "img", Element: "img", URL: "https://t.example/\x1b[2J\x07", Vendor: "acme"},
			`<img> https://t.example/\u001b[2J\u0007 (acme)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describeFinding(tt.in); got != tt.want {
				t.Errorf("describeFinding(%+v)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestPrintable(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain text", 100, "plain text"},
		{"tab\there", 100, `tab\u0009here`},
		{"bad \xff byte", 100, `bad \xff byte`},
		{"a real \uFFFD stays", 100, "a real \uFFFD stays"},
		{"ünïcødé", 100, "ünïcødé"},
		{"abcdef", 3, "abc…"},
		{"\u202egnp.exe", 100, `\u202egnp.exe`},
	}
	for _, tt := range tests {
		if got := printable(tt.in, tt.max); got != tt.want {
			t.Errorf("printable(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// TestFindingReporter checks consent-proxy --report's lines: one per
// finding, printed the first time it is seen on a page only, "would
// block" in report mode and "blocked" otherwise.
func TestFindingReporter(t *testing.T) {
	var out bytes.Buffer
	fr := newFindingReporter(&out)
	ga := middleware.Finding{Kind: "script", Element: "script", URL: "https://www.googletagmanager.com/gtag/js?id=G-1", Vendor: "google-analytics", Categories: []rules.Category{"analytics"}, Reported: true}
	cookie := middleware.Finding{Kind: "set-cookie", Cookie: "_ga", Vendor: "google-analytics", Categories: []rules.Category{"analytics"}}
	home := httptest.NewRequest("GET", "http://shop.example/", nil)
	homeAgain := httptest.NewRequest("GET", "http://shop.example/?utm_source=x", nil)
	menu := httptest.NewRequest("GET", "http://shop.example/menu", nil)
	fr.finding(home, ga)
	fr.finding(home, cookie)
	fr.finding(homeAgain, ga) // the same page: not again
	fr.finding(menu, ga)      // another page: again
	want := strings.Join([]string{
		"/: would block <script> https://www.googletagmanager.com/gtag/js?id=G-1 (google-analytics: analytics)",
		"/: blocked Set-Cookie _ga (google-analytics: analytics)",
		"/menu: would block <script> https://www.googletagmanager.com/gtag/js?id=G-1 (google-analytics: analytics)",
	}, "\n") + "\n"
	if out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
}
