package middleware

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestOnFinding(t *testing.T) {
	for _, mode := range []string{ModeNeutralize, ModeReport} {
		t.Run(mode, func(t *testing.T) {
			var mu sync.Mutex
			var got []string
			mw, err := New(Config{Mode: mode, OnFinding: func(r *http.Request, f Finding) {
				mu.Lock()
				defer mu.Unlock()
				if f.Reported != (mode == ModeReport) {
					t.Errorf("%+v: Reported %v in mode %s", f, f.Reported, mode)
				}
				got = append(got, strings.Join([]string{f.Kind, f.Element, f.URL, f.Cookie, f.Vendor, strings.Join(names(f.Categories), "+")}, "|"))
			}})
			if err != nil {
				t.Fatal(err)
			}
			page := `<html><head><script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>` +
				`<script>(function(){var s=document.createElement('script');s.src='https://connect.facebook.net/en_US/fbevents.js';})()</script></head>` +
				`<body><img src="/logo.png"><img srcset="/a.png 1x, https://www.facebook.com/tr?id=1 2x">` +
				`<a href="/" ping="https://www.google-analytics.com/collect">x</a>` +
				`<div style="background:url(https://www.facebook.com/tr?id=2)"></div></body></html>`
			h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Add("Set-Cookie", "_ga=GA1.1.1; Path=/")
				w.Header().Add("Set-Cookie", "PHPSESSID=1; Path=/")
				w.Header().Add("Link", "<https://www.google-analytics.com/analytics.js>; rel=preload; as=script")
				w.Write([]byte(page))
			}))
			req := httptest.NewRequest("GET", "http://shop.example/", nil)
			req.Header.Set("Cookie", "_fbp=fb.1.2; PHPSESSID=1")
			h.ServeHTTP(httptest.NewRecorder(), req)
			want := []string{
				"cookie|||_fbp|meta-pixel|marketing",
				"set-cookie|||_ga|google-analytics|analytics",
				"link-header||https://www.google-analytics.com/analytics.js||google-analytics|analytics",
				"script|script|https://www.googletagmanager.com/gtag/js?id=G-1||google-analytics|analytics",
				"script|script|||meta-pixel|marketing",
				"img|img|https://www.facebook.com/tr?id=1||meta-pixel|marketing",
				"ping|a|https://www.google-analytics.com/collect||google-analytics|analytics",
				"style-attribute|div|https://www.facebook.com/tr?id=2||meta-pixel|marketing",
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
