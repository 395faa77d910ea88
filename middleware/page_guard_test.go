package middleware

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/rules"
)

var guardTag = regexp.MustCompile(`<script src="(/\.well-known/consent/guard-[0-9a-f]+\.js)" data-granted="([^"]*)"(?: data-vendors="([^"]*)")?(?: nonce="([^"]*)")?></script>`)

// TestGuardInjection: the run-time guard goes first into the pages of
// every visitor who refused something, from the endpoint or inline as
// configured and as the page's CSP allows, with the visitor's decision;
// not for a visitor who granted everything; into srcdoc documents too.
func TestGuardInjection(t *testing.T) {
	const page = `<!doctype html><html><head><meta charset="utf-8"><title>t</title><script src="/app.js"></script></head><body><p>x</p>` +
		`<iframe srcdoc="&lt;p&gt;&lt;script&gt;fetch('/x')&lt;/script&gt;"></iframe></body></html>`
	logs := &recordedLogs{}
	m := newTestMiddleware(t, Config{Banner: "off", Logger: slog.New(logs)})
	out := pageFor(t, m, page, nil, nil)
	tag := guardTag.FindStringSubmatch(out)
	if tag == nil || !strings.Contains(out, `<head><meta charset="utf-8">`+tag[0]+`<title>`) {
		t.Fatalf("the guard is not first in the head:\n%s", out)
	}
	if tag[2] != "necessary" {
		t.Errorf("undecided visitor: data-granted=%q", tag[2])
	}
	// The script it names is served for good.
	resp := serve(t, m, nil, httptest.NewRequest("GET", "https://shop.example.com"+tag[1], nil))
	if js := body(t, resp); resp.StatusCode != 200 || !strings.Contains(js, "consentgateGuard") || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("the guard's script: %d %v (%d bytes)", resp.StatusCode, resp.Header, len(js))
	}
	// The srcdoc document, whose script runs in a window of its own,
	// gets it too.
	if !strings.Contains(out, `srcdoc="<p><script src=&quot;/.well-known/consent/guard-`) {
		t.Errorf("no guard in the srcdoc document:\n%s", out)
	}
	// The srcdoc document inherits the page's CSP: its guard carries the
	// page's nonce, as the page's own does.
	out = pageFor(t, m, page, nil, map[string]string{"Content-Security-Policy": "script-src 'nonce-abc123'"})
	if !strings.Contains(out, `srcdoc="<p><script src=&quot;/.well-known/consent/guard-`) || strings.Count(out, "abc123") != 2 {
		t.Errorf("the guard in the srcdoc document lacks the page's nonce:\n%s", out)
	}
	// Neither page, srcdoc and all, gives the guard a reason for the
	// warning that it cannot run.
	for _, e := range logs.all() {
		if strings.Contains(fmt.Sprint(e["msg"]), "Content-Security-Policy") {
			t.Errorf("warned of a CSP that lets the guard run: %v", e)
		}
	}

	// Everything granted: nothing to guard.
	all := pageFor(t, m, page, map[string]string{"Cookie": decidedCookie(m, rules.Preferences, rules.Analytics, rules.Marketing)}, nil)
	if guardTag.MatchString(all) || strings.Contains(all, "consentgateGuard") {
		t.Errorf("a visitor who granted everything gets the guard:\n%s", all)
	}
	// A vendor refused within a granted category: guarded, vendor named.
	var vc vendorChoices
	vc = vc.with("meta-pixel", false)
	rs := m.Rules()
	cookie := "consentgate=" + encodeConsentCookie(rs, cookieValue{granted: rs.Optional(), revision: "1", time: now(), id: newConsentID(), method: methodBanner, vendors: vc})
	if tag := guardTag.FindStringSubmatch(pageFor(t, m, page, map[string]string{"Cookie": cookie}, nil)); tag == nil || !strings.Contains(tag[3], "meta-pixel") || !strings.Contains(tag[2], "marketing") {
		t.Errorf("a refused vendor: guard %q", tag)
	}

	// Inline, with the page's nonce.
	inline := newTestMiddleware(t, Config{Banner: "off", Guard: "inline"})
	out = pageFor(t, inline, page, nil, map[string]string{"Content-Security-Policy": "script-src 'self' 'nonce-abc123'"})
	if !strings.Contains(out, `<meta charset="utf-8"><script nonce="abc123">//<![CDATA[`) || !strings.Contains(out, "consentgateGuard") {
		t.Errorf("inline guard with the page's nonce missing:\n%.400s", out)
	}
	// Inline asked for, but the CSP allows no inline script and gives no
	// nonce: from the endpoint.
	out = pageFor(t, inline, page, nil, map[string]string{"Content-Security-Policy": "default-src 'self'"})
	if !guardTag.MatchString(out) || strings.Contains(out, "consentgateGuard") {
		t.Errorf("CSP without inline scripts: the guard must come from the endpoint:\n%.400s", out)
	}
	// From the endpoint asked for, but the CSP allows only inline: inline.
	out = pageFor(t, m, page, nil, map[string]string{"Content-Security-Policy": "script-src 'unsafe-inline'"})
	if guardTag.MatchString(out) || !strings.Contains(out, "consentgateGuard") {
		t.Errorf("CSP with inline scripts only: the guard must be inline:\n%.400s", out)
	}

	// Off.
	off := newTestMiddleware(t, Config{Banner: "off", Guard: "off"})
	if out := pageFor(t, off, page, nil, nil); strings.Contains(out, "/guard-") {
		t.Errorf("guard off, but injected:\n%s", out)
	}
}

// TestGuardReportMode: report mode leaves the guard out by default (the
// page stays the upstream's, byte for byte); with the guard on, it goes
// in, and nothing else changes.
func TestGuardReportMode(t *testing.T) {
	const page = `<html><head><meta charset="utf-8"><script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script></head><body></body></html>`
	report := newTestMiddleware(t, Config{Mode: ModeReport})
	if out := pageFor(t, report, page, nil, nil); out != page {
		t.Errorf("report mode changed the page:\n%s", out)
	}
	observing := newTestMiddleware(t, Config{Mode: ModeReport, Guard: "on"})
	out := pageFor(t, observing, page, nil, nil)
	tag := guardTag.FindString(out)
	if tag == "" || strings.Replace(out, tag, "", 1) != page {
		t.Errorf("report mode with the guard: want the page and the guard only:\n%s", out)
	}
}

// TestGuardWorkers: worker and service worker scripts get the guard put
// before them, decoded, through both entry points; other scripts do not.
func TestGuardWorkers(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	const script = `self.onmessage=function(){fetch("https://www.google-analytics.com/g/collect")};`
	worker := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Content-Length", "80")
		w.Write([]byte(script))
	}
	for _, dest := range []string{"worker", "sharedworker", "serviceworker", "script"} {
		req := httptest.NewRequest("GET", "https://shop.example.com/w.js", nil)
		req.Header.Set("Sec-Fetch-Dest", dest)
		resp := serve(t, m, worker, req)
		got := body(t, resp)
		if dest == "script" {
			if got != script {
				t.Errorf("a plain script was changed:\n%.200s", got)
			}
			continue
		}
		if !strings.HasPrefix(got, "(function consentgateGuard(") || !strings.HasSuffix(got, script) || resp.Header.Get("Content-Length") != "" {
			t.Errorf("%s: the guard is not first:\n%.200s…%s (%v)", dest, got, got[max(0, len(got)-80):], resp.Header)
		}
	}
	// All granted: the guard still goes before a service worker, which
	// outlives the decision and must learn a withdrawal later.
	req := httptest.NewRequest("GET", "https://shop.example.com/sw.js", nil)
	req.Header.Set("Sec-Fetch-Dest", "serviceworker")
	req.Header.Set("Cookie", decidedCookie(m, rules.Preferences, rules.Analytics, rules.Marketing))
	if got := body(t, serve(t, m, worker, req)); !strings.HasPrefix(got, "(function consentgateGuard(") {
		t.Errorf("everything granted: the service worker has no guard:\n%.200s", got)
	}
}

// TestScriptCSP: the nonce and what a script element may be are read from
// the directive that governs scripts in each policy, whichever comes first
// in the header.
func TestScriptCSP(t *testing.T) {
	for _, c := range []struct {
		policies     []string
		nonce        string
		inline, self bool
	}{
		{nil, "", true, true},
		{[]string{"img-src 'none'"}, "", true, true},
		{[]string{"default-src 'self'"}, "", false, true},
		{[]string{"default-src 'nonce-AAA'; script-src 'self' 'nonce-BBB'"}, "BBB", false, true},
		{[]string{"script-src 'nonce-BBB'; script-src-elem 'unsafe-inline'"}, "", true, false},
		{[]string{"Script-Src 'NONCE-Ab+/=' 'unsafe-inline'"}, "Ab+/=", false, false},
		{[]string{"script-src 'unsafe-inline' *"}, "", true, true},
		{[]string{"script-src 'sha256-x' 'self'"}, "", false, true},
		{[]string{"script-src 'self'", "script-src 'nonce-CCC'"}, "CCC", false, false},
		{[]string{"script-src 'nonce-bad\"'"}, "", false, false},
	} {
		h := http.Header{"Content-Security-Policy": c.policies}
		if nonce, inline, self := scriptCSP(h); nonce != c.nonce || inline != c.inline || self != c.self {
			t.Errorf("%q: nonce %q inline %v self %v, want %q %v %v", c.policies, nonce, inline, self, c.nonce, c.inline, c.self)
		}
	}
}
