package middleware

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/consentgate/consentgate/middleware/internal/weburl"
	"github.com/consentgate/consentgate/rules"
)

// FuzzNoTrackerSurvives rewrites arbitrary documents for an undecided
// visitor and parses the output with golang.org/x/net/html, a parser that
// follows the HTML standard, with scripting on and off: no load it finds
// may be a tracker's. URLs are resolved the same way on both sides, so what
// is compared is how the two read the markup.
func FuzzNoTrackerSurvives(f *testing.F) {
	for _, seed := range []string{
		trackerPage,
		`<script/src="https://www.googletagmanager.com/gtm.js"></script>`,
		`<!--><img src="https://www.facebook.com/tr?id=1">-->`,
		`<noscript><img src="//www.facebook.com/tr"></noscript>`,
		`<svg><script href="https://www.google-analytics.com/analytics.js"></script></svg>`,
		`<svg><style><img src="https://www.facebook.com/tr"></style></svg>`,
		`<math><mi><textarea></mi><img src="https://www.facebook.com/tr">`,
		`<base href="https://www.googletagmanager.com/"><script src="gtm.js"></script>`,
		`<iframe srcdoc="<img src=https://www.facebook.com/tr>"></iframe>`,
		`<img srcset="a.png 1x, https://www.facebook.com/tr 2x">`,
		`<a ping="https://www.google-analytics.com/collect" href="/">x</a>`,
		`<script>var s="</scr"+"ipt>";document.write('<img src="//www.facebook.com/tr">')</script>`,
		`<template><script src="https://connect.facebook.net/en_US/fbevents.js"></script></template>`,
		`<table><script src="https://static.hotjar.com/c/hotjar-1.js"></script></table>`,
		`<select><script src="https://www.clarity.ms/tag/x"></script></select>`,
		`<div title="x>y"><img src=https://www.facebook.com/tr title='a>b'></div>`,
		`<img src="https://www.facebook.com/tr" src="/ok.png"><img src="/ok.png" src="https://www.facebook.com/tr">`,
		`<link rel="preload stylesheet" href="https://www.googletagmanager.com/gtm.js">`,
		`<object data="https://www.youtube.com/embed/x"></object><embed src="https://www.youtube.com/embed/x">`,
		`<video poster="https://www.facebook.com/tr"><source src="https://www.youtube.com/embed/x"></video>`,
		`<input type=image src="https://www.facebook.com/tr">`,
		`<script type="module">import "https://www.googletagmanager.com/gtm.js"</script>`,
		`<body background="https://www.facebook.com/tr">`,
		`<table background="//www.facebook.com/tr"><tr><td background="https://www.facebook.com/tr">x</td></tr></table>`,
		`<div style="background:url(https://www.facebook.com/tr)">x</div>`,
		`<span style='background-image: url(&quot;http://images.taboola.com/taboola/image/fetch/x.jpg&quot;)'>`,
		`<a href="/" style="background: image-set('https://www.facebook.com/tr' 1x)">x</a>`,
		`<p style="b:\75 rl(https://www.facebook.com/tr)"><svg><rect style="fill:url(//www.facebook.com/tr#x)"/></svg>`,
		`<td style=background:url(//www.facebook.com/tr)>`,
		`<div style="background:url&lpar;https://www.facebook.com/tr&rpar;">x</div>`,
		`<img src=/a.png attributionsrc="/x https://www.facebook.com/tr"><script attributionsrc=//www.facebook.com/tr src=/b.js></script>`,
		`<a href=/o attributionsrc="https://ad.doubleclick.net/c"><area ping=/p AttributionSrc=//www.facebook.com/tr href=/q></a>`,
		`<style>.ad{background:url(//cdn.taboola.com/a.png)}</style><style type="text/css">@import "https://www.facebook.com/tr";</style>`,
		`<frameset><frame src="https://www.youtube.com/embed/x"></frameset>`,
		`<plaintext><img src="https://www.facebook.com/tr">`,
		`<xmp><img src="https://www.facebook.com/tr"></xmp><img src="https://www.facebook.com/tr">`,
	} {
		f.Add([]byte(seed))
	}
	m, err := New(Config{Banner: "off"})
	if err != nil {
		f.Fatal(err)
	}
	rs := m.Rules()
	granted := rs.NecessarySet()
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > 1<<15 {
			return
		}
		start := time.Now()
		out := fuzzServe(m, doc)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("rewriting %d bytes took %v", len(doc), d)
		}
		for _, l := range pageLoads(t, out) {
			if vendor, bad := judgeLoadWeb(rs, l, granted); bad {
				t.Fatalf("tracker load survives: <%s %s=%.200q> (%s)\ninput  %q\noutput %q", l.elem, l.attr, l.value, vendor, doc, out)
			}
		}
	})
}

func fuzzServe(m *Middleware, doc []byte) []byte {
	req := httptest.NewRequest("GET", "https://www.example.com/page", nil)
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(doc)
	})).ServeHTTP(rec, req)
	return rec.Body.Bytes()
}

// judgeLoadWeb is judgeLoad with the middleware's URL resolution.
func judgeLoadWeb(rs *rules.Ruleset, l load, granted rules.CategorySet) (string, bool) {
	if l.attr == "#text" {
		need, v, ok := rs.MatchScript([]byte(l.value))
		if ok && !granted.Has(need) {
			return v.ID, true
		}
		return "", false
	}
	var urls []string
	switch l.attr {
	case "srcset":
		urls = srcsetURLs(l.value)
	case "ping", "attributionsrc":
		urls = strings.Fields(l.value)
	case "style", "#css":
		urls = styleURLs(l.value)
	default:
		urls = []string{l.value}
	}
	base := weburl.NewBase("https", "www.example.com", "/page")
	var buf weburl.Buffer
	for _, raw := range urls {
		u, ok := weburl.Parse([]byte(raw), &base, &buf)
		if !ok {
			continue
		}
		if match, ok := rs.MatchURLBytes(u.Host, u.PathQuery); ok && !granted.Has(match.Need) {
			return fmt.Sprint(match.Vendor.ID), true
		}
	}
	return "", false
}
