// Package caddymodule registers consentgate as the Caddy HTTP handler
// http.handlers.consent and the Caddyfile directive consent. It is glue:
// the enforcement lives in the middleware and rules packages.
package caddymodule

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/exp/zapslog"

	"github.com/consentgate/consentgate/middleware"
	"github.com/consentgate/consentgate/rules"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Handler enforces cookie consent on the responses of the handlers after
// it: it filters cookies by the visitor's consent, neutralises trackers in
// HTML and shows a consent banner. Every field maps to the middleware's
// Config of the same name.
type Handler struct {
	// Categories lists the consent categories in banner order; "necessary"
	// is always included. Default: necessary, preferences, analytics,
	// marketing.
	Categories []string `json:"categories,omitempty"`
	// NoCatalogue leaves out the built-in tracker catalogue.
	NoCatalogue bool `json:"no_catalogue,omitempty"`
	// RuleFiles are rule files loaded after the catalogue: the project's
	// JSON format, an Open Cookie Database CSV or an AdGuard companiesdb
	// trackers.json.
	RuleFiles []string `json:"rule_files,omitempty"`
	// Vendors are inline rules, loaded last.
	Vendors []rules.Vendor `json:"vendors,omitempty"`
	// UnknownCookies is "allow" (default) or "block".
	UnknownCookies string `json:"unknown_cookies,omitempty"`
	// Mode is "neutralize" (default), "remove" or "report".
	Mode string `json:"mode,omitempty"`
	// CookieName names the consent cookie. Default: consentgate.
	CookieName string `json:"cookie_name,omitempty"`
	// CookieMaxAge is how long a decision lasts. Default: 183 days; at most
	// 395 days.
	CookieMaxAge caddy.Duration `json:"cookie_max_age,omitempty"`
	// Revision names the privacy policy version; changing it asks again.
	// Default: "1".
	Revision string `json:"revision,omitempty"`
	// GPC lists the categories Sec-GPC: 1 refuses. Default: marketing.
	GPC []string `json:"gpc,omitempty"`
	// IgnoreGPC disregards Sec-GPC.
	IgnoreGPC bool `json:"ignore_gpc,omitempty"`
	// DNT lists the categories DNT: 1 refuses. Default: analytics,
	// marketing.
	DNT []string `json:"dnt,omitempty"`
	// IgnoreDNT disregards DNT.
	IgnoreDNT bool `json:"ignore_dnt,omitempty"`
	// MaxBufferSize caps the bytes of HTML held while undecided. Default:
	// 262144 (256 KiB).
	MaxBufferSize int `json:"max_buffer_size,omitempty"`
	// Overflow is "block" (default) or "allow": what happens to a tag or
	// inline script longer than MaxBufferSize.
	Overflow string `json:"overflow,omitempty"`
	// MaxDecodedSize caps a decompressed HTML body, in bytes. Default:
	// 1073741824 (1 GiB).
	MaxDecodedSize int64 `json:"max_decoded_size,omitempty"`
	// Endpoint is the base path consent answers itself. Default:
	// /.well-known/consent.
	Endpoint string `json:"endpoint,omitempty"`
	// Banner is "on" (default) or "off".
	Banner string `json:"banner,omitempty"`
	// Guard is "on" (default; "off" in report mode), "inline" or "off":
	// the run-time guard that judges what pages' own scripts load.
	Guard string `json:"guard,omitempty"`
	// Declaration is "seen" (default) or "all": which vendors the cookie
	// declaration lists.
	Declaration string `json:"declaration,omitempty"`
	// PolicyURL is the privacy policy the banner links to.
	PolicyURL string `json:"policy_url,omitempty"`
	// DefaultLanguage is the banner's fallback language. Default: en.
	DefaultLanguage string `json:"default_language,omitempty"`
	// Texts overrides banner texts: language → key → text.
	Texts map[string]map[string]string `json:"texts,omitempty"`
	// BannerTemplate is an html/template file replacing the banner markup.
	BannerTemplate string `json:"banner_template,omitempty"`
	// PlaceholderTemplate is an html/template file replacing the markup
	// of a blocked embed's placeholder.
	PlaceholderTemplate string `json:"placeholder_template,omitempty"`
	// ConsentMode injects Google Consent Mode v2 default and update calls.
	ConsentMode bool `json:"consent_mode,omitempty"`
	// GPCLastUpdate is the date /.well-known/gpc.json gives (YYYY-MM-DD).
	GPCLastUpdate string `json:"gpc_last_update,omitempty"`
	// RecordIP is how consent records hold the client address: truncate
	// (default), full or omit.
	RecordIP string `json:"record_ip,omitempty"`
	// CMP names the site's own consent managers whose cookie decides:
	// "auto", or cookiebot, onetrust, klaro, cookieconsent, cookieyes,
	// complianz, borlabs, tcf. With it the banner is off by default.
	CMP []string `json:"cmp,omitempty"`
	// OneTrustGroups maps OneTrust group ids to categories.
	OneTrustGroups map[string]string `json:"onetrust_groups,omitempty"`
	// CMPServices maps consent managers' service names to categories.
	CMPServices map[string]string `json:"cmp_services,omitempty"`
	// TCFPurposes gives per category the TCF purposes that must all be
	// consented.
	TCFPurposes map[string][]int `json:"tcf_purposes,omitempty"`

	mw *middleware.Middleware
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.consent",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Config returns the middleware configuration the handler's fields give.
func (h *Handler) Config() middleware.Config {
	return middleware.Config{
		Categories:          categories(h.Categories),
		NoCatalogue:         h.NoCatalogue,
		RuleFiles:           h.RuleFiles,
		Vendors:             h.Vendors,
		UnknownCookies:      h.UnknownCookies,
		Mode:                h.Mode,
		CookieName:          h.CookieName,
		CookieMaxAge:        time.Duration(h.CookieMaxAge),
		Revision:            h.Revision,
		GPCRefuses:          categories(h.GPC),
		IgnoreGPC:           h.IgnoreGPC,
		DNTRefuses:          categories(h.DNT),
		IgnoreDNT:           h.IgnoreDNT,
		MaxBufferSize:       h.MaxBufferSize,
		Overflow:            h.Overflow,
		MaxDecodedSize:      h.MaxDecodedSize,
		Endpoint:            h.Endpoint,
		Banner:              h.Banner,
		Guard:               h.Guard,
		Declaration:         h.Declaration,
		PolicyURL:           h.PolicyURL,
		DefaultLanguage:     h.DefaultLanguage,
		Texts:               h.Texts,
		BannerTemplate:      h.BannerTemplate,
		PlaceholderTemplate: h.PlaceholderTemplate,
		ConsentMode:         h.ConsentMode,
		GPCLastUpdate:       h.GPCLastUpdate,
		RecordIP:            h.RecordIP,
		CMP:                 h.CMP,
		OneTrustGroups:      h.OneTrustGroups,
		CMPServices:         h.CMPServices,
		TCFPurposes:         h.TCFPurposes,
	}
}

func categories(names []string) []rules.Category {
	if names == nil {
		return nil
	}
	out := make([]rules.Category, len(names))
	for i, n := range names {
		out[i] = rules.Category(n)
	}
	return out
}

// Provision builds the middleware.
func (h *Handler) Provision(ctx caddy.Context) error {
	cfg := h.Config()
	cfg.Logger = ctx.Slogger()
	// Records go to a logger of their own, which Caddy's log directive
	// routes by name (include http.handlers.consent.records).
	// (A zap core carries no name: the handler is given the logger's.)
	rl := ctx.Logger().Named("records")
	cfg.RecordLogger = slog.New(zapslog.NewHandler(rl.Core(), zapslog.WithName(rl.Name()), zapslog.AddStacktraceAt(slog.Level(127))))
	var reg prometheus.Registerer
	if r := ctx.GetMetricsRegistry(); r != nil {
		reg = r
	}
	mx, err := newMetrics(reg)
	if err != nil {
		return fmt.Errorf("provisioning consent: registering metrics: %w", err)
	}
	cfg.OnDecision = mx.decision
	cfg.OnBlocked = mx.block
	cfg.OnUnclassifiedCookie = mx.unclassifiedCookie
	if fr := findingPrinter.Load(); fr != nil {
		cfg.OnFinding = fr.finding
	}
	cfg.ClientIP = func(r *http.Request) string {
		if ip, ok := caddyhttp.GetVar(r.Context(), caddyhttp.ClientIPVarKey).(string); ok && ip != "" {
			return ip
		}
		return r.RemoteAddr
	}
	mw, err := middleware.New(cfg)
	if err != nil {
		return fmt.Errorf("provisioning consent: %w", err)
	}
	h.mw = mw
	return nil
}

// ServeHTTP enforces consent on the rest of the route.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	return h.mw.Serve(w, r, next.ServeHTTP)
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
