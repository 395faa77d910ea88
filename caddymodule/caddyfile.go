package caddymodule

import (
	"math"
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
//	        provider    <company>
//	        privacy_policy <url>
//	        iab_vendor  <id>
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
//	    guard           on|inline|off
//	    declaration     seen|all
//	    policy_url      <url>
//	    default_language <lang>
//	    text            <lang> <key> <text>
//	    banner_template <file>
//	    placeholder_template <file>
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
	directive := d.Token()
	if d.NextArg() {
		return d.ArgErr()
	}
	var placed settings
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
		at := d.Token()
		var err error
		switch key {
		case "categories":
			h.Categories, err = atLeastOne(d)
			placed.first(at, func(p *Handler) { p.Categories = h.Categories })
		case "no_catalogue":
			if d.NextArg() {
				return d.ArgErr()
			}
			h.NoCatalogue = true
			placed.first(at, func(p *Handler) { p.NoCatalogue = true })
		case "rules":
			var files []string
			if files, err = atLeastOne(d); err == nil {
				for _, f := range files {
					f = resolvePath(at, f)
					h.RuleFiles = append(h.RuleFiles, f)
					placed.add(at, func(p *Handler) { p.RuleFiles = append(p.RuleFiles, f) })
				}
			}
		case "vendor":
			err = parseVendor(d, h, &placed)
		case "unknown_cookies":
			h.UnknownCookies, err = oneOf(d, "allow", "block")
			placed.add(at, func(p *Handler) { p.UnknownCookies = h.UnknownCookies })
		case "mode":
			h.Mode, err = oneOf(d, "neutralize", "remove", "report")
			placed.add(at, func(p *Handler) { p.Mode = h.Mode })
		case "cookie_name":
			h.CookieName, err = single(d)
			placed.add(at, func(p *Handler) { p.CookieName = h.CookieName })
		case "cookie_max_age":
			h.CookieMaxAge, err = duration(d)
			placed.add(at, func(p *Handler) { p.CookieMaxAge = h.CookieMaxAge })
		case "revision":
			h.Revision, err = single(d)
			placed.add(at, func(p *Handler) { p.Revision = h.Revision })
		case "gpc":
			h.GPC, h.IgnoreGPC, err = signal(d)
			placed.add(at, func(p *Handler) { p.GPC, p.IgnoreGPC = h.GPC, h.IgnoreGPC })
		case "dnt":
			h.DNT, h.IgnoreDNT, err = signal(d)
			placed.add(at, func(p *Handler) { p.DNT, p.IgnoreDNT = h.DNT, h.IgnoreDNT })
		case "max_buffer_size":
			var n int64
			n, err = size(d)
			if err == nil && n > math.MaxInt32 {
				err = d.Errf("max_buffer_size: %d bytes is more than the 2 GiB a buffer can hold", n)
			}
			h.MaxBufferSize = int(n)
			placed.add(at, func(p *Handler) { p.MaxBufferSize = h.MaxBufferSize })
		case "overflow":
			h.Overflow, err = oneOf(d, "block", "allow")
			placed.add(at, func(p *Handler) { p.Overflow = h.Overflow })
		case "max_decoded_size":
			h.MaxDecodedSize, err = size(d)
			placed.add(at, func(p *Handler) { p.MaxDecodedSize = h.MaxDecodedSize })
		case "endpoint":
			h.Endpoint, err = single(d)
			placed.add(at, func(p *Handler) { p.Endpoint = h.Endpoint })
		case "banner":
			h.Banner, err = oneOf(d, "on", "off")
			placed.add(at, func(p *Handler) { p.Banner = h.Banner })
		case "guard":
			h.Guard, err = oneOf(d, "on", "inline", "off")
			placed.add(at, func(p *Handler) { p.Guard = h.Guard })
		case "declaration":
			h.Declaration, err = oneOf(d, "seen", "all")
			placed.add(at, func(p *Handler) { p.Declaration = h.Declaration })
		case "policy_url":
			h.PolicyURL, err = single(d)
			placed.add(at, func(p *Handler) { p.PolicyURL = h.PolicyURL })
		case "default_language":
			h.DefaultLanguage, err = single(d)
			placed.add(at, func(p *Handler) { p.DefaultLanguage = h.DefaultLanguage })
		case "text":
			args := d.RemainingArgs()
			if len(args) != 3 {
				return d.Errf("text: want <lang> <key> <text>, got %d arguments", len(args))
			}
			lang, k, text := args[0], args[1], args[2]
			if h.Texts == nil {
				h.Texts = map[string]map[string]string{}
			}
			if h.Texts[lang] == nil {
				h.Texts[lang] = map[string]string{}
			}
			if _, dup := h.Texts[lang][k]; dup {
				return d.Errf("text: %s %s given twice", lang, k)
			}
			h.Texts[lang][k] = text
			placed.first(at, func(p *Handler) {
				if p.Texts == nil {
					p.Texts = map[string]map[string]string{}
				}
				if p.Texts[lang] == nil {
					p.Texts[lang] = map[string]string{}
				}
				p.Texts[lang][k] = text
			})
		case "banner_template":
			if h.BannerTemplate, err = single(d); err == nil {
				h.BannerTemplate = resolvePath(at, h.BannerTemplate)
			}
			placed.add(at, func(p *Handler) { p.BannerTemplate = h.BannerTemplate })
		case "placeholder_template":
			if h.PlaceholderTemplate, err = single(d); err == nil {
				h.PlaceholderTemplate = resolvePath(at, h.PlaceholderTemplate)
			}
			placed.add(at, func(p *Handler) { p.PlaceholderTemplate = h.PlaceholderTemplate })
		case "consent_mode":
			if d.NextArg() {
				return d.ArgErr()
			}
			h.ConsentMode = true
			placed.add(at, func(p *Handler) { p.ConsentMode = true })
		case "gpc_last_update":
			h.GPCLastUpdate, err = single(d)
			placed.add(at, func(p *Handler) { p.GPCLastUpdate = h.GPCLastUpdate })
		case "record_ip":
			h.RecordIP, err = oneOf(d, "truncate", "full", "omit")
			placed.add(at, func(p *Handler) { p.RecordIP = h.RecordIP })
		case "cmp":
			h.CMP, err = atLeastOne(d)
			placed.first(at, func(p *Handler) { p.CMP = h.CMP })
		case "onetrust_group":
			var k, v string
			if k, v, err = pair(d, &h.OneTrustGroups); err == nil {
				placed.mapping(at, v, func(p *Handler) { setPair(&p.OneTrustGroups, k, v) })
			}
		case "cmp_service":
			var k, v string
			if k, v, err = pair(d, &h.CMPServices); err == nil {
				placed.mapping(at, v, func(p *Handler) { setPair(&p.CMPServices, k, v) })
			}
		case "tcf_purposes":
			args := d.RemainingArgs()
			if len(args) < 2 {
				return d.Errf("tcf_purposes: want <category> <purpose...>")
			}
			cat := args[0]
			if _, dup := h.TCFPurposes[cat]; dup {
				return d.Errf("tcf_purposes: %s given twice", cat)
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
			h.TCFPurposes[cat] = purposes
			placed.mapping(at, cat, func(p *Handler) {
				if p.TCFPurposes == nil {
					p.TCFPurposes = map[string][]int{}
				}
				p.TCFPurposes[cat] = purposes
			})
		default:
			return d.Errf("unknown sub-directive %q", key)
		}
		if err != nil {
			return err
		}
	}
	return h.checkSettings(directive, placed)
}

// repeatable lists the sub-directives that may appear more than once.
var repeatable = map[string]bool{"vendor": true, "text": true, "onetrust_group": true, "cmp_service": true, "tcf_purposes": true}

// pair parses "<key> <value>" into m, refusing a key given twice, and
// returns them.
func pair(d *caddyfile.Dispenser, m *map[string]string) (key, value string, err error) {
	name := d.Val()
	args := d.RemainingArgs()
	if len(args) != 2 {
		return "", "", d.Errf("%s: want two arguments, got %d", name, len(args))
	}
	if _, dup := (*m)[args[0]]; dup {
		return "", "", d.Errf("%s: %s given twice", name, args[0])
	}
	setPair(m, args[0], args[1])
	return args[0], args[1], nil
}

func setPair(m *map[string]string, key, value string) {
	if *m == nil {
		*m = map[string]string{}
	}
	(*m)[key] = value
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

// parseVendor parses a vendor block into a vendor appended to h.Vendors,
// placing its category line and each of its lists.
func parseVendor(d *caddyfile.Dispenser, h *Handler, placed *settings) error {
	var v rules.Vendor
	id, err := single(d)
	if err != nil {
		return err
	}
	v.ID = id
	v.Source = d.File()
	head := d.Token()
	var categoryAt caddyfile.Token
	type vendorList struct {
		at   caddyfile.Token
		key  string
		list *[]string
	}
	var lists []vendorList
	seen := map[string]bool{}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		key := d.Val()
		if seen[key] {
			return d.Errf("vendor %s: duplicate %q", id, key)
		}
		seen[key] = true
		at := d.Token()
		var list *[]string
		switch key {
		case "name":
			v.Name, err = single(d)
		case "description":
			v.Description, err = single(d)
		case "provider":
			v.Provider, err = single(d)
		case "privacy_policy":
			v.PrivacyPolicy, err = single(d)
		case "iab_vendor":
			var n string
			if n, err = single(d); err == nil {
				if v.IAB, err = strconv.Atoi(n); err != nil || v.IAB <= 0 {
					return d.Errf("vendor %s: iab_vendor %q: want the vendor's number in the IAB Global Vendor List", id, n)
				}
			}
		case "category":
			categoryAt = at
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
			list = &v.Hosts
		case "urls":
			v.URLs, err = atLeastOne(d)
			list = &v.URLs
		case "paths":
			v.Paths, err = atLeastOne(d)
			list = &v.Paths
		case "signatures":
			v.Signatures, err = atLeastOne(d)
			list = &v.Signatures
		case "cookies":
			v.Cookies, err = atLeastOne(d)
			list = &v.Cookies
		default:
			return d.Errf("vendor %s: unknown property %q", id, key)
		}
		if err != nil {
			return err
		}
		if list != nil {
			lists = append(lists, vendorList{at: at, key: key, list: list})
		}
	}
	if v.Category == "" && len(v.Categories) == 0 {
		return errAt(head, "vendor %s: missing category", id)
	}
	// The vendor is placed at its category line with its name and
	// description, then each list at its own line, so that a bad host
	// is reported where it is written.
	i := len(h.Vendors)
	h.Vendors = append(h.Vendors, v)
	bare := v
	bare.Hosts, bare.URLs, bare.Paths, bare.Signatures, bare.Cookies = nil, nil, nil, nil, nil
	placed.vendor(head, categoryAt, bare)
	for _, l := range lists {
		values, field := *l.list, l.key
		placed.vendorList(l.at, id, func(p *Handler) { setVendorList(&p.Vendors[i], field, values) })
	}
	return nil
}

// setVendorList sets one of a vendor's lists by its Caddyfile name.
func setVendorList(v *rules.Vendor, field string, values []string) {
	switch field {
	case "hosts":
		v.Hosts = values
	case "urls":
		v.URLs = values
	case "paths":
		v.Paths = values
	case "signatures":
		v.Signatures = values
	case "cookies":
		v.Cookies = values
	}
}

// Interface guards
var _ caddyfile.Unmarshaler = (*Handler)(nil)
