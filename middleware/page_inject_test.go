package middleware

import (
	"strings"
	"testing"
)

// TestHeadInjectionPlace: the head injection comes before any script that
// can run, and never pushes a <meta charset> away from the start of the
// document when the response header does not name the charset.
func TestHeadInjectionPlace(t *testing.T) {
	m := newTestMiddleware(t, Config{ConsentMode: true, Banner: "off"})
	// The run-time guard comes first, then Consent Mode's defaults.
	const js = `<script src="/.well-known/consent/guard-`
	cases := []struct {
		name, contentType, page, want string
	}{
		{"charset in the header: first in head", "text/html; charset=utf-8",
			`<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body></body></html>`,
			`<head>` + js},
		{"XHTML: first in head", "application/xhtml+xml",
			`<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body></body></html>`,
			`<head>` + js},
		{"no charset in the header: after the meta charset", "text/html",
			`<!doctype html><html><head><meta name="viewport" content="x"><meta charset="utf-8"><title>t</title></head></html>`,
			`<meta charset="utf-8">` + js},
		{"http-equiv content-type", "text/html",
			`<html><head><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1"><title>t</title></head></html>`,
			`charset=iso-8859-1">` + js},
		{"a script before any meta", "text/html",
			`<html><head><title>t</title><script src="/app.js"></script><meta charset="utf-8"></head></html>`,
			`<title>t</title>` + js},
		{"neither: before </head>", "text/html",
			`<html><head><title>t</title><link rel="stylesheet" href="/s.css"><style>p{}</style></head><body></body></html>`,
			`<style>p{}</style>` + js},
		{"not inside noscript or template", "text/html",
			`<html><head><noscript><img src="/p.gif"></noscript><template><script>x()</script></template></head></html>`,
			`</template>` + js},
		{"no head: before the first body element", "text/html",
			`<p>Hello <img src="/a.png"> <script>go()</script>`,
			`<p>Hello ` + js},
		{"no head, charset known: before the first script", "text/html; charset=utf-8",
			`<title>t</title><script>go()</script>`,
			`<title>t</title>` + js},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := pageFor(t, m, c.page, nil, map[string]string{"Content-Type": c.contentType})
			if !strings.Contains(out, c.want) {
				t.Errorf("want %q in:\n%s", c.want, out)
			}
			if n := strings.Count(out, js); n != 1 {
				t.Errorf("%d injections, want 1:\n%s", n, out)
			}
			if i, j := strings.Index(out, js), strings.Index(out, "<script>window.dataLayer"); j < i || !strings.HasPrefix(out[i:j], js) || strings.Count(out[i:j], "</script>") != 1 {
				t.Errorf("Consent Mode's defaults do not follow the guard:\n%s", out)
			}
		})
	}
}
