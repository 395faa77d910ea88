// Package middleware enforces cookie consent on the responses of any
// net/http handler, in front of any site: it reads the visitor's
// decision, drops the cookies and neutralises the trackers it does not
// allow, and shows a consent banner. It is plain Go; the Caddy module
// (package caddymodule) is a thin layer over it.
//
// Build one Middleware with New and use it as Handler(next), as Serve
// (Caddy's error-returning form), or with httputil.ReverseProxy through
// FilterRequest and ModifyResponse. See the examples.
//
// # A request's way through
//
//	request ──► Serve (middleware.go)
//	  │  the endpoint's own paths ──► endpoint.go: consent POSTs, the
//	  │      current decision, the banner's and the guard's files,
//	  │      the declaration (declaration.go), what was shown (shown.go),
//	  │      the guard's reports (endpoint_report.go)
//	  ├─ the decision (decision.go): the consent cookie
//	  │  (decision_cookie.go), choices about single vendors
//	  │  (decision_vendors.go), the site's consent manager
//	  │  (decision_cmp.go), Sec-GPC and DNT
//	  ├─ refused cookies leave the Cookie header (request_cookies.go,
//	  │  judged by cookies.go)
//	  ▼
//	next handler (the site)
//	  ▼
//	response ──► response_writer.go (Handler) or response_proxy.go
//	  │           (ModifyResponse), both deciding by response_plan.go:
//	  ├─ a missing type is sniffed; Set-Cookie and Link headers filtered,
//	  │  refused cookies expired (response_headers.go,
//	  │  response_setcookie.go); redirects to refused trackers and report
//	  │  endpoints naming them taken out (response_reports.go)
//	  ├─ a worker script gets the run-time guard before it
//	  │  (response_worker.go)
//	  ├─ an HTML body is decoded (response_decode.go) and streamed
//	  │  through the page rewriter (internal/htmlrewrite), whose handler
//	  │  is the page (page.go): URLs judged against the rules
//	  │  (page_judge.go) by the element table (internal/elements), CSS
//	  │  (page_css.go), scripts and opt-in markup (page_script.go), and
//	  │  what the page gets (page_inject.go): the run-time guard
//	  │  (page_guard.go, internal/guard), Consent Mode defaults, a
//	  │  placeholder before each blocked embed (page_placeholder.go), the
//	  │  banner (banner*.go)
//	  └─ decisions are recorded (records.go); what is blocked is reported
//	     (finding.go)
//
// Everything a response needs is decided once, in response_plan.go, so
// that Handler and ModifyResponse cannot disagree.
package middleware
