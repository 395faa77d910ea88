package middleware

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"math/bits"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/consentgate/consentgate/internal/ascii"
	"github.com/consentgate/consentgate/rules"
)

//go:embed banner/banner.css banner/banner.js banner/banner.html banner/placeholder.html banner/i18n/*.json
var bannerFS embed.FS

// banner renders the consent banner for a request.
type banner struct {
	tmpl     *template.Template
	custom   bool                         // an operator template: rendered in full every time
	texts    map[string]map[string]string // complete per language
	langs    []string
	fallback string
	endpoint string
	policy   string
	css, js  string // asset URLs
	gcm      bool
	// cats lists the categories per language, unchecked and without
	// vendors, for pages to copy.
	cats map[string][]bannerCategory
	// shapes caches the built-in banner rendered once per shape (language,
	// state, which parts show) with slots for the values that change from
	// page to page.
	shapes *lru.Cache[shapeKey, []bannerPart]
	// switches caches the markup of one vendor's switch (the template's
	// "vendor" block) per language and state: the slots of a shape's
	// categories are filled with them.
	switches    *lru.Cache[switchKey, string]
	hasSwitch   bool // the template defines "vendor"
	declaration string
	// vendorTexts are the texts' "vendor_<id>", "vendor_<id>_desc" and
	// "vendor_<id>_placeholder", per language and vendor id.
	vendorTexts map[string]map[string]vendorText

	// placeholders of blocked embeds (page_placeholder.go)
	phTmpl   *template.Template
	phCustom bool
	phShapes *lru.Cache[placeholderKey, []bannerPart]
}

// vendorText is what the texts say of one vendor in one language.
type vendorText struct {
	name, desc, placeholder string
}

// newVendorTexts collects the texts about single vendors.
func newVendorTexts(texts map[string]map[string]string) map[string]map[string]vendorText {
	out := map[string]map[string]vendorText{}
	for lang, t := range texts {
		for k, v := range t {
			id, ok := strings.CutPrefix(k, "vendor_")
			if !ok || v == "" {
				continue
			}
			if out[lang] == nil {
				out[lang] = map[string]vendorText{}
			}
			var vt vendorText
			if i, ok := strings.CutSuffix(id, "_desc"); ok {
				id, vt = i, out[lang][i]
				vt.desc = v
			} else if i, ok := strings.CutSuffix(id, "_placeholder"); ok {
				id, vt = i, out[lang][i]
				vt.placeholder = v
			} else {
				vt = out[lang][id]
				vt.name = v
			}
			out[lang][id] = vt
		}
	}
	return out
}

// switchKey is what decides the markup of one vendor's switch.
type switchKey struct {
	lang, id string
	checked  bool
}

// shapeKey is what decides the built-in banner's markup apart from its
// slots.
type shapeKey struct {
	lang, granted, note  string
	origin               string // set when the page's <base href> moves relative URLs
	visible, open, gcm   bool
	nonce, shown         bool
	checked, withVendors uint64 // per category index
}

// bannerPart is a literal run of a rendered shape, followed by a slot
// (slotNone after the last).
type bannerPart struct {
	lit  string
	slot int
}

// Slots of a shape. Their markers are plain letters and digits, which
// html/template writes through unchanged in text, attribute, URL and CSS
// contexts.
const (
	slotNone = iota - 1
	slotReturn
	slotChoices
	slotNonce
	slotShown
	slotOffered // the ids of the vendors offered, space separated
	// placeholders' own (page_placeholder.go)
	slotPlaceholderID
	slotWidth
	slotHeight
	// per category: + its index (at most 64)
	slotServices
	slotSwitches = slotServices + 64
)

const slotMark = "CGSLOT"

func slotMarker(slot int) string { return slotMark + strconv.Itoa(slot) + slotMark }

// newBanner prepares the banner: the built-in texts merged with the
// operator's, and the built-in or operator template.
func newBanner(cfg Config, rs *rules.Ruleset) (*banner, error) {
	b := &banner{texts: map[string]map[string]string{}, fallback: cfg.DefaultLanguage, endpoint: cfg.Endpoint, policy: cfg.PolicyURL, gcm: cfg.ConsentMode}
	base := builtinTexts()
	en := base["en"]
	for lang, t := range base {
		b.texts[lang] = merge(en, t)
	}
	for lang, over := range cfg.Texts {
		lang = strings.ToLower(lang)
		if !validLang(lang) {
			return nil, fmt.Errorf("%w: texts: %q is not a language tag", ErrConfig, lang)
		}
		have, ok := b.texts[lang]
		if !ok {
			have = en
		}
		for k := range over {
			if _, known := en[k]; !known && !strings.HasPrefix(k, "cat_") && !strings.HasPrefix(k, "vendor_") && !isDeclarationKey(k) {
				return nil, fmt.Errorf("%w: texts[%s]: unknown key %q", ErrConfig, lang, k)
			}
		}
		b.texts[lang] = merge(have, over)
	}
	if _, ok := b.texts[b.fallback]; !ok {
		return nil, fmt.Errorf("%w: default language %q has no texts (built in: %s)", ErrConfig, b.fallback, strings.Join(DefaultLanguages(), ", "))
	}
	for l := range b.texts {
		b.langs = append(b.langs, l)
	}
	b.vendorTexts = newVendorTexts(b.texts)
	sort.Strings(b.langs)
	assets := bannerAssets()
	b.css, b.js = b.endpoint+"/"+assets[0].name, b.endpoint+"/"+assets[1].name
	b.declaration = b.endpoint + "/declaration"
	b.cats = make(map[string][]bannerCategory, len(b.texts))
	for lang, t := range b.texts {
		for _, c := range rs.Categories() {
			title := t["cat_"+string(c)]
			if title == "" {
				title = strings.ToUpper(string(c[:1])) + strings.ReplaceAll(string(c[1:]), "_", " ")
			}
			b.cats[lang] = append(b.cats[lang], bannerCategory{
				Name:        string(c),
				Title:       title,
				Description: t["cat_"+string(c)+"_desc"],
				Necessary:   c == rules.Necessary,
			})
		}
	}
	src, err := bannerFS.ReadFile("banner/banner.html")
	if err != nil {
		return nil, err
	}
	name := "built-in banner"
	if cfg.BannerTemplate != "" {
		if src, err = os.ReadFile(cfg.BannerTemplate); err != nil {
			return nil, fmt.Errorf("%w: banner template: %v", ErrConfig, err)
		}
		name = cfg.BannerTemplate
		b.custom = true
	}
	if b.shapes, err = lru.New[shapeKey, []bannerPart](256); err != nil {
		return nil, err
	}
	if b.switches, err = lru.New[switchKey, string](4096); err != nil {
		return nil, err
	}
	if b.tmpl, err = template.New(name).Option("missingkey=zero").Parse(string(src)); err != nil {
		return nil, fmt.Errorf("%w: banner template: %v", ErrConfig, err)
	}
	b.hasSwitch = b.tmpl.Lookup("vendor") != nil
	// Render once with sample data so a broken operator template fails at
	// load, not on a visitor's page.
	sample := bannerData{Lang: b.fallback, T: b.texts[b.fallback], Categories: sampleVendors(b.categories(nil, b.fallback, rs.NecessarySet(), 0)), Declaration: b.declaration}
	if _, err := b.render(sample); err != nil {
		return nil, fmt.Errorf("%w: banner template %s: %v", ErrConfig, name, err)
	}
	b.switches.Purge() // the sample's
	if err := b.newPlaceholders(cfg); err != nil {
		return nil, err
	}
	return b, nil
}

// sampleVendors gives the first optional category a vendor, so that a
// template's vendor markup is tried at load too.
func sampleVendors(cats []bannerCategory) []bannerCategory {
	for i := range cats {
		if !cats[i].Necessary {
			cats[i].Vendors = []bannerVendor{{ID: "sample-vendor", Name: "Sample", Description: "A vendor to try the template with.", Provider: "Sample Ltd", Needs: cats[i].Name, cat: i}}
			break
		}
	}
	return cats
}

// bannerCategory is one category as the banner shows it.
type bannerCategory struct {
	Name        string
	Title       string
	Description string
	// Vendors are the category's vendors the customise layer offers a
	// switch each: those the page uses, blocked or allowed, and those the
	// visitor chose about before. A vendor that needs several categories
	// is listed under its primary one.
	Vendors []bannerVendor
	// Services are the names of Vendors, joined by ", ".
	Services string
	// Switches are Vendors rendered by the template's "vendor" block,
	// when it has one.
	Switches  template.HTML
	Necessary bool
	Checked   bool
}

// bannerVendor is one vendor as the banner offers it.
type bannerVendor struct {
	ID          string
	Name        string
	Description string
	Provider    string
	Needs       string // the optional categories it needs, space separated
	// Checked reports whether the visitor's decision allows the vendor
	// (never before a decision).
	Checked bool

	cat int // the index of the category it is listed under
}

// bannerScratch holds a page's banner lists between pages, so that they
// are not allocated anew each time.
type bannerScratch struct {
	ids     []string
	cats    []bannerCategory
	vendors []bannerVendor
}

// bannerData is what the banner template sees.
type bannerData struct {
	Lang        string
	T           map[string]string
	Categories  []bannerCategory
	Visible     bool   // the visitor has not decided: the banner shows
	Open        bool   // the customise layer starts open
	Granted     string // granted optional categories, space separated
	SignalNote  string
	Endpoint    string
	Return      string // same-site path to come back to
	ChoicesURL  string // the page that shows the banner without script
	PolicyURL   string
	CSS, JS     string // asset URLs
	Nonce       string
	ConsentMode bool
	// Offered lists the ids of the vendors of every category's Vendors,
	// separated by spaces: the form's "offered" field, by which a vendor
	// offered and left unticked is refused.
	Offered string
	// Declaration is the URL of the cookie declaration.
	Declaration string
	// Shown identifies what the visitor is shown, for the record of the
	// decision; the form carries it when it is set.
	Shown string

	origin string // "scheme://host" prefixed to the endpoint's URLs, or ""
}

// categories lists the categories for the banner in language lang,
// appended to dst[:0]: checked when granted and not refused, without
// vendors.
func (b *banner) categories(dst []bannerCategory, lang string, granted, refused rules.CategorySet) []bannerCategory {
	out := append(dst[:0], b.cats[lang]...)
	for i := range out {
		bit := rules.CategorySet(1) << uint(i)
		out[i].Checked = granted.Has(bit) && refused&bit == 0
	}
	return out
}

// bannerVendors lists the vendors the banner offers a switch each,
// appended to dst[:0] and sorted by category and name: those of seen
// (what the page uses) and those c chose about, each once.
func (m *Middleware) bannerVendors(dst []bannerVendor, lang string, c *Consent, seen []*rules.Vendor) []bannerVendor {
	out := dst[:0]
	add := func(v *rules.Vendor) {
		for i := range out {
			if out[i].ID == v.ID {
				return
			}
		}
		if bv, ok := m.offerVendor(v, lang, c); ok {
			out = append(out, bv)
		}
	}
	for _, v := range seen {
		add(v)
	}
	for _, vc := range c.vendors {
		if v, ok := m.rs.VendorByID(vc.id); ok {
			add(v)
		}
	}
	slices.SortFunc(out, func(a, b bannerVendor) int {
		if a.cat != b.cat {
			return a.cat - b.cat
		}
		return compareFold(a.Name, b.Name)
	})
	return out
}

// compareFold compares two names with ASCII letters folded to lower case,
// without allocating.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return int(x) - int(y)
		}
	}
	return len(a) - len(b)
}

// offerVendor returns vendor v as the banner and placeholders show it in
// language lang, and whether a visitor can choose it on its own: it
// needs an optional category, the consent cookie has a code for it, and
// its id is one word (the form's "offered" field lists ids separated by
// spaces). Its name and description come from the rules, or the texts'
// "vendor_<id>" and "vendor_<id>_desc".
func (m *Middleware) offerVendor(v *rules.Vendor, lang string, c *Consent) (bannerVendor, bool) {
	need := m.rs.Need(v) &^ m.rs.NecessarySet()
	if need == 0 || v.ID == "" || strings.ContainsAny(v.ID, " \t\n\f\r") {
		return bannerVendor{}, false
	}
	if _, ok := m.rs.VendorCode(v.ID); !ok {
		return bannerVendor{}, false
	}
	// Listed under its primary category, or else the first it needs.
	cat := need & -need
	if bit, ok := m.rs.Bit(v.Primary()); ok && need&bit != 0 {
		cat = bit
	}
	bv := bannerVendor{
		ID:          v.ID,
		Name:        v.Name,
		Description: v.Description,
		Provider:    v.Provider,
		Needs:       m.rs.Join(need, " "),
		Checked:     c.Decided && c.grant().allowsVendor(m.rs, v),
		cat:         bits.TrailingZeros64(uint64(cat)),
	}
	if vt, ok := m.banner.vendorTexts[lang][v.ID]; ok {
		bv.Name = cmp.Or(vt.name, bv.Name)
		bv.Description = cmp.Or(vt.desc, bv.Description)
	}
	bv.Name = cmp.Or(bv.Name, v.ID)
	return bv, true
}

// assignVendors gives each category its part of vendors, which is sorted
// by category.
func assignVendors(cats []bannerCategory, vendors []bannerVendor) {
	for i := range cats {
		cats[i].Vendors = nil
	}
	for start := 0; start < len(vendors); {
		end := start + 1
		for end < len(vendors) && vendors[end].cat == vendors[start].cat {
			end++
		}
		if i := vendors[start].cat; i < len(cats) && !cats[i].Necessary {
			cats[i].Vendors = vendors[start:end:end]
		}
		start = end
	}
}

// html renders the banner for d, appended to dst: the built-in template
// from a cached shape with its slots filled, an operator template in
// full.
func (b *banner) html(dst []byte, d bannerData) ([]byte, error) {
	if b.custom {
		html, err := b.render(d)
		return append(dst, html...), err
	}
	key := shapeKey{lang: d.Lang, granted: d.Granted, note: d.SignalNote, origin: d.origin, visible: d.Visible, open: d.Open, gcm: d.ConsentMode, nonce: d.Nonce != "", shown: d.Shown != ""}
	for i, c := range d.Categories {
		if c.Checked {
			key.checked |= 1 << uint(i)
		}
		if len(c.Vendors) > 0 {
			key.withVendors |= 1 << uint(i)
		}
	}
	parts, ok := b.shapes.Get(key)
	if !ok {
		var err error
		if parts, err = b.shape(d); err != nil {
			return nil, err
		}
		b.shapes.Add(key, parts)
	}
	out := dst
	for _, p := range parts {
		out = append(out, p.lit...)
		switch {
		case p.slot == slotNone:
		case p.slot == slotReturn:
			out = appendEscaped(out, d.Return)
		case p.slot == slotChoices:
			out = appendChoicesURL(out, d.Endpoint, d.Return)
		case p.slot == slotNonce:
			out = appendEscaped(out, d.Nonce)
		case p.slot == slotShown:
			out = appendEscaped(out, d.Shown)
		case p.slot == slotOffered:
			out = appendOffered(out, d.Categories)
		case p.slot >= slotSwitches:
			for _, v := range d.Categories[p.slot-slotSwitches].Vendors {
				sw, err := b.vendorSwitch(d.Lang, v)
				if err != nil {
					return nil, err
				}
				out = append(out, sw...)
			}
		case p.slot >= slotServices:
			for i, v := range d.Categories[p.slot-slotServices].Vendors {
				if i > 0 {
					out = append(out, ", "...)
				}
				out = appendEscaped(out, v.Name)
			}
		default:
			return nil, fmt.Errorf("banner template: slot %d has no value", p.slot)
		}
	}
	return out, nil
}

// appendOffered appends the ids of the categories' vendors, separated by
// spaces, escaped for HTML.
func appendOffered(dst []byte, cats []bannerCategory) []byte {
	first := true
	for _, c := range cats {
		for _, v := range c.Vendors {
			if !first {
				dst = append(dst, ' ')
			}
			first = false
			dst = appendEscaped(dst, v.ID)
		}
	}
	return dst
}

// vendorSwitch returns the markup of one vendor's switch, the template's
// "vendor" block, rendered once per language and state.
func (b *banner) vendorSwitch(lang string, v bannerVendor) (string, error) {
	if !b.hasSwitch {
		return "", nil
	}
	key := switchKey{lang: lang, id: v.ID, checked: v.Checked}
	if sw, ok := b.switches.Get(key); ok {
		return sw, nil
	}
	var buf bytes.Buffer
	if err := b.tmpl.ExecuteTemplate(&buf, "vendor", struct {
		bannerVendor
		T map[string]string
	}{v, b.texts[lang]}); err != nil {
		return "", err
	}
	sw := buf.String()
	b.switches.Add(key, sw)
	return sw, nil
}

// shape renders d with markers in its slots and splits the result.
func (b *banner) shape(d bannerData) ([]bannerPart, error) {
	d.Return = slotMarker(slotReturn)
	d.ChoicesURL = slotMarker(slotChoices)
	if d.Nonce != "" {
		d.Nonce = slotMarker(slotNonce)
	}
	if d.Shown != "" {
		d.Shown = slotMarker(slotShown)
	}
	d.Offered = ""
	d.Categories = slices.Clone(d.Categories)
	for i := range d.Categories {
		if len(d.Categories[i].Vendors) > 0 {
			d.Categories[i].Services = slotMarker(slotServices + i)
			d.Categories[i].Switches = template.HTML(slotMarker(slotSwitches + i))
			d.Offered = slotMarker(slotOffered)
		}
	}
	html, err := b.render(d)
	if err != nil {
		return nil, err
	}
	return splitSlots(html)
}

// splitSlots splits rendered markup at its slot markers.
func splitSlots(html []byte) ([]bannerPart, error) {
	var parts []bannerPart
	rest := string(html)
	for {
		i := strings.Index(rest, slotMark)
		if i < 0 {
			return append(parts, bannerPart{lit: rest, slot: slotNone}), nil
		}
		j := strings.Index(rest[i+len(slotMark):], slotMark)
		if j < 0 {
			return nil, errors.New("banner template: unbalanced slot marker")
		}
		slot, err := strconv.Atoi(rest[i+len(slotMark) : i+len(slotMark)+j])
		if err != nil {
			return nil, errors.New("banner template: bad slot marker")
		}
		parts = append(parts, bannerPart{lit: rest[:i], slot: slot})
		rest = rest[i+2*len(slotMark)+j:]
	}
}

// appendEscaped appends s escaped for HTML text and quoted attributes.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '"':
			dst = append(dst, "&#34;"...)
		case '\'':
			dst = append(dst, "&#39;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendChoicesURL appends the URL of the choices page coming back to
// ret, escaped for HTML (query escaping leaves nothing HTML-special).
func appendChoicesURL(dst []byte, endpoint, ret string) []byte {
	const hex = "0123456789ABCDEF"
	dst = appendEscaped(dst, endpoint)
	dst = append(dst, "/choices?return="...)
	for i := 0; i < len(ret); i++ {
		switch c := ret[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// render executes the template, filling what the built-in banner's slots
// would: the choices URL and the vendor lists.
func (b *banner) render(d bannerData) ([]byte, error) {
	if d.ChoicesURL == "" {
		d.ChoicesURL = string(appendChoicesURL(nil, d.Endpoint, d.Return))
	}
	if d.Offered == "" {
		d.Offered = string(appendOffered(nil, d.Categories))
	}
	if slices.ContainsFunc(d.Categories, func(c bannerCategory) bool { return c.Services == "" && len(c.Vendors) > 0 }) {
		d.Categories = slices.Clone(d.Categories)
		for i, c := range d.Categories {
			if c.Services != "" {
				continue
			}
			names := make([]string, len(c.Vendors))
			var sw strings.Builder
			for j, v := range c.Vendors {
				names[j] = v.Name
				s, err := b.vendorSwitch(d.Lang, v)
				if err != nil {
					return nil, err
				}
				sw.WriteString(s)
			}
			d.Categories[i].Services = strings.Join(names, ", ")
			d.Categories[i].Switches = template.HTML(sw.String())
		}
	}
	var buf bytes.Buffer
	if err := b.tmpl.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// bannerData builds the template data for a page of request r, which
// used the vendors seen.
//
// The lists are built in scratch (when not nil), which the caller may
// reuse once the banner is rendered.
//
// origin, when not empty, makes the endpoint's URLs absolute: a page whose
// <base href> points elsewhere would send root-relative ones there.
func (m *Middleware) bannerData(r *http.Request, c *Consent, nonce string, seen []*rules.Vendor, scratch *bannerScratch, origin string) bannerData {
	b := m.banner
	lang := b.language(r.Header.Get("Accept-Language"))
	t := b.texts[lang]
	ret := returnPath(r.URL.RequestURI())
	d := bannerData{
		Lang:        lang,
		T:           t,
		Visible:     !c.Decided,
		Granted:     m.rs.Join(c.granted&^m.rs.NecessarySet(), " "),
		Endpoint:    b.endpoint,
		Return:      ret,
		PolicyURL:   b.policy,
		CSS:         b.css,
		JS:          b.js,
		Nonce:       nonce,
		ConsentMode: b.gcm,
		Declaration: b.declaration,
		origin:      origin,
	}
	if origin != "" {
		d.Endpoint, d.CSS, d.JS, d.Declaration = origin+d.Endpoint, origin+d.CSS, origin+d.JS, origin+d.Declaration
	}
	granted := c.granted
	if !c.Decided {
		granted = m.rs.NecessarySet()
	}
	if scratch == nil {
		scratch = &bannerScratch{}
	}
	scratch.cats = b.categories(scratch.cats, lang, granted, 0)
	scratch.vendors = m.bannerVendors(scratch.vendors, lang, c, seen)
	assignVendors(scratch.cats, scratch.vendors)
	d.Categories = scratch.cats
	// What the visitor is shown, as the record of their choice will say.
	scratch.ids = scratch.ids[:0]
	for _, v := range scratch.vendors {
		scratch.ids = append(scratch.ids, v.ID)
	}
	d.Shown = m.shownID(shownBanner, lang, scratch.ids)
	if c.fromSigns != 0 && c.Source != SourceCookie {
		if c.fromSigns == m.rs.Optional() {
			d.SignalNote = t["signals_all"]
		} else {
			var names []string
			for _, cat := range d.Categories {
				if bit, _ := m.rs.Bit(rules.Category(cat.Name)); c.fromSigns&bit != 0 {
					names = append(names, cat.Title)
				}
			}
			d.SignalNote = strings.ReplaceAll(t["signals_some"], "{categories}", joinList(names, t["and"]))
		}
	}
	return d
}

// joinList joins items as "a, b and c".
func joinList(items []string, and string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + and + " " + items[len(items)-1]
}

// returnPath keeps a same-site path (with query) and turns anything else
// into "/": absolute URLs, scheme-relative "//host", backslashes (which
// browsers read as slashes), schemes and control characters.
func returnPath(p string) string {
	if p == "" || p[0] != '/' || len(p) > 2048 {
		return "/"
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return "/"
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	// A path from '/' has no scheme, host or user; what remains to check
	// is that its escapes are well formed.
	path, _, _ := strings.Cut(p, "?")
	for i := strings.IndexByte(path, '%'); i >= 0; i = strings.IndexByte(path, '%') {
		if i+2 >= len(path) || !ascii.IsHex(path[i+1]) || !ascii.IsHex(path[i+2]) {
			return "/"
		}
		path = path[i+3:]
	}
	return p
}

func validNonce(v string) bool {
	if v == "" || len(v) > 256 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
