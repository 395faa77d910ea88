package caddymodule

import (
	"strconv"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/dustin/go-humanize"

	"github.com/consentgate/consentgate/rules"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("consent", parseCaddyfile)
	// Inside encode (it compresses what consent writes), outside templates,
	// reverse_proxy, php_fastcgi and file_server (consent sees what they
	// write).
	httpcaddyfile.RegisterDirectiveOrder("consent", httpcaddyfile.After, "encode")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	var c Handler
	err := c.UnmarshalCaddyfile(h.Dispenser)
	return &c, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens. Syntax:
//
//	consent [<matcher>] {
//	    categories      <name...>
//	    no_catalogue
//	    rules           <file...>
//	    vendor <id> {
//	        name        <text>
//	        category    <name...>
//	        description <text>
//	        hosts       <host...>
//	        urls        <host/path...>
//	        paths       <path...>
//	        signatures  <text...>
//	        cookies     <name...>
//	    }
//	    unknown_cookies allow|block
//	    mode            neutralize|remove|report
//	    cookie_name     <name>
//	    cookie_max_age  <duration>
//	    revision        <revision>
//	    gpc             <category...>|off
//	    dnt             <category...>|off
//	    max_buffer_size <size>
//	    overflow        block|allow
//	    max_decoded_size <size>
//	    endpoint        <path>
//	    banner          on|off
//	    policy_url      <url>
//	    default_language <lang>
//	    text            <lang> <key> <text>
//	    banner_template <file>
//	    consent_mode
//	    gpc_last_update <YYYY-MM-DD>
//	    record_ip       truncate|full|omit
//	    cmp             auto|<manager...>
//	    onetrust_group  <group> <category>
//	    cmp_service     <service> <category>
//	    tcf_purposes    <category> <purpose...>
//	}
//
// Each sub-directive may appear once, except vendor, text, onetrust_group,
// cmp_service and tcf_purposes (once per key).
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // consume directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	seen := map[string]bool{}
	prev := ""
	for d.NextBlock(0) {
		key := d.Val()
		if key == "{" && prev != "" {
			return d.Errf("%s takes no block", prev)
		}
		prev = key
		if !repeatable[key] {
			if seen[key] {
				return d.Errf("duplicate sub-directive %q", key)
			}
			seen[key] = true
		}
		var err error
		switch key {
		case "categories":
			h.Categories, err = atLeastOne(d)
		case "no_catalogue":
			if d.NextArg() {
				return d.ArgErr()
			}
			h.NoCatalogue = true
		case "rules":
			h.RuleFiles, err = atLeastOne(d)
		case "vendor":
			var v rules.Vendor
			v, err = parseVendor(d)
			h.Vendors = append(h.Vendors, v)
		case "unknown_cookies":
			h.UnknownCookies, err = oneOf(d, "allow", "block")
		case "mode":
			h.Mode, err = oneOf(d, "neutralize", "remove", "report")
		case "cookie_name":
			h.CookieName, err = single(d)
		case "cookie_max_age":
			h.CookieMaxAge, err = duration(d)
		case "revision":
			h.Revision, err = single(d)
		case "gpc":
			h.GPC, h.IgnoreGPC, err = signal(d)
		case "dnt":
			h.DNT, h.IgnoreDNT, err = signal(d)
		case "max_buffer_size":
			var n int64
			n, err = size(d)
			h.MaxBufferSize = int(n)
		case "overflow":
			h.Overflow, err = oneOf(d, "block", "allow")
		case "max_decoded_size":
			h.MaxDecodedSize, err = size(d)
		case "endpoint":
			h.Endpoint, err = single(d)
		case "banner":
			h.Banner, err = oneOf(d, "on", "off")
		case "policy_url":
			h.PolicyURL, err = single(d)
		case "default_language":
			h.DefaultLanguage, err = single(d)
		case "text":
			args := d.RemainingArgs()
			if len(args) != 3 {
				return d.Errf("text: want <lang> <key> <text>, got %d arguments", len(args))
			}
			if h.Texts == nil {
				h.Texts = map[string]map[string]string{}
			}
			if h.Texts[args[0]] == nil {
				h.Texts[args[0]] = map[string]string{}
			}
			if _, dup := h.Texts[args[0]][args[1]]; dup {
				return d.Errf("text: %s %s given twice", args[0], args[1])
			}
			h.Texts[args[0]][args[1]] = args[2]
		case "banner_template":
			h.BannerTemplate, err = single(d)
		case "consent_mode":
			if d.NextArg() {
				return d.ArgErr()
			}
			h.ConsentMode = true
		case "gpc_last_update":
			h.GPCLastUpdate, err = single(d)
		case "record_ip":
			h.RecordIP, err = oneOf(d, "truncate", "full", "omit")
		case "cmp":
			h.CMP, err = atLeastOne(d)
		case "onetrust_group":
			err = pair(d, &h.OneTrustGroups)
		case "cmp_service":
			err = pair(d, &h.CMPServices)
		case "tcf_purposes":
			args := d.RemainingArgs()
			if len(args) < 2 {
				return d.Errf("tcf_purposes: want <category> <purpose...>")
			}
			if _, dup := h.TCFPurposes[args[0]]; dup {
				return d.Errf("tcf_purposes: %s given twice", args[0])
			}
			var purposes []int
			for _, a := range args[1:] {
				n, perr := strconv.Atoi(a)
				if perr != nil || n < 1 || n > 24 {
					return d.Errf("tcf_purposes: %q is not a TCF purpose (1 to 24)", a)
				}
				purposes = append(purposes, n)
			}
			if h.TCFPurposes == nil {
				h.TCFPurposes = map[string][]int{}
			}
			h.TCFPurposes[args[0]] = purposes
		default:
			return d.Errf("unknown sub-directive %q", key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// repeatable lists the sub-directives that may appear more than once.
var repeatable = map[string]bool{"vendor": true, "text": true, "onetrust_group": true, "cmp_service": true, "tcf_purposes": true}

// pair parses "<key> <value>" into m, refusing a key given twice.
func pair(d *caddyfile.Dispenser, m *map[string]string) error {
	key := d.Val()
	args := d.RemainingArgs()
	if len(args) != 2 {
		return d.Errf("%s: want two arguments, got %d", key, len(args))
	}
	if _, dup := (*m)[args[0]]; dup {
		return d.Errf("%s: %s given twice", key, args[0])
	}
	if *m == nil {
		*m = map[string]string{}
	}
	(*m)[args[0]] = args[1]
	return nil
}

func single(d *caddyfile.Dispenser) (string, error) {
	if !d.NextArg() {
		return "", d.ArgErr()
	}
	v := d.Val()
	if d.NextArg() {
		return "", d.ArgErr()
	}
	return v, nil
}

func atLeastOne(d *caddyfile.Dispenser) ([]string, error) {
	args := d.RemainingArgs()
	if len(args) == 0 {
		return nil, d.ArgErr()
	}
	return args, nil
}

func oneOf(d *caddyfile.Dispenser, options ...string) (string, error) {
	key := d.Val()
	v, err := single(d)
	if err != nil {
		return "", err
	}
	for _, o := range options {
		if v == o {
			return v, nil
		}
	}
	want := strings.Join(options, ", ")
	if i := strings.LastIndex(want, ", "); i >= 0 {
		want = want[:i] + " or " + want[i+2:]
	}
	return "", d.Errf("%s: unknown value %q, want %s", key, v, want)
}

func duration(d *caddyfile.Dispenser) (caddy.Duration, error) {
	key := d.Val()
	s, err := single(d)
	if err != nil {
		return 0, err
	}
	dur, err := caddy.ParseDuration(s)
	if err != nil {
		return 0, d.Errf("%s: %v", key, err)
	}
	return caddy.Duration(dur), nil
}

func size(d *caddyfile.Dispenser) (int64, error) {
	key := d.Val()
	s, err := single(d)
	if err != nil {
		return 0, err
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	n, err := humanize.ParseBytes(s)
	if err != nil || n == 0 || n > 1<<62 {
		return 0, d.Errf("%s: %q is not a size (examples: 262144, 256KiB, 1GiB)", key, s)
	}
	return int64(n), nil
}

// signal parses "gpc|dnt <category...>|off".
func signal(d *caddyfile.Dispenser) ([]string, bool, error) {
	args, err := atLeastOne(d)
	if err != nil {
		return nil, false, err
	}
	if len(args) == 1 && args[0] == "off" {
		return nil, true, nil
	}
	return args, false, nil
}

// parseVendor parses a vendor block.
func parseVendor(d *caddyfile.Dispenser) (rules.Vendor, error) {
	var v rules.Vendor
	id, err := single(d)
	if err != nil {
		return v, err
	}
	v.ID = id
	v.Source = d.File()
	seen := map[string]bool{}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		key := d.Val()
		if seen[key] {
			return v, d.Errf("vendor %s: duplicate %q", id, key)
		}
		seen[key] = true
		switch key {
		case "name":
			v.Name, err = single(d)
		case "description":
			v.Description, err = single(d)
		case "category":
			var cats []string
			if cats, err = atLeastOne(d); err == nil {
				if len(cats) == 1 {
					v.Category = rules.Category(cats[0])
				} else {
					v.Categories = categories(cats)
				}
			}
		case "hosts":
			v.Hosts, err = atLeastOne(d)
		case "urls":
			v.URLs, err = atLeastOne(d)
		case "paths":
			v.Paths, err = atLeastOne(d)
		case "signatures":
			v.Signatures, err = atLeastOne(d)
		case "cookies":
			v.Cookies, err = atLeastOne(d)
		default:
			return v, d.Errf("vendor %s: unknown property %q", id, key)
		}
		if err != nil {
			return v, err
		}
	}
	if v.Category == "" && len(v.Categories) == 0 {
		return v, d.Errf("vendor %s: missing category", id)
	}
	return v, nil
}

// Interface guards
var _ caddyfile.Unmarshaler = (*Handler)(nil)
