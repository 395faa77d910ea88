package caddymodule

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/consentgate/consentgate/middleware"
	"github.com/consentgate/consentgate/rules"
)

// settings are the sub-directives of one consent block as written: where
// each one is and how to copy it onto a handler. Rebuilding the handler
// one setting at a time finds the line that makes the middleware refuse
// the configuration.
type settings struct {
	// early are applied first: the settings others depend on (categories,
	// the catalogue, texts, cmp).
	early, late []setting
}

// setting is one sub-directive, or one list of an inline vendor.
type setting struct {
	at   caddyfile.Token
	name string // how messages name it
	// apply copies the setting onto a handler being rebuilt.
	apply func(*Handler)
	// categories are category names the setting refers to; each must be
	// a built-in category or one declared by categories.
	categories []string
	// needsCMP marks a mapping read only with cmp.
	needsCMP bool
	// vendorID is the id of the inline vendor the setting belongs to.
	vendorID string
}

// first places a setting others depend on.
func (s *settings) first(at caddyfile.Token, apply func(*Handler)) {
	s.early = append(s.early, setting{at: at, name: at.Text, apply: apply})
}

// add places a setting.
func (s *settings) add(at caddyfile.Token, apply func(*Handler)) {
	s.addNamed(at, at.Text, apply)
}

// addNamed places a setting that messages call name.
func (s *settings) addNamed(at caddyfile.Token, name string, apply func(*Handler)) {
	s.late = append(s.late, setting{at: at, name: name, apply: apply})
}

// vendorList places one list (hosts, cookies, …) of the inline vendor id.
func (s *settings) vendorList(at caddyfile.Token, id string, apply func(*Handler)) {
	s.late = append(s.late, setting{at: at, name: "vendor " + id, apply: apply, vendorID: id})
}

// mapping places a consent-manager mapping to category.
func (s *settings) mapping(at caddyfile.Token, category string, apply func(*Handler)) {
	s.late = append(s.late, setting{at: at, name: at.Text, apply: apply, categories: []string{category}, needsCMP: true})
}

// vendor places an inline vendor (without its lists, which are placed
// on their own) at its category line, or at its head when it has none.
func (s *settings) vendor(head, category caddyfile.Token, v rules.Vendor) {
	at := category
	if at.Text == "" {
		at = head
	}
	var names []string
	for _, c := range append([]rules.Category{v.Category}, v.Categories...) {
		if c != "" {
			names = append(names, string(c))
		}
	}
	s.late = append(s.late, setting{
		at:         at,
		name:       "vendor " + v.ID,
		apply:      func(p *Handler) { p.Vendors = append(p.Vendors, v) },
		categories: names,
		vendorID:   v.ID,
	})
}

// checkSettings checks at parse time what the middleware would refuse
// when the config is loaded, and reports it at the line that causes it:
// category names, rule files (that they exist and parse), the banner
// template, durations, sizes, languages, the revision, the endpoint, the
// policy URL and the rest of the middleware's own validation.
func (h *Handler) checkSettings(directive caddyfile.Token, placed settings) error {
	all := append(slices.Clip(placed.early), placed.late...)
	known := map[string]bool{}
	for _, c := range rules.DefaultCategories() {
		known[string(c)] = true
	}
	for _, c := range h.Categories {
		known[c] = true
	}
	for _, s := range all {
		for _, c := range s.categories {
			if _, err := rules.ParseCategory(c); err != nil {
				return errAt(s.at, "%s: %v", s.name, err)
			}
			if !known[c] {
				return errAt(s.at, "%s: unknown category %q (known: %s; declare others with categories)", s.name, c, strings.Join(knownCategories(h.Categories), ", "))
			}
		}
		if s.needsCMP && len(h.CMP) == 0 {
			return errAt(s.at, "%s: only read with cmp; add cmp auto or name the consent manager", s.name)
		}
	}
	_, err := middleware.New(h.Config())
	if err == nil {
		return nil
	}
	// Rebuild the handler one setting at a time: the first one the
	// middleware refuses is the line to blame.
	var p Handler
	for _, s := range all {
		s.apply(&p)
		if _, err := middleware.New(p.Config()); err != nil {
			return errAt(s.at, "%s", s.message(err))
		}
	}
	return errAt(directive, "%s", configMessage(err))
}

// message says what is wrong with the setting: the middleware's message,
// after the sub-directive's name unless the message starts with it in
// words ("cookie max age 30m0s is shorter than an hour"). An inline
// vendor's message loses what the Caddyfile line already says (the rules
// it was compiled from, the vendor id).
func (s setting) message(err error) string {
	msg := configMessage(err)
	msg = strings.TrimPrefix(msg, "loading rules: ")
	if s.vendorID != "" && strings.HasPrefix(msg, "compiling rules from ") {
		if i := strings.Index(msg, ": "+s.vendorID+": "); i >= 0 {
			msg = msg[i+len(s.vendorID)+4:]
		}
	}
	words := strings.ReplaceAll(s.name, "_", " ")
	if len(msg) >= len(words) && strings.EqualFold(msg[:len(words)], words) {
		return msg
	}
	return s.name + ": " + msg
}

// knownCategories lists the built-in categories and those declared.
func knownCategories(declared []string) []string {
	var out []string
	for _, c := range rules.DefaultCategories() {
		out = append(out, string(c))
	}
	for _, c := range declared {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// configMessage is the middleware's error without the "invalid
// configuration" every one of them starts with.
func configMessage(err error) string {
	return strings.TrimPrefix(err.Error(), middleware.ErrConfig.Error()+": ")
}

// errAt returns an error placed at the token's file and line (and import
// chain), as Dispenser.Errf places errors at the current token.
func errAt(at caddyfile.Token, format string, args ...any) error {
	d := caddyfile.NewDispenser([]caddyfile.Token{at})
	d.Next()
	return d.WrapErr(fmt.Errorf(format, args...))
}

// resolvePath resolves a file named in a Caddyfile against the folder of
// the Caddyfile that names it, as import does, and makes it absolute, so
// that the adapted JSON finds the same file whatever the working
// directory of the Caddy process that loads it (systemd starts Caddy in
// /). Absolute paths are kept as they are.
func resolvePath(at caddyfile.Token, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	joined := filepath.Join(filepath.Dir(at.File), path)
	if abs, err := filepath.Abs(joined); err == nil {
		return abs
	}
	return joined
}
