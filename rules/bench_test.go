package rules_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func BenchmarkMatchURLBytes(b *testing.B) {
	rs := builtinRuleset(b)
	cases := []struct{ name, host, pq string }{
		{"hit-host", "www.google-analytics.com", "/g/collect?v=2&tid=G-XXXX&cid=1.2"},
		{"hit-url-query", "www.googletagmanager.com", "/gtag/js?l=dataLayer&id=AW-123456"},
		{"hit-path", "www.example.com", "/assets/js/matomo.js"},
		{"miss", "static.cdn.example-shop.co.uk", "/assets/js/app.3f9a1c.js?v=20260101"},
	}
	for _, c := range cases {
		host, pq := []byte(c.host), []byte(c.pq)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rs.MatchURLBytes(host, pq)
			}
		})
	}
}

func BenchmarkMatchCookie(b *testing.B) {
	rs := builtinRuleset(b)
	cases := []struct{ name, cookie string }{
		{"exact", "_ga"},
		{"prefix", "_ga_ABC123XYZ"},
		{"unknown", "app_theme_preference"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rs.MatchCookie(c.cookie)
			}
		})
	}
	// Every name new: the prefix search runs and the cache evicts.
	names := make([]string, 1<<14)
	for i := range names {
		names[i] = fmt.Sprintf("_ga_%08X", i)
	}
	b.Run("prefix-uncached", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			rs.MatchCookie(names[i&(len(names)-1)])
			i++
		}
	})
}

// appScript is about 20 KB of ordinary site JavaScript with no tracker.
var appScript = func() []byte {
	chunk := jqueryReadyScript + reactHydrationScript + appStateScript + `
(function () {
  "use strict";
  var cfg = window.siteConfig || { locale: "en-GB", currency: "GBP", api: "/api/v2" };
  function fetchJSON(url, opts) {
    return fetch(cfg.api + url, Object.assign({ credentials: "same-origin", headers: { "Accept": "application/json" } }, opts))
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
  }
  function renderCart(cart) {
    var el = document.querySelector("[data-cart-count]");
    if (el) { el.textContent = String(cart.items.length); }
    document.querySelectorAll(".price").forEach(function (p) {
      p.textContent = new Intl.NumberFormat(cfg.locale, { style: "currency", currency: cfg.currency }).format(+p.dataset.amount);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    fetchJSON("/cart").then(renderCart).catch(function (e) { console.error("cart:", e); });
    var form = document.getElementById("newsletter");
    if (form) form.addEventListener("submit", function (ev) { ev.preventDefault(); fetchJSON("/subscribe", { method: "POST", body: new FormData(form) }); });
  });
})();
`
	var b bytes.Buffer
	for b.Len() < 20<<10 {
		b.WriteString(chunk)
	}
	return b.Bytes()[:20<<10]
}()

func BenchmarkMatchScript(b *testing.B) {
	rs := builtinRuleset(b)
	clean := appScript
	// Trackers at the end: the whole text is scanned before the match.
	tracked := append(append([]byte(nil), clean[:len(clean)-len(gtmHeadSnippet)-len(metaPixelSnippet)]...), gtmHeadSnippet+metaPixelSnippet...)
	if _, _, ok := rs.MatchScript(clean); ok {
		b.Fatal("clean script matched")
	}
	if _, _, ok := rs.MatchScript(tracked); !ok {
		b.Fatal("tracked script not matched")
	}
	for _, c := range []struct {
		name string
		text []byte
	}{{"20KB-clean", clean}, {"20KB-trackers", tracked}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			b.ReportAllocs()
			for b.Loop() {
				rs.MatchScript(c.text)
			}
		})
	}
	// Baseline for ratios: one substring search over the same text, a
	// lower bound for any scan of it.
	b.Run("20KB-baseline-bytes.Index", func(b *testing.B) {
		b.SetBytes(int64(len(clean)))
		for b.Loop() {
			bytes.Index(clean, []byte("google-analytics.com"))
		}
	})
	// Baseline: strings.Contains for every signature and host of the
	// catalogue, the naive alternative to the matcher.
	var needles []string
	for _, v := range rs.Vendors() {
		needles = append(needles, v.Signatures...)
		needles = append(needles, v.Hosts...)
	}
	text := string(clean)
	b.Run("20KB-baseline-naive-Contains", func(b *testing.B) {
		b.SetBytes(int64(len(clean)))
		for b.Loop() {
			for _, n := range needles {
				if strings.Contains(text, n) {
					break
				}
			}
		}
	})
}
