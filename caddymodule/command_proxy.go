package caddymodule

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/headers"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
	"github.com/caddyserver/caddy/v2/modules/caddytls"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/consentgate/consentgate/middleware"
)

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "consent-proxy",
		Usage: `--to <upstream> [--from <addr>] [--mode neutralize|remove|report] [--report] [--policy-url <url>] [--rules <file>]... [--categories <name,...>] [--cmp auto|<manager,...>] [--banner on|off] [--change-host-header] [--insecure] [--internal-certs] [--disable-redirects] [--access-log] [--debug]`,
		Short: "Enforces cookie consent in front of a site",
		Long: `
Runs a reverse proxy with the consent handler in front of an upstream site:
the built-in tracker catalogue and consent banner, the same enforcement as
a Caddyfile with

    consent
    reverse_proxy <upstream>

For instance, in front of a site on port 8000:

    caddy consent-proxy --from :8080 --to localhost:8000

--from is where visitors connect (default :8080). It is served over plain
HTTP unless it starts with https://, which turns on Caddy's automatic
HTTPS for its host (--internal-certs: certificates from Caddy's own local
CA; --disable-redirects: no HTTP->HTTPS redirects). An IP address or
localhost in --from is the address to listen on (127.0.0.1:8080 listens on
loopback only); another host name only matches requests for that host.

--to is the upstream (repeat it to balance over several): host:port,
http://host:port or https://host. --change-host-header sends the
upstream's own host in the Host header instead of the visitor's, for
upstreams reached by another name than the site's. --insecure skips the
verification of an HTTPS upstream's certificate.

Enforcement:
  --mode neutralize   trackers kept inert and restorable (default)
  --mode remove       trackers deleted
  --mode report       nothing changed: run with --report to see what would
                      be blocked
  --report            print what is blocked (or, in report mode, would be)
                      on standard output, one line per finding, once per
                      page
  --policy-url        the privacy policy the banner links to
  --rules             a rule file (the project's JSON, an Open Cookie
                      Database CSV or an AdGuard trackers.json); repeat
                      for more
  --categories        the consent categories, in banner order
  --cmp               read the site's own consent manager (auto, or
                      cookiebot, onetrust, klaro, cookieconsent, cookieyes,
                      complianz, borlabs, tcf); the built-in banner is then
                      off unless --banner on
  --banner on|off     the built-in banner

--access-log logs every request; --debug turns on debug logs. Caddy's logs
go to standard error. The proxy stops cleanly on SIGINT or SIGTERM.
`,
		CobraFunc: func(cmd *cobra.Command) {
			cmd.Flags().StringP("from", "f", ":8080", "Address on which to receive traffic")
			cmd.Flags().StringArrayP("to", "t", nil, "Upstream address to which traffic is sent (repeatable)")
			cmd.Flags().String("mode", "neutralize", "What happens to trackers: neutralize, remove or report")
			cmd.Flags().Bool("report", false, "Print each finding on standard output, once per page")
			cmd.Flags().String("policy-url", "", "Privacy policy the banner links to")
			cmd.Flags().StringArray("rules", nil, "Rule file to load after the catalogue (repeatable)")
			cmd.Flags().StringSlice("categories", nil, "Consent categories in banner order (comma-separated)")
			cmd.Flags().StringSlice("cmp", nil, "The site's own consent managers to read: auto or names (comma-separated)")
			cmd.Flags().String("banner", "", "The built-in banner: on or off (default on, off with --cmp)")
			cmd.Flags().BoolP("change-host-header", "c", false, "Set the upstream Host header to the address of the upstream")
			cmd.Flags().Bool("insecure", false, "Do not verify an HTTPS upstream's certificate")
			cmd.Flags().BoolP("internal-certs", "i", false, "With an https:// --from, use Caddy's internal CA for certificates")
			cmd.Flags().BoolP("disable-redirects", "r", false, "With an https:// --from, do not redirect HTTP to HTTPS")
			cmd.Flags().Bool("access-log", false, "Enable the access log")
			cmd.Flags().BoolP("debug", "v", false, "Enable verbose debug logs")
			cmd.RunE = caddycmd.WrapCommandFuncForCobra(cmdConsentProxy)
		},
	})
}

func cmdConsentProxy(fs caddycmd.Flags) (int, error) {
	caddy.TrapSignals()
	cfg, summary, err := consentProxyConfig(fs)
	if err != nil {
		return caddy.ExitCodeFailedStartup, fmt.Errorf("consent-proxy: %w", err)
	}
	if fs.Bool("report") {
		findingPrinter.Store(newFindingReporter(os.Stdout))
	}
	if err := caddy.Run(cfg); err != nil {
		return caddy.ExitCodeFailedStartup, err
	}
	caddy.Log().Info("enforcing consent", zap.String("from", summary.from), zap.Strings("to", summary.to), zap.String("mode", summary.mode))
	select {}
}

// proxySummary is what consent-proxy logs once it runs.
type proxySummary struct {
	from string
	to   []string
	mode string
}

// consentProxyConfig builds the Caddy config of consent-proxy from its
// flags, and checks the consent handler's settings before anything
// starts.
func consentProxyConfig(fs caddycmd.Flags) (*caddy.Config, proxySummary, error) {
	var sum proxySummary
	h, err := consentFlags(fs)
	if err != nil {
		return nil, sum, err
	}
	if h.Banner != "" && h.Banner != "on" && h.Banner != "off" {
		return nil, sum, fmt.Errorf("--banner %q: want on or off", h.Banner)
	}
	if _, err := middleware.New(h.Config()); err != nil {
		return nil, sum, errors.New(configMessage(err))
	}
	sum.mode = h.Mode

	from, err := httpcaddyfile.ParseAddress(fs.String("from"))
	if err != nil {
		return nil, sum, fmt.Errorf("--from %q: %v", fs.String("from"), err)
	}
	if from.Path != "" {
		return nil, sum, fmt.Errorf("--from %q: a path is not allowed", fs.String("from"))
	}
	switch from.Scheme {
	case "":
		from.Scheme = "http" // TLS only when asked for
	case "http", "https":
	default:
		return nil, sum, fmt.Errorf("--from %q: want http:// or https://", fs.String("from"))
	}
	if from.Port == "" {
		from.Port = strconv.Itoa(caddyhttp.DefaultHTTPPort)
		if from.Scheme == "https" {
			from.Port = strconv.Itoa(caddyhttp.DefaultHTTPSPort)
		}
	}
	sum.from = from.String()

	tos, err := fs.GetStringArray("to")
	if err != nil {
		return nil, sum, err
	}
	if len(tos) == 0 {
		return nil, sum, errors.New("--to is required: the address of the site to put consent in front of, such as localhost:8000")
	}
	var pool reverseproxy.UpstreamPool
	upstreamScheme := ""
	for _, to := range tos {
		dial, scheme, err := upstreamAddress(to)
		if err != nil {
			return nil, sum, fmt.Errorf("--to %q: %v", to, err)
		}
		if upstreamScheme != "" && scheme != upstreamScheme {
			return nil, sum, errors.New("--to: upstreams mix http and https")
		}
		upstreamScheme = scheme
		pool = append(pool, &reverseproxy.Upstream{Dial: dial})
		sum.to = append(sum.to, scheme+"://"+dial)
	}
	transport := reverseproxy.HTTPTransport{}
	if upstreamScheme == "https" {
		transport.TLS = &reverseproxy.TLSConfig{InsecureSkipVerify: fs.Bool("insecure")}
	}
	proxy := reverseproxy.Handler{
		TransportRaw: caddyconfig.JSONModuleObject(transport, "protocol", "http", nil),
		Upstreams:    pool,
	}
	if fs.Bool("change-host-header") {
		proxy.Headers = &headers.Handler{Request: &headers.HeaderOps{Set: http.Header{
			"Host": []string{"{http.reverse_proxy.upstream.hostport}"},
		}}}
	}

	route := caddyhttp.Route{HandlersRaw: []json.RawMessage{
		caddyconfig.JSONModuleObject(h, "handler", "consent", nil),
		caddyconfig.JSONModuleObject(proxy, "handler", "reverse_proxy", nil),
	}}
	server := &caddyhttp.Server{Routes: caddyhttp.RouteList{route}}
	bindHost := from.Scheme == "http" && (from.Host == "localhost" || net.ParseIP(from.Host) != nil)
	switch {
	case bindHost:
		server.Listen = []string{net.JoinHostPort(from.Host, from.Port)}
	default:
		server.Listen = []string{":" + from.Port}
		if from.Host != "" {
			route.MatcherSetsRaw = []caddy.ModuleMap{{"host": caddyconfig.JSON(caddyhttp.MatchHost{from.Host}, nil)}}
			server.Routes = caddyhttp.RouteList{route}
		}
	}
	if from.Scheme == "http" {
		server.AutoHTTPS = &caddyhttp.AutoHTTPSConfig{Disabled: true}
	} else if fs.Bool("disable-redirects") {
		server.AutoHTTPS = &caddyhttp.AutoHTTPSConfig{DisableRedir: true}
	}
	if fs.Bool("access-log") {
		server.Logs = &caddyhttp.ServerLogConfig{}
	}
	apps := caddy.ModuleMap{"http": caddyconfig.JSON(caddyhttp.App{Servers: map[string]*caddyhttp.Server{"consent": server}}, nil)}
	if fs.Bool("internal-certs") && from.Scheme == "https" && from.Host != "" {
		apps["tls"] = caddyconfig.JSON(caddytls.TLS{Automation: &caddytls.AutomationConfig{
			Policies: []*caddytls.AutomationPolicy{{
				SubjectsRaw: []string{from.Host},
				IssuersRaw:  []json.RawMessage{json.RawMessage(`{"module":"internal"}`)},
			}},
		}}, nil)
	}
	persist := false
	cfg := &caddy.Config{
		Admin:   &caddy.AdminConfig{Disabled: true, Config: &caddy.ConfigSettings{Persist: &persist}},
		AppsRaw: apps,
	}
	if fs.Bool("debug") {
		cfg.Logging = &caddy.Logging{Logs: map[string]*caddy.CustomLog{
			"default": {BaseLog: caddy.BaseLog{Level: zap.DebugLevel.CapitalString()}},
		}}
	}
	return cfg, sum, nil
}

// consentFlags reads the consent settings shared by consent-proxy and
// consent-check.
func consentFlags(fs caddycmd.Flags) (Handler, error) {
	var h Handler
	var err error
	if fs.Lookup("mode") != nil {
		h.Mode = fs.String("mode")
		switch h.Mode {
		case "neutralize", "remove", "report":
		default:
			return h, fmt.Errorf("--mode %q: want neutralize, remove or report", h.Mode)
		}
	}
	if fs.Lookup("policy-url") != nil {
		h.PolicyURL = fs.String("policy-url")
	}
	if fs.Lookup("banner") != nil {
		h.Banner = fs.String("banner")
	}
	if fs.Lookup("cmp") != nil {
		if h.CMP, err = fs.GetStringSlice("cmp"); err != nil {
			return h, err
		}
	}
	if h.Categories, err = fs.GetStringSlice("categories"); err != nil {
		return h, err
	}
	if len(h.Categories) == 0 {
		h.Categories = nil
	}
	files, err := fs.GetStringArray("rules")
	if err != nil {
		return h, err
	}
	for _, f := range files {
		if abs, err := filepath.Abs(f); err == nil {
			f = abs
		}
		h.RuleFiles = append(h.RuleFiles, f)
	}
	return h, nil
}

// upstreamAddress reads an upstream as consent-proxy's --to takes it:
// host:port, :port, http://host[:port] or https://host[:port], and
// returns the address to dial and the scheme.
func upstreamAddress(s string) (dial, scheme string, err error) {
	scheme = "http"
	hostport := s
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", "", err
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return "", "", fmt.Errorf("scheme %q: want http or https", u.Scheme)
		}
		if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return "", "", errors.New("want only a scheme, a host and a port")
		}
		scheme, hostport = u.Scheme, u.Host
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		// No port: the scheme's.
		host, port = strings.Trim(hostport, "[]"), "80"
		if scheme == "https" {
			port = "443"
		}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("port %q: want a number from 1 to 65535", port)
	}
	if host == "" {
		host = "localhost"
	}
	if strings.ContainsAny(host, "/ {}") {
		return "", "", fmt.Errorf("host %q is not a host name or address", host)
	}
	return net.JoinHostPort(host, port), scheme, nil
}
