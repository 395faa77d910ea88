package middleware

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"strconv"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/consentgate/consentgate/internal/ascii"
	"github.com/consentgate/consentgate/middleware/internal/htmlrewrite"
	"github.com/consentgate/consentgate/middleware/internal/weburl"
	"github.com/consentgate/consentgate/rules"
)

// Placeholders of blocked embeds. A neutralised <iframe> of a vendor the
// visitor can allow on its own keeps its box, and gets right before it an
// element with data-consent-placeholder="<vendor id>" that says whose
// content it is and what loading it means, links to the cookie
// declaration, and holds a form that grants that vendor (action=grant):
// without script the form posts and the page comes back with the embed
// live; with script, banner.js posts it as JSON and starts the embed in
// place.
//
// The placeholder goes before the frame, since the rewriter sees start
// tags. It is a <div>, whose height is zero: its box is laid over the
// frame's (banner.css, sized from the frame's width and height
// attributes, and by banner.js to the frame's real box). A block is what
// keeps it whole where the frame stands in a <p>: a parser closes the
// paragraph at the <div>, where it would close it at the form inside
// anything else and leave the form out of the placeholder. Inside a form
// of the page's a form cannot be nested (its end tag would end the
// page's), so there the placeholder's controls name a form of their own
// that goes in at the end of the body.

// placeholderData is what the placeholder template sees.
type placeholderData struct {
	Lang   string
	T      map[string]string
	Vendor bannerVendor
	// Title, Text, Button and Note are the texts with the vendor's name
	// filled in.
	Title, Text, Button, Note string
	Endpoint                  string
	Declaration               string
	Return                    string // same-site path to come back to
	CSS                       string // the style sheet's URL
	Nonce                     string
	Stylesheet                bool   // the page's first placeholder links the style sheet
	ID                        string // unique on the page, for the ids of its parts: "cg-ph-<n>"
	// Width and Height are the frame's, as CSS lengths, or "".
	Width, Height string
	// Form is the id of the form the controls belong to when the frame
	// is inside a form of the page's; "" when the placeholder holds its
	// own.
	Form string
	// Shown identifies what the visitor is shown, for the record of the
	// decision; the form carries it when it is set.
	Shown string

	n int // the number in ID
}

// placeholderKey is what decides the built-in placeholder's markup apart
// from its slots.
type placeholderKey struct {
	lang, vendor, origin string
	stylesheet, nonce    bool
	shown, form          bool
	width, height        bool
}

// placeholderTexts are the text keys of a placeholder's description by
// the kind of embed; other vendors get "placeholder_text".
var placeholderTexts = map[string]string{
	"youtube":       "placeholder_text_video",
	"vimeo":         "placeholder_text_video",
	"dailymotion":   "placeholder_text_video",
	"tiktok-embeds": "placeholder_text_video",
	"google-maps":   "placeholder_text_map",
}

// newPlaceholders prepares the built-in or operator placeholder template.
func (b *banner) newPlaceholders(cfg Config) error {
	src, err := bannerFS.ReadFile("banner/placeholder.html")
	if err != nil {
		return err
	}
	name := "built-in placeholder"
	if cfg.PlaceholderTemplate != "" {
		if src, err = os.ReadFile(cfg.PlaceholderTemplate); err != nil {
			return fmt.Errorf("%w: placeholder template: %v", ErrConfig, err)
		}
		name = cfg.PlaceholderTemplate
		b.phCustom = true
	}
	if b.phTmpl, err = template.New(name).Option("missingkey=zero").Parse(string(src)); err != nil {
		return fmt.Errorf("%w: placeholder template: %v", ErrConfig, err)
	}
	if b.phShapes, err = lru.New[placeholderKey, []bannerPart](512); err != nil {
		return err
	}
	// Render once so that a broken operator template fails at load.
	v := bannerVendor{ID: "sample-vendor", Name: "Sample", Provider: "Sample Ltd", Needs: "marketing"}
	d := b.placeholderTexts(placeholderData{Lang: b.fallback, T: b.texts[b.fallback], Vendor: v, Endpoint: b.endpoint,
		Declaration: b.declaration, Return: "/", CSS: b.css, Stylesheet: true, ID: "cg-ph-1", Width: "560px", Height: "315px"})
	if _, err := b.renderPlaceholder(d); err != nil {
		return fmt.Errorf("%w: placeholder template %s: %v", ErrConfig, name, err)
	}
	return nil
}

// placeholderTexts fills in d's texts for its vendor and language.
func (b *banner) placeholderTexts(d placeholderData) placeholderData {
	t := d.T
	service := d.Vendor.Name
	if d.Vendor.Provider != "" && d.Vendor.Provider != d.Vendor.Name {
		service += " (" + d.Vendor.Provider + ")"
	}
	fill := func(s string) string {
		return strings.NewReplacer("{vendor}", d.Vendor.Name, "{service}", service, "{choices}", t["reopen"]).Replace(s)
	}
	text := b.vendorTexts[d.Lang][d.Vendor.ID].placeholder
	if text == "" {
		key, ok := placeholderTexts[d.Vendor.ID]
		if !ok {
			key = "placeholder_text"
		}
		text = t[key]
	}
	d.Title, d.Text, d.Button, d.Note = fill(t["placeholder_title"]), fill(text), fill(t["placeholder_button"]), fill(t["placeholder_note"])
	return d
}

// renderPlaceholder executes the placeholder template.
func (b *banner) renderPlaceholder(d placeholderData) ([]byte, error) {
	var buf bytes.Buffer
	if err := b.phTmpl.Execute(&buf, d); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}

// placeholderHTML appends the placeholder for d to dst: the built-in one
// from a cached shape with its slots filled, an operator's rendered in
// full.
func (b *banner) placeholderHTML(dst []byte, d placeholderData, origin string) ([]byte, error) {
	if b.phCustom {
		d.ID = "cg-ph-" + strconv.Itoa(d.n)
		if d.Form != "" {
			d.Form = d.ID + "-f"
		}
		html, err := b.renderPlaceholder(b.placeholderTexts(d))
		return append(dst, html...), err
	}
	key := placeholderKey{lang: d.Lang, vendor: d.Vendor.ID, origin: origin, stylesheet: d.Stylesheet, nonce: d.Nonce != "",
		shown: d.Shown != "", form: d.Form != "", width: d.Width != "", height: d.Height != ""}
	parts, ok := b.phShapes.Get(key)
	if !ok {
		s := b.placeholderTexts(d)
		s.ID = slotMarker(slotPlaceholderID)
		s.Return = slotMarker(slotReturn)
		if s.Nonce != "" {
			s.Nonce = slotMarker(slotNonce)
		}
		if s.Shown != "" {
			s.Shown = slotMarker(slotShown)
		}
		if s.Form != "" {
			s.Form = s.ID + "-f"
		}
		if s.Width != "" {
			s.Width = slotMarker(slotWidth)
		}
		if s.Height != "" {
			s.Height = slotMarker(slotHeight)
		}
		html, err := b.renderPlaceholder(s)
		if err != nil {
			return dst, err
		}
		if parts, err = splitSlots(html); err != nil {
			return dst, err
		}
		b.phShapes.Add(key, parts)
	}
	out := dst
	for _, p := range parts {
		out = append(out, p.lit...)
		switch p.slot {
		case slotNone:
		case slotPlaceholderID:
			out = strconv.AppendInt(append(out, "cg-ph-"...), int64(d.n), 10)
		case slotReturn:
			out = appendEscaped(out, d.Return)
		case slotNonce:
			out = appendEscaped(out, d.Nonce)
		case slotShown:
			out = appendEscaped(out, d.Shown)
		case slotWidth:
			out = appendEscaped(out, d.Width)
		case slotHeight:
			out = appendEscaped(out, d.Height)
		default:
			return dst, fmt.Errorf("placeholder template: slot %d has no value", p.slot)
		}
	}
	return out, nil
}

// placeholder puts a placeholder before a neutralised frame of a vendor
// the visitor can allow on its own, when the banner is on (placeholders
// are worked by its script and style sheet) and the frame is shown.
func (p *page) placeholder(e *htmlrewrite.Element, match rules.Match) {
	v := match.Vendor
	if v == nil || !p.bannerDue || p.depth > 0 || e.Inert() || e.Foreign() || p.m.cfg.Mode != ModeNeutralize {
		return
	}
	width, height, shown := embedBox(e)
	if !shown {
		return
	}
	b := p.m.banner
	lang := b.language(p.r.Header.Get("Accept-Language"))
	bv, ok := p.m.offerVendor(v, lang, &p.st.consent)
	if !ok {
		return
	}
	p.placeholders++
	if p.placeholders == 1 {
		p.phReturn = returnPath(p.r.URL.RequestURI())
	}
	d := placeholderData{
		Lang:        lang,
		T:           b.texts[lang],
		Vendor:      bv,
		Endpoint:    b.endpoint,
		Declaration: b.declaration,
		Return:      p.phReturn,
		CSS:         b.css,
		Nonce:       p.nonce,
		Stylesheet:  p.placeholders == 1,
		Width:       width,
		Height:      height,
		Shown:       p.m.shownID(shownPlaceholder, lang, []string{bv.ID}),
		n:           p.placeholders,
	}
	origin := ""
	if p.baseSet {
		origin = pageOrigin(p.r, p.st)
		d.Endpoint, d.Declaration, d.CSS = origin+d.Endpoint, origin+d.Declaration, origin+d.CSS
	}
	if p.inForm {
		d.Form = "cg-ph-" + strconv.Itoa(d.n) + "-f"
		p.formsDue = append(p.formsDue, d.Form)
	}
	html, err := b.placeholderHTML(p.phBuf[:0], d, origin)
	if err != nil {
		p.m.log.Error("rendering a placeholder", "vendor", v.ID, "error", err)
		return
	}
	p.phBuf = html
	e.BeforeBytes(html)
}

// optInFrame handles a frame the site marked itself, as it marks its
// opt-in scripts: <iframe data-consent="marketing"
// data-consent-src="https://player.example/…">, optionally naming its
// vendor with data-consent-vendor="<id>" (else the vendor is the one its
// URL belongs to). It needs the categories it names and those the rules
// give its URL. Allowed, it gets its src back; refused, a placeholder for
// its vendor, when it has one the visitor can allow on its own.
func (p *page) optInFrame(e *htmlrewrite.Element) {
	if p.report || p.depth > 0 || e.HasAttr("src") || e.HasAttr("srcdoc") {
		return
	}
	src, ok := e.Attr("data-consent-src")
	if !ok {
		return
	}
	cats, ok := e.Attr("data-consent")
	if !ok {
		cats, _ = e.Attr("data-category")
	}
	need, ok := p.categorySet(cats)
	if !ok {
		return
	}
	match := rules.Match{Need: need}
	if u, ok := weburl.Parse(src, &p.base, &p.ubuf); ok {
		if m, ok := p.m.rs.MatchURLBytes(u.Host, u.PathQuery); ok {
			match.Vendor, match.Need = m.Vendor, need|m.Need
		}
	}
	if id, ok := e.Attr("data-consent-vendor"); ok {
		if v, ok := p.m.rs.VendorByID(string(id)); ok {
			match.Vendor = v
		}
	}
	if p.grant.allows(match) {
		e.RenameAttr("data-consent-src", "src")
		e.RemoveAttr("data-consent")
		return
	}
	if match.Need != need {
		// What the banner's script starts it by, once a choice allows it.
		e.SetAttr("data-consent", p.m.rs.Join(match.Need&^p.m.rs.NecessarySet(), " "))
	}
	if match.Vendor != nil && p.bannerDue {
		p.seeVendor(match.Vendor)
		p.placeholder(e, match)
	}
}

// appendFormsDue appends the forms of the placeholders that stand inside a
// form of the page's, for the end of the body.
func (p *page) appendFormsDue(dst []byte, origin string) []byte {
	for _, id := range p.formsDue {
		dst = append(dst, `<form id="`...)
		dst = appendEscaped(dst, id)
		dst = append(dst, `" method="post" action="`...)
		dst = appendEscaped(dst, origin+p.m.banner.endpoint)
		dst = append(dst, `" hidden></form>`...)
	}
	p.formsDue = p.formsDue[:0]
	return dst
}

// embedBox reports whether a frame is shown, and gives its width and
// height attributes as CSS lengths ("" when absent or not usable). A
// hidden or tiny frame, such as Google Tag Manager's noscript frame or a
// tracking pixel in a frame, gets no placeholder.
func embedBox(e *htmlrewrite.Element) (width, height string, shown bool) {
	if e.HasAttr("hidden") {
		return "", "", false
	}
	if v, ok := e.Attr("aria-hidden"); ok && bytes.EqualFold(bytes.TrimSpace(v), []byte("true")) {
		return "", "", false
	}
	if v, ok := e.Attr("style"); ok && hiddenByStyle(v) {
		return "", "", false
	}
	const tiny = 50 // px
	if v, ok := e.Attr("width"); ok {
		n, pct, ok := dimension(v)
		if ok && !pct && n < tiny {
			return "", "", false
		}
		if ok {
			width = cssLength(n, pct)
		}
	}
	if v, ok := e.Attr("height"); ok {
		n, pct, ok := dimension(v)
		if ok && !pct && n < tiny {
			return "", "", false
		}
		// A percentage of the placeholder's own height (zero) is no use.
		if ok && !pct {
			height = cssLength(n, false)
		}
	}
	return width, height, true
}

// hiddenByStyle reports whether a style attribute hides its element:
// display:none or visibility:hidden.
func hiddenByStyle(style []byte) bool {
	var buf [256]byte
	s := buf[:0]
	for _, c := range style {
		if !ascii.IsSpace(c) {
			s = append(s, c)
		}
	}
	s = bytes.ToLower(s)
	return bytes.Contains(s, []byte("display:none")) || bytes.Contains(s, []byte("visibility:hidden"))
}

// dimension reads a width or height attribute as a browser does (the
// HTML standard's rules for parsing dimension values): leading digits,
// an optional fraction, and '%' for a percentage. Values past a million
// are not used.
func dimension(v []byte) (n float64, pct, ok bool) {
	i := 0
	for i < len(v) && ascii.IsSpace(v[i]) {
		i++
	}
	start := i
	for i < len(v) && '0' <= v[i] && v[i] <= '9' {
		i++
	}
	if i == start || i-start > 6 {
		return 0, false, false
	}
	end := i
	if i < len(v) && v[i] == '.' {
		j := i + 1
		for j < len(v) && '0' <= v[j] && v[j] <= '9' && j-i <= 3 {
			j++
		}
		if j > i+1 {
			end = j
		}
		i = j
		for i < len(v) && '0' <= v[i] && v[i] <= '9' {
			i++
		}
	}
	n, err := strconv.ParseFloat(string(v[start:end]), 64)
	if err != nil {
		return 0, false, false
	}
	return n, i < len(v) && v[i] == '%', true
}

// cssLength writes a dimension as a CSS length.
func cssLength(n float64, pct bool) string {
	s := strconv.FormatFloat(n, 'f', -1, 64)
	if pct {
		return s + "%"
	}
	return s + "px"
}
