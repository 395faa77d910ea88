package caddymodule

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/consentgate/consentgate/middleware"
	"github.com/consentgate/consentgate/rules"
)

// checkReport is what consent-check found on the pages it fetched.
type checkReport struct {
	Pages []*pageReport `json:"pages"`
	// Unclassified counts what no rule classifies, over all pages.
	Unclassified int `json:"unclassified"`
	// Failed counts the pages that could not be checked.
	Failed int `json:"failed"`
}

// pageReport is one page: its trackers and cookies as the middleware
// judges them for a visitor who has not consented to anything.
type pageReport struct {
	URL         string `json:"url"`
	FinalURL    string `json:"final_url,omitempty"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Error       string `json:"error,omitempty"`
	// Trackers are grouped by vendor, in the order the page meets them.
	Trackers []*trackerReport `json:"trackers"`
	// Cookies are those the page (and its redirects) set, in order.
	Cookies []cookieReport `json:"cookies"`
	// Refusing is what a visitor who refuses everything optional gets.
	Refusing refusalReport `json:"refusing_visitor"`
	// Unclassified lists what no rule classifies: cookie names, and
	// elements blocked without a vendor.
	Unclassified []string `json:"unclassified"`
}

// trackerReport is one vendor found on a page.
type trackerReport struct {
	Vendor     string   `json:"vendor"`
	Name       string   `json:"name,omitempty"`
	Categories []string `json:"categories"`
	// Cookies are the cookie names the rules give the vendor: what it
	// sets once it runs.
	Cookies []string      `json:"cookies,omitempty"`
	Found   []foundReport `json:"found"`
}

// foundReport is one element, attribute or Link header entry of a
// tracker.
type foundReport struct {
	Kind    string `json:"kind"`
	Element string `json:"element,omitempty"`
	URL     string `json:"url,omitempty"`
	Count   int    `json:"count"`
}

// cookieReport is one cookie a page sets.
type cookieReport struct {
	Name       string   `json:"name"`
	Vendor     string   `json:"vendor,omitempty"`
	Categories []string `json:"categories,omitempty"`
	Classified bool     `json:"classified"`
	// Dropped is true when a visitor who refuses does not get it.
	Dropped bool `json:"dropped"`
}

// refusalReport counts what enforcement takes away from a visitor who
// refuses every optional category.
type refusalReport struct {
	ElementsBlocked    int `json:"elements_blocked"`
	LinkHeadersDropped int `json:"link_headers_dropped"`
	CookiesDropped     int `json:"cookies_dropped"`
	CookiesKept        int `json:"cookies_kept"`
}

// checker fetches pages through the middleware in report mode and
// gathers what it reports.
type checker struct {
	mw     *middleware.Middleware
	client *http.Client
	host   string // Host header to send, or ""
	vendor map[string]*rules.Vendor

	mu      sync.Mutex
	current *pageState // the page being fetched
}

// pageState gathers one page's findings while it is fetched.
type pageState struct {
	findings   []middleware.Finding
	setCookies []string // the Set-Cookie lines of every response, in order
	unknown    []string // cookie names no rule knows, as the middleware read them
}

type pageKey struct{}

// newChecker builds the middleware from h in report mode, with a client
// that sends every request through it.
func newChecker(h Handler, host string, timeout time.Duration) (*checker, error) {
	c := &checker{host: host}
	cfg := h.Config()
	cfg.Mode = middleware.ModeReport
	cfg.OnFinding = func(r *http.Request, f middleware.Finding) {
		if st, ok := r.Context().Value(pageKey{}).(*pageState); ok {
			c.mu.Lock()
			st.findings = append(st.findings, f)
			c.mu.Unlock()
		}
	}
	cfg.OnUnclassifiedCookie = func(name string) {
		c.mu.Lock()
		if c.current != nil && !slices.Contains(c.current.unknown, name) {
			c.current.unknown = append(c.current.unknown, name)
		}
		c.mu.Unlock()
	}
	mw, err := middleware.New(cfg)
	if err != nil {
		return nil, err
	}
	c.mw = mw
	c.vendor = map[string]*rules.Vendor{}
	for _, v := range mw.Rules().Vendors() {
		c.vendor[v.ID] = v // later rules win, as in the ruleset
	}
	c.client = &http.Client{
		Transport: &checkTransport{c: c, base: http.DefaultTransport},
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return fmt.Errorf("stopped after %d redirects", len(via))
			}
			if req.URL.Host != via[0].URL.Host {
				return http.ErrUseLastResponse // another site: not checked
			}
			return nil
		},
	}
	return c, nil
}

// checkTransport sends a request as the middleware passes it to an
// upstream, and hands the response to the middleware before the client
// reads it, as an httputil.ReverseProxy with its hooks does.
type checkTransport struct {
	c    *checker
	base http.RoundTripper
}

func (t *checkTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := t.c.mw.FilterRequest(req.Clone(req.Context()))
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	if st, ok := req.Context().Value(pageKey{}).(*pageState); ok {
		t.c.mu.Lock()
		st.setCookies = append(st.setCookies, resp.Header.Values("Set-Cookie")...)
		t.c.mu.Unlock()
	}
	if err := t.c.mw.ModifyResponse(resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// defaultCheckTimeout is the time allowed per page.
const defaultCheckTimeout = 30 * time.Second

// maxCheckedBody bounds what is read of one page.
const maxCheckedBody = 64 << 20

// check fetches each URL in turn and reports what the middleware found.
func (c *checker) check(ctx context.Context, urls []string) *checkReport {
	rep := &checkReport{}
	for _, u := range urls {
		p := c.checkPage(ctx, u)
		if p.Error != "" {
			rep.Failed++
		}
		rep.Unclassified += len(p.Unclassified)
		rep.Pages = append(rep.Pages, p)
	}
	return rep
}

// unclassified lists what no rule classifies, once each, over all pages.
func (rep *checkReport) unclassified() []string {
	var all []string
	for _, p := range rep.Pages {
		for _, u := range p.Unclassified {
			u = printable(u, 200)
			if !slices.Contains(all, u) {
				all = append(all, u)
			}
		}
	}
	return all
}

func (c *checker) checkPage(ctx context.Context, rawURL string) *pageReport {
	p := &pageReport{URL: rawURL, Trackers: []*trackerReport{}, Cookies: []cookieReport{}, Unclassified: []string{}}
	st := &pageState{}
	c.mu.Lock()
	c.current = st
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.current = nil
		c.mu.Unlock()
	}()
	req, err := http.NewRequestWithContext(context.WithValue(ctx, pageKey{}, st), http.MethodGet, rawURL, nil)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	if c.host != "" {
		req.Host = c.host
	}
	// A browser's first visit to a page.
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Accept-Language", "en")
	req.Header.Set("Sec-Fetch-Dest", "document")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("User-Agent", "Mozilla/5.0 (compatible; consentgate consent-check)")
	resp, err := c.client.Do(req)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxCheckedBody))
	resp.Body.Close()
	p.Status = resp.StatusCode
	p.ContentType = resp.Header.Get("Content-Type")
	if final := resp.Request.URL.String(); final != rawURL {
		p.FinalURL = final
	}
	switch {
	case err != nil:
		p.Error = "reading the page: " + err.Error()
	case resp.StatusCode >= 400:
		p.Error = fmt.Sprintf("the page answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.summarise(p, st)
	return p
}

// summarise turns a page's findings into its report.
func (c *checker) summarise(p *pageReport, st *pageState) {
	byVendor := map[string]*trackerReport{}
	dropped := map[string]middleware.Finding{}
	for _, f := range st.findings {
		switch f.Kind {
		case "set-cookie", "cookie":
			dropped[f.Cookie] = f
			continue
		case "link-header":
			p.Refusing.LinkHeadersDropped++
		default:
			p.Refusing.ElementsBlocked++
			if f.Vendor == "" {
				p.Unclassified = append(p.Unclassified, "element blocked without a vendor: "+findingElement(f))
			}
		}
		t := byVendor[f.Vendor]
		if t == nil {
			t = &trackerReport{Vendor: f.Vendor, Categories: []string{}}
			if v := c.vendor[f.Vendor]; v != nil {
				t.Name, t.Cookies = v.Name, v.Cookies
			}
			byVendor[f.Vendor] = t
			p.Trackers = append(p.Trackers, t)
		}
		for _, cat := range f.Categories {
			if !slices.Contains(t.Categories, string(cat)) {
				t.Categories = append(t.Categories, string(cat))
			}
		}
		found := foundReport{Kind: f.Kind, Element: f.Element, URL: f.URL, Count: 1}
		if i := slices.IndexFunc(t.Found, func(x foundReport) bool {
			return x.Kind == found.Kind && x.Element == found.Element && x.URL == found.URL
		}); i >= 0 {
			t.Found[i].Count++
		} else {
			t.Found = append(t.Found, found)
		}
	}

	rs := c.mw.Rules()
	seen := map[string]bool{}
	for _, line := range st.setCookies {
		name, ok := middleware.SetCookieName(line)
		if !ok || seen[name] {
			continue
		}
		seen[name] = true
		cr := cookieReport{Name: name}
		if m, ok := rs.MatchCookie(name); ok {
			cr.Classified = true
			cr.Vendor = m.Vendor.ID
			for _, cat := range rs.Names(m.Need) {
				cr.Categories = append(cr.Categories, string(cat))
			}
			if len(cr.Categories) == 0 {
				cr.Categories = []string{string(rules.Necessary)}
			}
		}
		if f, ok := dropped[name]; ok {
			cr.Dropped = true
			if cr.Vendor == "" {
				cr.Vendor = f.Vendor
			}
		}
		if !cr.Classified && !slices.Contains(st.unknown, name) && cr.Vendor == "" {
			// The middleware knows it without a rule: its own consent
			// cookie, a consent manager's.
			cr.Classified = true
			cr.Categories = []string{string(rules.Necessary)}
		}
		p.Cookies = append(p.Cookies, cr)
	}
	// Names the middleware read differently from the line (odd quoting,
	// a nameless cookie) are listed as it read them.
	for _, name := range st.unknown {
		if !seen[name] {
			seen[name] = true
			p.Cookies = append(p.Cookies, cookieReport{Name: name, Dropped: dropped[name].Kind != ""})
		}
	}
	for _, cr := range p.Cookies {
		if cr.Dropped {
			p.Refusing.CookiesDropped++
		} else {
			p.Refusing.CookiesKept++
		}
		if !cr.Classified {
			p.Unclassified = append(p.Unclassified, "cookie "+cr.Name)
		}
	}
}

// checkURL accepts the http and https URLs consent-check fetches.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q: want an http:// or https:// URL", s)
	}
	return nil
}
