package middleware

import (
	"bytes"
	"slices"

	"github.com/consentgate/consentgate/internal/ascii"
	"github.com/consentgate/consentgate/middleware/internal/elements"
	"github.com/consentgate/consentgate/middleware/internal/htmlrewrite"
	"github.com/consentgate/consentgate/middleware/internal/weburl"
	"github.com/consentgate/consentgate/rules"
)

// judge resolves a URL and reports the vendor it belongs to when the
// visitor has not granted that vendor's categories.
func (p *page) judge(raw []byte) (rules.Match, bool) {
	u, ok := weburl.Parse(raw, &p.base, &p.ubuf)
	if !ok {
		return rules.Match{}, false
	}
	var match rules.Match
	if p.plainHost(u.Host) {
		match, ok = p.m.rs.MatchPathBytes(u.PathQuery)
	} else {
		match, ok = p.m.rs.MatchURLBytes(u.Host, u.PathQuery)
	}
	if !ok {
		return rules.Match{}, false
	}
	p.m.sawVendor(match.Vendor)
	if p.grant.allows(match) {
		// Allowed, but listed in the banner all the same, where the
		// visitor can refuse it on its own.
		if match.Vendor != nil && p.bannerDue {
			p.seeVendor(match.Vendor)
		}
		return rules.Match{}, false
	}
	p.found = raw
	return match, true
}

// plainHost reports whether no host or URL rule applies to host,
// remembering the last host asked about: most URLs of a page share a few
// hosts, the page's own first.
func (p *page) plainHost(host []byte) bool {
	if p.lastHostOK && bytes.Equal(host, p.lastHost) {
		return p.lastHostPlain
	}
	p.lastHost = append(p.lastHost[:0], host...)
	p.lastHostPlain = !p.m.rs.HostHasRules(host)
	p.lastHostOK = true
	return p.lastHostPlain
}

// judgeElement judges the loading attributes of an element of the table.
// An attribute judged on its own (ping, attributionsrc) is set aside
// alone; a tracker in any other makes the whole element inert.
func (p *page) judgeElement(e *htmlrewrite.Element, el *elements.Element) {
	switch el.When {
	case elements.RelLoads:
		if rel, ok := e.Attr("rel"); !ok || !relLoads(rel) {
			return
		}
	case elements.TypeImage:
		if t, ok := e.Attr("type"); !ok || !bytes.EqualFold(bytes.TrimSpace(t), []byte("image")) {
			return
		}
	}
	var blocked []*elements.Attr
	var match rules.Match
	// Most elements have no data-* attribute: the lazy-loading names are
	// then not looked up one by one.
	data := e.HasAttrPrefix("data-")
	for i := range el.Attrs {
		a := &el.Attrs[i]
		if a.Lazy && !data {
			continue
		}
		v, ok := e.Attr(a.Name)
		if !ok {
			continue
		}
		m, bad := p.judgeValue(v, a.Kind)
		if !bad {
			continue
		}
		if a.Aside {
			if p.setAside(e, a.Name, a.Held, m) {
				p.asideNeed |= m.Need
			}
			continue
		}
		blocked = append(blocked, a)
		match.Need |= m.Need
		match.Vendor = m.Vendor
	}
	if len(blocked) > 0 {
		p.block(e, el, blocked, match)
	}
}

// judgeValue judges an attribute value by its kind.
func (p *page) judgeValue(v []byte, kind elements.Kind) (rules.Match, bool) {
	switch kind {
	case elements.Srcset:
		return p.judgeList(v, true)
	case elements.List:
		return p.judgeList(v, false)
	}
	return p.judge(v)
}

// relLoads reports whether a rel list names a relation that loads.
func relLoads(rel []byte) bool {
	for len(rel) > 0 {
		for len(rel) > 0 && ascii.IsSpace(rel[0]) {
			rel = rel[1:]
		}
		end := 0
		for end < len(rel) && !ascii.IsSpace(rel[end]) {
			end++
		}
		word := rel[:end]
		rel = rel[end:]
		var low [32]byte
		if len(word) <= len(low) && loadingRel[string(ascii.AppendLower(low[:0], word))] {
			return true
		}
	}
	return false
}

// loadingRel is elements.Rels as a set.
var loadingRel = func() map[string]bool {
	m := make(map[string]bool, len(elements.Rels))
	for _, r := range elements.Rels {
		m[r] = true
	}
	return m
}()

// judgeList judges a srcset (image candidates separated by commas) or a
// ping list (URLs separated by spaces).
func (p *page) judgeList(v []byte, srcset bool) (rules.Match, bool) {
	for len(v) > 0 {
		for len(v) > 0 && (ascii.IsSpace(v[0]) || srcset && v[0] == ',') {
			v = v[1:]
		}
		end := 0
		for end < len(v) && !ascii.IsSpace(v[end]) {
			end++
		}
		u := v[:end]
		v = v[end:]
		if srcset {
			if bytes.HasSuffix(u, []byte(",")) {
				u = bytes.TrimRight(u, ",")
			} else {
				// Skip the descriptors up to the next comma outside
				// parentheses.
				depth := 0
				for len(v) > 0 && !(v[0] == ',' && depth == 0) {
					switch v[0] {
					case '(':
						depth++
					case ')':
						depth--
					}
					v = v[1:]
				}
			}
		}
		if len(u) == 0 {
			continue
		}
		if match, bad := p.judge(u); bad {
			return match, true
		}
	}
	return rules.Match{}, false
}

// block neutralises, removes or reports an element whose loading
// attributes attrs load a tracker.
func (p *page) block(e *htmlrewrite.Element, el *elements.Element, attrs []*elements.Attr, match rules.Match) {
	p.note(e, el.Name, match)
	switch p.m.cfg.Mode {
	case ModeReport:
		return
	case ModeRemove:
		if el.KeepOnRemove {
			// Only the attributes go: the element holds content of the
			// page's own.
			for _, a := range attrs {
				e.RemoveAttr(a.Name)
			}
		} else {
			e.Remove()
		}
		return
	}
	for _, a := range attrs {
		e.RenameAttr(a.Name, a.Held)
	}
	if el.Name == "script" {
		p.makeInert(e)
	}
	p.mark(e, match.Need)
	if el.Name == "iframe" {
		p.placeholder(e, match)
	}
}

// makeInert gives a <script> or <style> the type that keeps a browser from
// running or applying it, keeping its own in data-consent-type.
func (p *page) makeInert(e *htmlrewrite.Element) {
	e.RenameAttr("type", "data-consent-type")
	e.SetAttr("type", "text/plain")
}

// setAside handles one attribute that loads a tracker: it is renamed to
// held (neutralize), removed (remove) or only noted (report). It reports
// whether the attribute was renamed.
func (p *page) setAside(e *htmlrewrite.Element, attr, held string, match rules.Match) bool {
	p.note(e, attr, match)
	switch p.m.cfg.Mode {
	case ModeReport:
	case ModeRemove:
		e.RemoveAttr(attr)
	default:
		e.RenameAttr(attr, held)
		return true
	}
	return false
}

// mark sets data-consent on a neutralised element to the categories it
// needs, its attributes set aside on their own included.
func (p *page) mark(e *htmlrewrite.Element, need rules.CategorySet) {
	e.SetAttr("data-consent", p.m.rs.Join((need|p.asideNeed)&^p.m.rs.NecessarySet(), " "))
	p.marked = true
}

// markAside marks an element of which only attributes were set aside
// (style, ping, attributionsrc).
func (p *page) markAside(e *htmlrewrite.Element) {
	if p.asideNeed != 0 && !p.marked {
		p.mark(e, 0)
	}
}

// note counts and reports a blocked item: to OnFinding, OnBlocked, the
// log in report mode, and the banner's list of the page's vendors.
func (p *page) note(e *htmlrewrite.Element, kind string, match rules.Match) {
	p.blocked++
	if p.m.cfg.OnFinding != nil {
		f := Finding{Kind: kind, Element: string(e.Name()), URL: string(p.found)}
		if kind == "style" && f.Element != "style" {
			f.Kind = "style-attribute"
		}
		p.m.find(p.r, f, match.Need, p.grant.cats, match.Vendor)
	}
	p.found = nil
	if p.report {
		vendor := ""
		if match.Vendor != nil {
			vendor = match.Vendor.ID
		}
		p.m.log.Info("would block", "element", string(e.Name()), "kind", kind,
			"vendor", vendor, "categories", p.m.rs.Join(match.Need, " "), "path", p.r.URL.Path)
	}
	p.m.observeBlocked(kind, match.Need, p.grant.cats)
	if match.Vendor != nil && p.bannerDue {
		p.seeVendor(match.Vendor)
	}
}

// seeVendor adds a vendor to the page's list for the banner, which
// offers each one a switch of its own.
func (p *page) seeVendor(v *rules.Vendor) {
	if !slices.Contains(p.vendors, v) {
		p.vendors = append(p.vendors, v)
	}
}

// overflowElement handles a tag longer than the buffer cap: with the
// "block" policy, the table's inert attributes are put first, where they
// win over anything later in the tag.
func (p *page) overflowElement(e *htmlrewrite.Element, name string) {
	if p.m.cfg.Overflow != overflowBlock || p.grant.cats.Has(p.m.rs.Optional()) || p.report {
		return
	}
	space := elements.HTML
	if e.Foreign() {
		space = elements.SVG
	}
	el := elements.Lookup(space, name)
	if el == nil || len(el.Inert) == 0 {
		return
	}
	p.m.log.Warn("tag longer than the buffer cap: made inert unjudged", "element", name, "path", p.r.URL.Path)
	for _, a := range el.Inert {
		e.SetAttr(a.Name, a.Value)
	}
	e.SetAttr("data-consent", p.m.rs.Join(p.m.rs.Optional(), " "))
	p.blocked++
}
