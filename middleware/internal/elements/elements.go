// Package elements is the one table of which elements load which
// attributes. Everything that needs to know it is derived from Table: the
// HTML rewriter's settings and the page handler's judgement, what mode
// remove keeps, what a tag too long to judge is made inert with, the
// banner script's list of attributes to restore, and the run-time guard's
// element table.
package elements

import "sort"

// Kind says how an attribute's value names what it loads.
type Kind uint8

const (
	// URL is one URL (src, href, data, poster, background).
	URL Kind = iota + 1
	// Srcset is a list of image candidates: URLs with descriptors,
	// separated by commas (srcset, imagesrcset).
	Srcset
	// List is URLs separated by spaces (ping, attributionsrc).
	List
)

func (k Kind) String() string {
	switch k {
	case URL:
		return "url"
	case Srcset:
		return "srcset"
	case List:
		return "list"
	}
	return "?"
}

// Attr is one attribute through which an element loads something.
type Attr struct {
	// Name is the attribute's lower-case name.
	Name string
	// Kind is how its value names URLs.
	Kind Kind
	// Prop is the DOM property that reflects the attribute, or "" when
	// only setAttribute sets it.
	Prop string
	// Aside marks an attribute judged on its own: a tracker there is set
	// aside while the element itself stays live (a link keeps working
	// without its ping).
	Aside bool
	// Lazy marks where a lazy-loading script keeps the URL it later moves
	// into the real attribute (data-src of lazysizes and of WordPress
	// plugins, data-original of jQuery lazyload).
	Lazy bool
	// Held is the name the attribute is kept under while consent is
	// missing: Held(Name).
	Held string
}

// Condition is what must hold, besides the attribute, for an element to
// load.
type Condition uint8

const (
	// Always: the attribute alone loads.
	Always Condition = iota
	// RelLoads: a <link> loads only with a rel among Rels.
	RelLoads
	// TypeImage: an <input> loads only with type=image.
	TypeImage
)

// Space is the namespace an element is judged in.
type Space uint8

const (
	// HTML elements, and the names HTML content gives SVG's (the HTML
	// parser reads <image> as <img>).
	HTML Space = iota
	// SVG elements, inside <svg>.
	SVG
)

func (s Space) String() string {
	if s == SVG {
		return "svg"
	}
	return "html"
}

// Inert is an attribute value that loads nothing.
type Inert struct{ Name, Value string }

// Element is one element and how it loads.
type Element struct {
	// Name is the element's lower-case tag name.
	Name  string
	Space Space
	Attrs []Attr
	When  Condition
	// Rare marks elements that mostly load nothing (a link without ping,
	// a table cell without background): an HTML rewriter need look only
	// at those that carry one of their loading attributes.
	Rare bool
	// KeepOnRemove marks elements whose content belongs to the page (a
	// video's fallback, a table's cells): mode remove drops their loading
	// attributes, not the element.
	KeepOnRemove bool
	// Inert are the attributes that make the element load nothing, put
	// first in a tag too long to judge, where they win over anything
	// later in it.
	Inert []Inert
}

// Attributes shared by several elements.
var (
	src         = Attr{Name: "src", Kind: URL, Prop: "src"}
	srcset      = Attr{Name: "srcset", Kind: Srcset, Prop: "srcset"}
	href        = Attr{Name: "href", Kind: URL, Prop: "href"}
	xlinkHref   = Attr{Name: "xlink:href", Kind: URL}
	background  = Attr{Name: "background", Kind: URL}
	ping        = Attr{Name: "ping", Kind: List, Prop: "ping", Aside: true}
	attribution = Attr{Name: "attributionsrc", Kind: List, Prop: "attributionSrc", Aside: true}
	dataSrc     = Attr{Name: "data-src", Kind: URL, Lazy: true}
	lazySrc     = Attr{Name: "data-lazy-src", Kind: URL, Lazy: true}

	noSrc    = []Inert{{"src", "data:,"}}
	noHref   = []Inert{{"href", "data:,"}, {"xlink:href", "data:,"}}
	noImages = []Inert{{"src", "data:,"}, {"srcset", "data:,"}}
)

// backgroundTags are the elements whose background attribute loads an
// image.
var backgroundTags = []string{"body", "table", "thead", "tbody", "tfoot", "tr", "td", "th"}

// Table lists every element that loads through its attributes. Elements
// with content of their own to judge are the page handler's too:
// <script> (inline text), <style> (its sheet), <iframe srcdoc> (a
// document), <base href> (it moves every relative URL).
var Table = func() []Element {
	t := []Element{
		{Name: "script", Attrs: []Attr{src, attribution}, Inert: []Inert{{"type", "text/plain"}}},
		{Name: "img", Attrs: []Attr{src, dataSrc, lazySrc, {Name: "data-original", Kind: URL, Lazy: true},
			srcset, {Name: "data-srcset", Kind: Srcset, Lazy: true}, {Name: "data-lazy-srcset", Kind: Srcset, Lazy: true}, attribution},
			Inert: noImages},
		// The HTML parser reads <image> as <img>; its href forms are
		// judged too, as written.
		{Name: "image", Attrs: []Attr{src, srcset, {Name: "href", Kind: URL}, xlinkHref}, Inert: noImages},
		{Name: "iframe", Attrs: []Attr{src, dataSrc, lazySrc}, Inert: []Inert{{"srcdoc", ""}}},
		{Name: "frame", Attrs: []Attr{src}, Inert: noSrc},
		{Name: "link", Attrs: []Attr{href, {Name: "imagesrcset", Kind: Srcset, Prop: "imageSrcset"}}, When: RelLoads,
			Inert: []Inert{{"href", "data:,"}, {"imagesrcset", "data:,"}}},
		{Name: "a", Attrs: []Attr{ping, attribution}, Rare: true, Inert: []Inert{{"ping", ""}}},
		{Name: "area", Attrs: []Attr{ping, attribution}, Rare: true, Inert: []Inert{{"ping", ""}}},
		{Name: "source", Attrs: []Attr{src, srcset}, Inert: noImages},
		{Name: "video", Attrs: []Attr{src, {Name: "poster", Kind: URL, Prop: "poster"}}, KeepOnRemove: true,
			Inert: []Inert{{"src", "data:,"}, {"poster", "data:,"}}},
		{Name: "audio", Attrs: []Attr{src}, KeepOnRemove: true, Inert: noSrc},
		{Name: "track", Attrs: []Attr{src}, Inert: noSrc},
		{Name: "embed", Attrs: []Attr{src}, Inert: noSrc},
		{Name: "object", Attrs: []Attr{{Name: "data", Kind: URL, Prop: "data"}}, KeepOnRemove: true, Inert: []Inert{{"data", "data:,"}}},
		{Name: "input", Attrs: []Attr{src}, When: TypeImage, Rare: true, Inert: noSrc},
		{Name: "use", Attrs: []Attr{{Name: "href", Kind: URL}, xlinkHref}},
		{Name: "feimage", Attrs: []Attr{{Name: "href", Kind: URL}, xlinkHref}},

		{Name: "script", Space: SVG, Attrs: []Attr{{Name: "href", Kind: URL}, xlinkHref}, Inert: []Inert{{"type", "text/plain"}}},
		{Name: "image", Space: SVG, Attrs: []Attr{{Name: "href", Kind: URL}, xlinkHref}, Inert: noHref},
		{Name: "use", Space: SVG, Attrs: []Attr{{Name: "href", Kind: URL}, xlinkHref}, Inert: noHref},
		{Name: "feimage", Space: SVG, Attrs: []Attr{{Name: "href", Kind: URL}, xlinkHref}, Inert: noHref},
	}
	for _, name := range backgroundTags {
		// <body background> is reflected as body.background; the table
		// elements' attribute has no property.
		bg := background
		if name == "body" {
			bg.Prop = "background"
		}
		t = append(t, Element{Name: name, Attrs: []Attr{bg}, Rare: true, KeepOnRemove: true, Inert: []Inert{{"background", "data:,"}}})
	}
	for i := range t {
		for j := range t[i].Attrs { // each element's list is its own array
			t[i].Attrs[j].Held = Held(t[i].Attrs[j].Name)
		}
	}
	return t
}()

// Rels are the link relations that make a browser fetch or connect to the
// target, in markup and in Link headers.
var Rels = []string{
	"stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch", "prerender", "next",
	"icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon", "manifest",
}

// StyleAttr is the attribute of any element whose CSS may load images.
const StyleAttr = "style"

// HeldPrefix starts the name an attribute is kept under while consent is
// missing: src becomes data-consent-src.
const HeldPrefix = "data-consent-"

// Held returns the name attribute a is kept under while consent is
// missing.
func Held(a string) string { return HeldPrefix + a }

// Lookup returns the element called name in space, or nil.
func Lookup(space Space, name string) *Element {
	if space == SVG {
		return svg[name]
	}
	return html[name]
}

var html, svg = func() (h, s map[string]*Element) {
	h, s = map[string]*Element{}, map[string]*Element{}
	for i := range Table {
		e := &Table[i]
		if e.Space == SVG {
			s[e.Name] = e
		} else {
			h[e.Name] = e
		}
	}
	return h, s
}()

// Names returns the names of the HTML-space elements, sorted.
func Names() []string {
	var out []string
	for i := range Table {
		if Table[i].Space == HTML {
			out = append(out, Table[i].Name)
		}
	}
	sort.Strings(out)
	return out
}

// Restored lists every attribute the neutraliser may set aside, sorted:
// what the banner script moves back on consent. The style attribute is
// among them.
func Restored() []string {
	seen := map[string]bool{StyleAttr: true}
	for i := range Table {
		for _, a := range Table[i].Attrs {
			seen[a.Name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
