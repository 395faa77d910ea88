package middleware

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/consentgate/consentgate/rules"
)

// Config configures a Middleware. The zero value enforces the built-in
// catalogue with the default categories and shows the built-in banner.
type Config struct {
	// Categories lists the consent categories in the order the banner shows
	// them. Custom names are allowed; necessary (always granted) comes
	// first, and the built-in categories the list leaves out follow it,
	// since the catalogue uses them. Default: necessary, preferences,
	// analytics, marketing.
	Categories []rules.Category

	// NoCatalogue leaves out the built-in catalogue of trackers. Default:
	// false (the catalogue is used).
	NoCatalogue bool
	// RuleFiles are rule files loaded after the catalogue, in order: the
	// project's JSON format, an Open Cookie Database CSV or an AdGuard
	// companiesdb trackers.json. Default: none.
	RuleFiles []string
	// Vendors are rules given inline; they are loaded last, so they win
	// over the catalogue and rule files. Default: none.
	Vendors []rules.Vendor

	// UnknownCookies decides cookies no rule classifies: "allow" keeps them,
	// "block" keeps them only once every optional category is granted. Each
	// unknown name is logged once. Default: "allow".
	UnknownCookies string

	// Mode is what happens to tracker elements in HTML without consent:
	// "neutralize" keeps them inert and restorable, "remove" deletes them,
	// "report" changes nothing and logs what would be blocked. Cookies are
	// filtered in every mode but "report". Default: "neutralize".
	Mode string

	// CookieName is the name of the consent cookie. Default: "consentgate".
	CookieName string
	// CookieMaxAge is how long a decision lasts. Default: 183 days (six
	// months); at most 395 days (13 months).
	CookieMaxAge time.Duration
	// Revision names the version of the privacy policy; a decision made
	// under another revision asks again. Letters, digits, '-' and '_'.
	// Default: "1".
	Revision string

	// GPCRefuses are the categories a Sec-GPC: 1 header refuses.
	// Default: marketing.
	GPCRefuses []rules.Category
	// IgnoreGPC disregards Sec-GPC. Default: false.
	IgnoreGPC bool
	// DNTRefuses are the categories a DNT: 1 header refuses. Default:
	// analytics and marketing.
	DNTRefuses []rules.Category
	// IgnoreDNT disregards DNT. Default: false.
	IgnoreDNT bool

	// MaxBufferSize caps the bytes of HTML held back while a tag or inline
	// script is undecided. Default: 256 KiB.
	MaxBufferSize int
	// Overflow is what happens to a tag or inline script longer than
	// MaxBufferSize: "block" neutralises it (the page is never truncated),
	// "allow" passes it on unjudged. Default: "block".
	Overflow string
	// MaxDecodedSize caps the decompressed size of a compressed HTML body,
	// against decompression bombs; past it the response is aborted and the
	// error logged. Default: 1 GiB.
	MaxDecodedSize int64

	// CMP names the site's own consent managers whose cookie decides
	// instead of the middleware's own banner: "auto" for any of them, or
	// names among cookiebot, onetrust, klaro, cookieconsent, cookieyes,
	// complianz, borlabs and tcf (IAB TCF v2.2 euconsent-v2), tried in the
	// given order. An absent or unreadable cookie means no consent. With CMP
	// set the banner is off unless Banner is "on". Default: none.
	CMP []string
	// OneTrustGroups maps OneTrust group ids to categories. Default: C0001
	// necessary, C0002 analytics, C0003 preferences, C0004 marketing (as
	// OneTrust loads them); C0005 (social media) grants or refuses the
	// catalogue's social widgets one by one.
	OneTrustGroups map[string]string
	// CMPServices maps consent managers' service names (Klaro services,
	// for one) to categories. Services not listed are looked up among the
	// catalogue's vendor ids and names. Default: none.
	CMPServices map[string]string
	// TCFPurposes gives, per category, the TCF purposes that must all be
	// consented (with purpose 1). Default: analytics 8 and 9; marketing 2,
	// 3, 4 and 7; preferences 5, 6 and 11.
	TCFPurposes map[string][]int

	// Endpoint is the base path the middleware answers itself: consent
	// POSTs, the current decision, the banner's CSS and JS, the choices
	// page. Default: "/.well-known/consent".
	Endpoint string
	// Guard puts the run-time guard first in every HTML document enforced
	// (and before every worker script) for visitors who refused something,
	// so that what the page's own scripts load after it has loaded
	// (elements they create, HTML and CSS they insert, fetch, XHR,
	// beacons, sockets, workers, frames, cookies they write) is judged by
	// the same rules. "on" puts in a <script src> of the endpoint (a few
	// hundred bytes a page; the script, some 23 KB gzipped, is cached for
	// good after the first page); "inline" puts the whole script in every
	// page instead (no request, some 23 KB gzipped a page); "off" leaves it
	// out. Where the page's CSP forbids one form, the other is used. In
	// report mode it stops nothing and reports what it would have stopped,
	// to the log (see <endpoint>/report). Default: "on", but "off" in
	// report mode, whose pages stay byte for byte the upstream's.
	Guard string
	// Banner is "on" to show the built-in banner to undecided visitors (and
	// a re-open link to everyone else) or "off". Default: "on", or "off"
	// when CMP is set.
	Banner string
	// PolicyURL is the privacy policy the banner links to. Default: none.
	PolicyURL string
	// DefaultLanguage is the banner's language when Accept-Language names
	// none it has. Default: "en".
	DefaultLanguage string
	// Texts overrides texts per language: the banner's and the
	// placeholders' (keys as in banner/i18n/en.json; "cat_<name>" and
	// "cat_<name>_desc" name and describe custom categories; "vendor_<id>",
	// "vendor_<id>_desc" and "vendor_<id>_placeholder" a vendor's name,
	// description and placeholder text), and the cookie declaration's and
	// the blocked-redirect page's (keys as in declaration/i18n/en.json). A
	// language without built-in texts may be added. Default: none.
	Texts map[string]map[string]string
	// BannerTemplate is the path of an html/template file replacing the
	// banner's markup (data as in banner/banner.html). Default: built in.
	BannerTemplate string
	// PlaceholderTemplate is the path of an html/template file replacing
	// the markup of the placeholder put before a blocked embed (data as in
	// banner/placeholder.html; its root must be one element with
	// data-consent-placeholder). It is read and tried at New, which fails
	// on an unreadable or broken template. Default: built in.
	PlaceholderTemplate string
	// ConsentMode injects Google Consent Mode v2 calls: gtag('consent',
	// 'default', …) reflecting the decision at the start of <head>, and
	// 'update' after a choice made without reload. Default: false.
	ConsentMode bool
	// Declaration is which vendors the cookie declaration lists:
	// "seen", those this process has met in traffic (their tags in pages,
	// their cookies) and every vendor of the operator's own rules; or
	// "all", every vendor of the rules, the built-in catalogue included.
	// Default: "seen".
	Declaration string
	// GPCLastUpdate is the date /.well-known/gpc.json gives. Default:
	// "2026-11-27".
	GPCLastUpdate string

	// RecordLogger receives one entry per decision: the consent records,
	// at level Info. Default: Logger with the attribute
	// logger=consentgate.records, so that records are visible wherever
	// the operational logs go (slog.Default(): standard error) and can be
	// told apart.
	RecordLogger *slog.Logger
	// RecordIP is how records hold the client's address: "truncate"
	// (IPv4 /24, IPv6 /48), "full" or "omit". Default: "truncate".
	RecordIP string
	// ClientIP returns the client's address for records. Nil means
	// Request.RemoteAddr; Caddy passes its trusted-proxy aware client IP.
	ClientIP func(*http.Request) string

	// Logger receives operational logs: unknown cookies, blocked items in
	// report mode, errors. Default: slog.Default().
	Logger *slog.Logger

	// OnDecision is called for each decision recorded, with its action
	// (accept_all, reject_all, save) and source (banner_form, json,
	// signals), for metrics. Nil means nothing is called.
	OnDecision func(action, source string)
	// OnBlocked is called for each item blocked (or, in report mode, that
	// would be): kind is the element ("script", "img", "iframe", "link",
	// "ping", …) or "cookie"; category is the first category it lacks.
	// Nil means nothing is called.
	OnBlocked func(kind string, category rules.Category)
	// OnFinding is called for each element, attribute, Link header entry
	// or cookie blocked (or, in report mode, that would be), with what it
	// is, its URL and vendor, for audits and reports. Nil means nothing is
	// called.
	OnFinding func(r *http.Request, f Finding)
	// OnUnclassifiedCookie is called each time a cookie no rule knows is
	// seen, in a request or a response. Nil means nothing is called.
	OnUnclassifiedCookie func(name string)
}

// What the cookie declaration lists.
const (
	DeclarationSeen = "seen"
	DeclarationAll  = "all"
)

// Modes of HTML enforcement.
const (
	ModeNeutralize = "neutralize"
	ModeRemove     = "remove"
	ModeReport     = "report"
)

const (
	defaultCookieName   = "consentgate"
	defaultMaxAge       = 183 * 24 * time.Hour
	maxMaxAge           = 395 * 24 * time.Hour
	defaultRevision     = "1"
	defaultMaxBuffer    = 256 << 10
	defaultMaxDecoded   = 1 << 30
	minMaxBuffer        = 1 << 10
	overflowBlock       = "block"
	overflowAllow       = "allow"
	unknownCookiesAllow = "allow"
	unknownCookiesBlock = "block"
	defaultEndpoint     = "/.well-known/consent"
	bannerOn            = "on"
	bannerOff           = "off"
	guardOn             = "on"
	guardInline         = "inline"
	guardOff            = "off"
	defaultGPCDate      = "2026-11-27"
)

// ErrConfig is wrapped by every error New returns for a bad setting.
var ErrConfig = errors.New("invalid configuration")

// withDefaults returns a copy of c with defaults filled in, or an error
// naming the first bad setting.
func (c Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return c, fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	if len(c.Categories) == 0 {
		c.Categories = rules.DefaultCategories()
	} else {
		// Necessary first, then the operator's order; built-in categories
		// the operator did not list follow, since the catalogue uses them.
		cats := []rules.Category{rules.Necessary}
		seen := map[rules.Category]bool{rules.Necessary: true}
		for _, cat := range c.Categories {
			if _, err := rules.ParseCategory(string(cat)); err != nil {
				return bad("categories: %v", err)
			}
			if seen[cat] {
				if cat == rules.Necessary {
					continue
				}
				return bad("categories: %q listed twice", cat)
			}
			seen[cat] = true
			cats = append(cats, cat)
		}
		for _, cat := range rules.DefaultCategories() {
			if !seen[cat] {
				cats = append(cats, cat)
			}
		}
		c.Categories = cats
	}
	switch c.UnknownCookies {
	case "":
		c.UnknownCookies = unknownCookiesAllow
	case unknownCookiesAllow, unknownCookiesBlock:
	default:
		return bad("unknown_cookies %q: want allow or block", c.UnknownCookies)
	}
	switch c.Mode {
	case "":
		c.Mode = ModeNeutralize
	case ModeNeutralize, ModeRemove, ModeReport:
	default:
		return bad("mode %q: want neutralize, remove or report", c.Mode)
	}
	if c.CookieName == "" {
		c.CookieName = defaultCookieName
	} else if !validCookieName(c.CookieName) || strings.ContainsAny(c.CookieName, "()<>@,\"/[]?{}\\") {
		return bad("cookie name %q is not a valid cookie name", c.CookieName)
	}
	switch {
	case c.CookieMaxAge == 0:
		c.CookieMaxAge = defaultMaxAge
	case c.CookieMaxAge < time.Hour:
		return bad("cookie max age %v is shorter than an hour", c.CookieMaxAge)
	case c.CookieMaxAge > maxMaxAge:
		return bad("cookie max age %v is longer than 13 months (395 days)", c.CookieMaxAge)
	}
	if c.Revision == "" {
		c.Revision = defaultRevision
	} else if !validRevision(c.Revision) {
		return bad("revision %q: want 1 to 64 letters, digits, '-' or '_'", c.Revision)
	}
	if c.GPCRefuses == nil {
		c.GPCRefuses = []rules.Category{rules.Marketing}
	}
	if c.DNTRefuses == nil {
		c.DNTRefuses = []rules.Category{rules.Analytics, rules.Marketing}
	}
	switch {
	case c.MaxBufferSize == 0:
		c.MaxBufferSize = defaultMaxBuffer
	case c.MaxBufferSize < minMaxBuffer:
		return bad("max buffer size %d is below %d bytes", c.MaxBufferSize, minMaxBuffer)
	}
	switch c.Overflow {
	case "":
		c.Overflow = overflowBlock
	case overflowBlock, overflowAllow:
	default:
		return bad("overflow %q: want block or allow", c.Overflow)
	}
	switch {
	case c.MaxDecodedSize == 0:
		c.MaxDecodedSize = defaultMaxDecoded
	case c.MaxDecodedSize < 1<<20:
		return bad("max decoded size %d is below 1 MiB", c.MaxDecodedSize)
	}
	switch {
	case c.Endpoint == "":
		c.Endpoint = defaultEndpoint
	case !strings.HasPrefix(c.Endpoint, "/") || strings.HasSuffix(c.Endpoint, "/") || strings.ContainsAny(c.Endpoint, "?#\\ ") || returnPath(c.Endpoint) != c.Endpoint:
		return bad("endpoint %q: want an absolute path without a trailing slash", c.Endpoint)
	}
	switch c.Guard {
	case "":
		c.Guard = guardOn
		if c.Mode == ModeReport {
			c.Guard = guardOff // report mode changes nothing the visitor gets
		}
	case guardOn, guardInline, guardOff:
	default:
		return bad("guard %q: want on, inline or off", c.Guard)
	}
	switch c.Banner {
	case "":
		c.Banner = bannerOn
		if len(c.CMP) > 0 {
			c.Banner = bannerOff // the site's own manager asks
		}
	case bannerOn, bannerOff:
	default:
		return bad("banner %q: want on or off", c.Banner)
	}
	if c.PolicyURL != "" {
		if u, err := url.Parse(c.PolicyURL); err != nil || u.Scheme != "" && u.Scheme != "https" && u.Scheme != "http" || strings.HasPrefix(strings.ToLower(c.PolicyURL), "javascript:") {
			return bad("policy URL %q: want a path or an http(s) URL", c.PolicyURL)
		}
	}
	if c.DefaultLanguage == "" {
		c.DefaultLanguage = "en"
	}
	c.DefaultLanguage = strings.ToLower(c.DefaultLanguage)
	switch c.Declaration {
	case "":
		c.Declaration = DeclarationSeen
	case DeclarationSeen, DeclarationAll:
	default:
		return bad("declaration %q: want seen or all", c.Declaration)
	}
	if c.GPCLastUpdate == "" {
		c.GPCLastUpdate = defaultGPCDate
	} else if _, err := time.Parse("2006-01-02", c.GPCLastUpdate); err != nil {
		return bad("gpc last update %q: want a date as YYYY-MM-DD", c.GPCLastUpdate)
	}
	switch c.RecordIP {
	case "":
		c.RecordIP = RecordIPTruncate
	case RecordIPTruncate, RecordIPFull, RecordIPOmit:
	default:
		return bad("record IP %q: want truncate, full or omit", c.RecordIP)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.RecordLogger == nil {
		c.RecordLogger = c.Logger.With("logger", "consentgate.records")
	}
	return c, nil
}
