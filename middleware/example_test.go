package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/consentgate/consentgate/middleware"
)

// A site behind the middleware: without consent the Google Analytics
// cookie never reaches the browser and the tracker script is made inert.
func Example() {
	site := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "_ga", Value: "GA1.1.42"})
		http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "s3ss10n"})
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script><p>Hello</p>`)
	})
	mw, err := middleware.New(middleware.Config{Banner: "off", Guard: "off"})
	if err != nil {
		panic(err)
	}
	rec := httptest.NewRecorder()
	mw.Handler(site).ServeHTTP(rec, httptest.NewRequest("GET", "https://shop.example.com/", nil))
	fmt.Println(rec.Header().Values("Set-Cookie"))
	fmt.Println(rec.Body.String())
	// Output:
	// [PHPSESSID=s3ss10n]
	// <script type="text/plain" data-consent="analytics" async data-consent-src="https://www.googletagmanager.com/gtag/js?id=G-1"></script><p>Hello</p>
}

// An httputil.ReverseProxy in front of a legacy site: FilterRequest in the
// Rewrite hook drops refused cookies before the upstream sees them, and
// ModifyResponse enforces consent on what comes back. (Wrapping the proxy
// in Handler does both, and also serves the banner's endpoint.)
func ExampleMiddleware_ModifyResponse() {
	legacy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "_fbp=fb.1.1; Path=/")
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "upstream saw cookies %q<img src=\"https://www.facebook.com/tr?id=1\">", r.Header.Get("Cookie"))
	}))
	defer legacy.Close()
	upstream, _ := url.Parse(legacy.URL)

	mw, err := middleware.New(middleware.Config{Banner: "off", Guard: "off"})
	if err != nil {
		panic(err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out = mw.FilterRequest(pr.Out)
			pr.SetURL(upstream)
		},
		ModifyResponse: mw.ModifyResponse,
	}
	req := httptest.NewRequest("GET", "http://www.example.com/", nil)
	req.Header.Set("Cookie", "_fbp=fb.1.0; lang=sv")
	rec := httptest.NewRecorder()
	proxy.ServeHTTP(rec, req)
	for _, c := range rec.Header().Values("Set-Cookie") {
		fmt.Println(strings.SplitN(c, ";", 2)[0])
	}
	fmt.Println(rec.Body.String())
	// Output:
	// _fbp=
	// _fbp=
	// _fbp=
	// upstream saw cookies "lang=sv"<img data-consent="marketing" data-consent-src="https://www.facebook.com/tr?id=1">
}

// The name a Set-Cookie line's cookie comes back under, as the middleware
// judges it: however the line is written.
func ExampleSetCookieName() {
	for _, line := range []string{"_ga=GA1.1.42; Path=/", "=_ga=GA1.1.42", " _ga =GA1.1.42", "bakery_cart; Path=/", "=;"} {
		name, ok := middleware.SetCookieName(line)
		fmt.Printf("%q %v\n", name, ok)
	}
	// Output:
	// "_ga" true
	// "_ga" true
	// "_ga" true
	// "bakery_cart" true
	// "" false
}
