// Command reverseproxy puts consentgate in front of a site it cannot change
// (a legacy PHP, Java or CMS application) with httputil.ReverseProxy:
//
//	go run ./examples/reverseproxy -addr :8080 -upstream http://127.0.0.1:8000
//
// Wrapping the proxy in Handler enforces consent on every response and
// serves the banner's endpoint; refused cookies never reach the upstream.
package main

import (
	"flag"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/consentgate/consentgate/middleware"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	upstream := flag.String("upstream", "http://127.0.0.1:8000", "the site behind the proxy")
	flag.Parse()

	target, err := url.Parse(*upstream)
	if err != nil {
		log.Fatalf("upstream: %v", err)
	}
	mw, err := middleware.New(middleware.Config{})
	if err != nil {
		log.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
		},
	}
	srv := &http.Server{
		Addr:              *addr,
		Handler:           mw.Handler(proxy),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Printf("proxying %s on %s", target, *addr)
	log.Fatal(srv.ListenAndServe())
}
