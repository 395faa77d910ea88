package htmlrewrite

import (
	"bytes"
	"html"

	"github.com/consentgate/consentgate/internal/ascii"
)

// attr is one attribute of a start tag, as offsets into the tag's bytes.
type attr struct {
	keyStart, keyEnd int // name, in the original bytes
	valStart, valEnd int // value including quotes; valStart == valEnd when absent
	key              []byte
	// edits
	newKey   string // non-empty: the name is replaced
	newVal   []byte // non-nil: the value is replaced (already serialised)
	removed  bool
	hasValue bool
}

// Element is a start tag the handler asked for. Its methods read the
// attributes (decoded as a browser reads them) and record edits that the
// rewriter applies when it writes the tag out. An Element is valid only
// during the handler call.
type Element struct {
	name      []byte
	raw       []byte // original bytes of the tag, "<" to ">"
	attrs     []attr
	selfClose bool
	id        uint8 // see ID
	foreign   bool
	inert     bool // inside <template> or <noscript>
	partial   bool // the tag was too long to hold: only its name is known

	inserted []byte // attributes added after the name
	before   []byte
	prepend  []byte
	remove   bool
	wantBody bool
	edited   bool

	scratch []byte
}

// Name returns the lower-case tag name.
func (e *Element) Name() []byte { return e.name }

// Foreign reports whether the element is in SVG or MathML content.
func (e *Element) Foreign() bool { return e.foreign }

// ID returns the position of the element's name in Settings.Elements,
// counting from 1, or 0 for a tag passed for another reason (a style
// attribute that may load).
func (e *Element) ID() int { return int(e.id) }

// Inert reports whether the element is inside a <template> or a
// <noscript>, where a script put before it would not run (a scripting
// browser reads noscript content as text).
func (e *Element) Inert() bool { return e.inert }

// Partial reports whether the tag was longer than the memory cap, so its
// attributes are unknown; only Name, Foreign, SetAttr (which then adds an
// attribute right after the name, where it wins over any later duplicate)
// and Remove work.
func (e *Element) Partial() bool { return e.partial }

// SelfClosing reports whether the tag ends in "/>".
func (e *Element) SelfClosing() bool { return e.selfClose }

// Raw returns the tag's original bytes.
func (e *Element) Raw() []byte { return e.raw }

// Attr returns the value of the first attribute called name (lower case)
// with character references decoded, as the browser reads it. The result
// is valid until the next call to an Element method.
func (e *Element) Attr(name string) ([]byte, bool) {
	for i := range e.attrs {
		a := &e.attrs[i]
		if string(a.key) == name {
			return e.value(a), true
		}
	}
	return nil, false
}

// HasAttr reports whether the element has an attribute called name.
func (e *Element) HasAttr(name string) bool {
	for i := range e.attrs {
		if string(e.attrs[i].key) == name {
			return true
		}
	}
	return false
}

// HasAttrPrefix reports whether the name of an attribute starts with
// prefix (lower case).
func (e *Element) HasAttrPrefix(prefix string) bool {
	for i := range e.attrs {
		if bytes.HasPrefix(e.attrs[i].key, []byte(prefix)) {
			return true
		}
	}
	return false
}

// EachAttr calls f with each attribute's lower-case name and decoded value,
// in order, first occurrences only, until f returns false.
func (e *Element) EachAttr(f func(name, value []byte) bool) {
	for i := range e.attrs {
		a := &e.attrs[i]
		dup := false
		for j := 0; j < i; j++ {
			if bytes.Equal(e.attrs[j].key, a.key) {
				dup = true
				break
			}
		}
		if !dup && !f(a.key, e.value(a)) {
			return
		}
	}
}

// value decodes an attribute value: quotes stripped, character references
// decoded.
func (e *Element) value(a *attr) []byte {
	if !a.hasValue {
		return nil
	}
	v := e.raw[a.valStart:a.valEnd]
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		v = v[1:]
		if len(v) > 0 && v[len(v)-1] == e.raw[a.valStart] {
			v = v[:len(v)-1]
		}
	}
	if bytes.IndexByte(v, '&') < 0 && bytes.IndexByte(v, 0) < 0 {
		return v
	}
	e.scratch = appendDecodedAttr(e.scratch[:0], v)
	return e.scratch
}

// decodeAttr decodes character references in an attribute value as the
// HTML standard does for attributes: a named reference that is not
// followed by ';' (a legacy one such as "&amp") stays literal when an
// alphanumeric or '=' follows it; NUL becomes U+FFFD.
func decodeAttr(v []byte) []byte { return appendDecodedAttr(nil, v) }

// appendDecodedAttr appends v decoded (see decodeAttr) to out.
func appendDecodedAttr(out, v []byte) []byte {
	for len(v) > 0 {
		amp := bytes.IndexAny(v, "&\x00")
		if amp < 0 {
			out = append(out, v...)
			break
		}
		out = append(out, v[:amp]...)
		v = v[amp:]
		if v[0] == 0 {
			out = append(out, "\uFFFD"...)
			v = v[1:]
			continue
		}
		if r, n := commonRef(v); n > 0 {
			out = append(out, r)
			v = v[n:]
			continue
		}
		if len(v) > 1 && v[1] == '#' {
			// Numeric: html.UnescapeString follows the standard.
			end := 2
			if end < len(v) && (v[end] == 'x' || v[end] == 'X') {
				end++
			}
			for end < len(v) && ascii.IsHex(v[end]) {
				end++
			}
			if end < len(v) && v[end] == ';' {
				end++
			}
			out = append(out, html.UnescapeString(string(v[:end]))...)
			v = v[end:]
			continue
		}
		run := 1
		for run < len(v) && (isASCIIAlpha(v[run]) || '0' <= v[run] && v[run] <= '9') {
			run++
		}
		if run < len(v) && v[run] == ';' {
			whole := string(v[:run+1])
			if dec := html.UnescapeString(whole); dec != whole && decodedPrefix(whole) == len(whole) {
				out = append(out, dec...)
				v = v[run+1:]
				continue
			}
		}
		// Without ';' only a legacy reference decodes, and only when it
		// takes the whole run and no '=' follows.
		if run < len(v) && v[run] == '=' || run-1 > maxLegacyRef || decodedPrefix(string(v[:run])) != run {
			out = append(out, v[:run]...) // not a reference here: literal
		} else {
			out = append(out, html.UnescapeString(string(v[:run]))...)
		}
		v = v[run:]
	}
	return out
}

// commonRef decodes the references URLs and text use most, "&amp;",
// "&quot;", "&lt;" and "&gt;", at the start of v.
func commonRef(v []byte) (byte, int) {
	switch {
	case bytes.HasPrefix(v, []byte("&amp;")):
		return '&', 5
	case bytes.HasPrefix(v, []byte("&quot;")):
		return '"', 6
	case bytes.HasPrefix(v, []byte("&lt;")):
		return '<', 4
	case bytes.HasPrefix(v, []byte("&gt;")):
		return '>', 4
	}
	return 0, 0
}

// maxLegacyRef is the length of the longest name a character reference
// may have without ';': the legacy ones are HTML 4's Latin-1 names
// ("frac12", "middot"), six letters at most.
const maxLegacyRef = 6

// decodedPrefix returns the length of the longest prefix of ref
// ("&name…") that html.UnescapeString decodes entirely as one reference,
// or 0.
func decodedPrefix(ref string) int {
	for i := len(ref); i > 1; i-- {
		d := html.UnescapeString(ref[:i])
		if d == ref[:i] {
			continue
		}
		// Decoded, but was the last byte consumed by the reference, or
		// left over after a shorter one?
		if d != html.UnescapeString(ref[:i-1])+ref[i-1:i] {
			return i
		}
	}
	return 0
}

// SetAttr sets the first attribute called name to value (escaped as
// needed), or adds it right after the tag name.
func (e *Element) SetAttr(name, value string) {
	e.edited = true
	for i := range e.attrs {
		a := &e.attrs[i]
		if string(a.key) == name && !a.removed && a.newKey == "" {
			a.newVal = quoteAttr(value)
			a.hasValue = true
			return
		}
	}
	e.inserted = append(e.inserted, ' ')
	e.inserted = append(e.inserted, name...)
	e.inserted = append(e.inserted, '=')
	e.inserted = append(e.inserted, quoteAttr(value)...)
}

// RenameAttr renames every attribute called from to to, keeping its value
// byte for byte. Every occurrence goes, since a browser would fall back on
// a later duplicate.
func (e *Element) RenameAttr(from, to string) bool {
	found := false
	for i := range e.attrs {
		a := &e.attrs[i]
		if string(a.key) == from && !a.removed {
			a.newKey = to
			found = true
		}
	}
	if found {
		e.edited = true
	}
	return found
}

// RemoveAttr removes every attribute called name.
func (e *Element) RemoveAttr(name string) bool {
	found := false
	for i := range e.attrs {
		a := &e.attrs[i]
		if string(a.key) == name {
			a.removed = true
			found = true
		}
	}
	if found {
		e.edited = true
	}
	return found
}

// Before inserts HTML before the element.
func (e *Element) Before(html string) { e.before = append(e.before, html...) }

// Prepend inserts HTML right after the start tag.
func (e *Element) Prepend(html string) { e.prepend = append(e.prepend, html...) }

// BeforeBytes is Before for bytes, which it copies.
func (e *Element) BeforeBytes(html []byte) { e.before = append(e.before, html...) }

// PrependBytes is Prepend for bytes, which it copies.
func (e *Element) PrependBytes(html []byte) { e.prepend = append(e.prepend, html...) }

// Remove deletes the start tag, and for a raw-text element (script, style,
// iframe, …) its content and end tag too. Children of other elements stay.
func (e *Element) Remove() { e.remove = true }

// WantContent asks for the element's text (raw-text elements only): the
// rewriter holds the element back until its end tag and calls
// Handler.Content before writing it.
func (e *Element) WantContent() { e.wantBody = true }

// reset prepares e for a new tag.
func (e *Element) reset() {
	e.attrs = e.attrs[:0]
	e.inserted = e.inserted[:0]
	e.before = e.before[:0]
	e.prepend = e.prepend[:0]
	e.remove, e.wantBody, e.edited, e.partial, e.selfClose, e.foreign, e.inert = false, false, false, false, false, false, false
	e.raw = nil
	e.name = e.name[:0]
}

// appendTag serialises the start tag with its edits.
func (e *Element) appendTag(dst []byte) []byte {
	if !e.edited && len(e.inserted) == 0 {
		return append(dst, e.raw...)
	}
	nameEnd := 1 + len(e.name)
	dst = append(dst, e.raw[:nameEnd]...)
	dst = append(dst, e.inserted...)
	at := nameEnd
	for i := range e.attrs {
		a := &e.attrs[i]
		if !a.removed && a.newKey == "" && a.newVal == nil {
			continue
		}
		end := a.keyEnd
		if a.hasValue || a.valEnd > a.valStart {
			end = a.valEnd
		}
		if a.removed {
			// Drop the attribute with the whitespace before it.
			gap := e.raw[at:a.keyStart]
			for len(gap) > 0 && ascii.IsSpace(gap[len(gap)-1]) {
				gap = gap[:len(gap)-1]
			}
			dst = append(dst, gap...)
			at = end
			continue
		}
		dst = append(dst, e.raw[at:a.keyStart]...)
		if a.newKey != "" {
			dst = append(dst, a.newKey...)
		} else {
			dst = append(dst, e.raw[a.keyStart:a.keyEnd]...)
		}
		if a.newVal != nil {
			dst = append(dst, '=')
			dst = append(dst, a.newVal...)
			at = end
		} else {
			at = a.keyEnd
		}
	}
	return append(dst, e.raw[at:]...)
}

// quoteAttr returns value double-quoted with '&' and '"' escaped.
func quoteAttr(value string) []byte {
	out := make([]byte, 0, len(value)+2)
	out = append(out, '"')
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '&':
			out = append(out, "&amp;"...)
		case '"':
			out = append(out, "&quot;"...)
		default:
			out = append(out, c)
		}
	}
	return append(out, '"')
}

// EndTag is an end tag the handler asked for.
type EndTag struct {
	name   []byte
	before []byte
}

// Name returns the lower-case tag name.
func (t *EndTag) Name() []byte { return t.name }

// Before inserts HTML before the end tag.
func (t *EndTag) Before(html string) { t.before = append(t.before, html...) }

// BeforeBytes is Before for a byte slice.
func (t *EndTag) BeforeBytes(html []byte) { t.before = append(t.before, html...) }

// DocumentEnd is the end of the input.
type DocumentEnd struct {
	appended []byte
}

// Append adds HTML at the end of the document.
func (d *DocumentEnd) Append(html string) { d.appended = append(d.appended, html...) }

// AppendBytes is Append for a byte slice.
func (d *DocumentEnd) AppendBytes(html []byte) { d.appended = append(d.appended, html...) }
