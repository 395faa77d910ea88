package middleware

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"github.com/consentgate/consentgate/middleware/internal/cmp"
	"github.com/consentgate/consentgate/middleware/internal/guard"
	"github.com/consentgate/consentgate/middleware/internal/htmlrewrite"
	"github.com/consentgate/consentgate/rules"
)

// Middleware enforces cookie consent on the responses of the handler it
// wraps. It is safe for concurrent use; build it once with New.
type Middleware struct {
	cfg   Config
	rs    *rules.Ruleset
	log   *slog.Logger
	gpc   rules.CategorySet
	dnt   rules.CategorySet
	known map[string]bool // cookies that are always necessary: ours, consent managers'

	rewrite     *htmlrewrite.Compiled
	tags        []pageTag // by the rewriter's element ID
	unknownSeen *lru.Cache[string, struct{}]
	banner      *banner
	records     *slog.Logger
	cmp         *cmp.Reader                // nil unless Config.CMP is set
	cmpPrefixes []string                   // cookie name prefixes the consent managers use
	seen        seenVendors                // vendors met in traffic, for the declaration
	shownIDs    *lru.Cache[string, string] // see shownID
	reports     *rate.Limiter              // guard reports taken, for the whole process
	guard       *guard.Guard               // nil when Config.Guard is off
	guardAssets []asset                    // its files, served from the endpoint
	cspWarned   sync.Once
}

// New builds a Middleware from cfg, loading the catalogue and rule files.
// It fails with an error wrapping ErrConfig for a bad setting, or naming
// the rule file and line that could not be read.
func New(cfg Config) (*Middleware, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var vendors []rules.Vendor
	if !cfg.NoCatalogue {
		vs, err := rules.Builtin()
		if err != nil {
			return nil, fmt.Errorf("loading the built-in catalogue: %w", err)
		}
		vendors = append(vendors, vs...)
	}
	for _, f := range cfg.RuleFiles {
		vs, err := rules.LoadFile(f)
		if err != nil {
			return nil, err
		}
		vendors = append(vendors, vs...)
	}
	for i := range cfg.Vendors {
		v := cfg.Vendors[i]
		if v.Source == "" {
			v.Source = "inline rules"
		}
		vendors = append(vendors, v)
	}
	rs, err := rules.Compile(vendors, rules.Options{Categories: cfg.Categories})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	rewrite, tags, err := rewriteSettings(cfg.MaxBufferSize)
	if err != nil {
		return nil, err
	}
	m := &Middleware{
		cfg:     cfg,
		rs:      rs,
		log:     cfg.Logger,
		known:   map[string]bool{cfg.CookieName: true},
		rewrite: rewrite,
		tags:    tags,
	}
	if !cfg.IgnoreGPC {
		if m.gpc, err = rs.Set(cfg.GPCRefuses...); err != nil {
			return nil, fmt.Errorf("%w: gpc: %v", ErrConfig, err)
		}
		m.gpc &^= rs.NecessarySet()
	}
	if !cfg.IgnoreDNT {
		if m.dnt, err = rs.Set(cfg.DNTRefuses...); err != nil {
			return nil, fmt.Errorf("%w: dnt: %v", ErrConfig, err)
		}
		m.dnt &^= rs.NecessarySet()
	}
	if m.unknownSeen, err = lru.New[string, struct{}](4096); err != nil {
		return nil, err
	}
	m.reports = newReportLimiter()
	if m.shownIDs, err = lru.New[string, string](1024); err != nil {
		return nil, err
	}
	if m.banner, err = newBanner(cfg, rs); err != nil {
		return nil, err
	}
	if len(cfg.CMP) > 0 {
		if err := m.newCMPReader(); err != nil {
			return nil, err
		}
	}
	if cfg.Guard != guardOff {
		if err := m.newGuard(); err != nil {
			return nil, err
		}
	}
	m.records = cfg.RecordLogger
	return m, nil
}

// Rules returns the compiled rules the middleware enforces.
func (m *Middleware) Rules() *rules.Ruleset { return m.rs }

// Handler returns next wrapped by the middleware.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := m.Serve(w, r, func(w http.ResponseWriter, r *http.Request) error {
			next.ServeHTTP(w, r)
			return nil
		})
		if err != nil {
			m.log.Error("serving request", "path", r.URL.Path, "error", err)
		}
	})
}

// Serve handles one request: it filters the request's cookies, calls next
// with a ResponseWriter that enforces consent on the response, and
// finishes the response. Errors from next are returned as they are, so
// Caddy's error handling sees them.
func (m *Middleware) Serve(w http.ResponseWriter, r *http.Request, next func(http.ResponseWriter, *http.Request) error) error {
	if m.handles(r) {
		m.serveEndpoint(w, r)
		return nil
	}
	r, st := m.begin(r)
	rw := m.wrap(w, r, st)
	defer func() {
		// A handler that gives up on a response panics (reverse proxies
		// with http.ErrAbortHandler when either side fails mid-body):
		// stop what runs for the body, write nothing more, let it go on.
		if p := recover(); p != nil {
			rw.abort()
			panic(p)
		}
	}()
	err := next(rw, r)
	if cerr := rw.finish(err); err == nil {
		err = cerr
	}
	return err
}

// state is what the middleware knows about one request.
type state struct {
	consent Consent
	expire  []string // refused tracker cookies the request carried
	// the visitor's view of the request, kept for ModifyResponse, whose
	// outbound request may name the upstream instead
	host string
	tls  *tls.ConnectionState
	ctx  *stateContext // what holds the state
	// the vendors of the request's and response's cookies, for the banner
	cookieVendors []*rules.Vendor
}

// begin reads the visitor's decision and filters the request's cookies.
// It returns the request with the state in its context.
func (m *Middleware) begin(r *http.Request) (*http.Request, *state) {
	sc := &stateContext{Context: r.Context()}
	sc.st = state{consent: m.consentOf(r), host: r.Host, tls: r.TLS, ctx: sc}
	m.filterRequest(r, &sc.st)
	return r.WithContext(sc), &sc.st
}

// stateContext carries a request's state in its context, in one
// allocation: the decision for ConsentFromContext, the rest for
// ModifyResponse, and the response writer Serve wraps the response in.
type stateContext struct {
	context.Context
	st state
	rw responseWriter
}

func (c *stateContext) Value(key any) any {
	switch key.(type) {
	case consentKey:
		return &c.st.consent
	case stateKey:
		return &c.st
	}
	return c.Context.Value(key)
}

// FilterRequest prepares a request for an upstream without the rest of the
// middleware: it removes from r's Cookie headers the cookies the visitor
// has not consented to, limits Accept-Encoding to codings the middleware
// decodes, and returns r with the decision in its context (see
// ConsentFromContext), where ModifyResponse finds it.
// httputil.ReverseProxy users who do not wrap the proxy in Handler call it
// from the proxy's Rewrite hook, before SetURL (which replaces the host):
//
//	pr.Out = mw.FilterRequest(pr.Out)
//	pr.SetURL(upstream)
func (m *Middleware) FilterRequest(r *http.Request) *http.Request {
	r, _ = m.begin(r)
	return r
}

type stateKey struct{}

// filterRequest filters r's cookies by st's decision.
func (m *Middleware) filterRequest(r *http.Request, st *state) {
	g := st.consent.grant()
	if m.cfg.Mode != ModeReport {
		st.expire = filterCookieHeader(r.Header, func(name string) bool { return !m.dropCookie(r, st, "cookie", name, g) })
	} else if m.cfg.OnFinding != nil || m.cfg.OnBlocked != nil {
		eachCookie(r.Header, func(name, _ string) { m.dropCookie(r, st, "cookie", name, g) })
	}
	limitAcceptEncoding(r)
}

// requestHost returns the request's host in lower case without port or
// trailing dot.
func requestHost(r *http.Request) string {
	host := r.Host
	if host == "" && r.URL != nil {
		host = r.URL.Host
	}
	// Drop the port: "[v6]:port" or "name:port" (a bare IPv6 address has
	// more than one colon and keeps them).
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i > 0 {
			host = host[1:i]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.IndexByte(host[:i], ':') < 0 {
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	return strings.ToLower(host)
}
