// Package htmlrewrite is a streaming HTML rewriter in the manner of
// Cloudflare's lol-html: feed it chunks, it calls a handler for the start
// tags it was asked about, applies the handler's edits and writes
// everything else through byte for byte, holding back only what is still
// undecided, under a hard memory cap.
//
// It finds tags with a fast scan and lexes fully (with
// github.com/tdewolff/parse/v2) only the start tags the handler wants. To
// know where a script, comment or raw-text element ends it follows the
// HTML standard's tokenizer, including the script data escape states, and
// it follows the tree builder as far as tokenizing depends on it: foreign
// (SVG and MathML) content, integration points, breakout tags. <noscript>
// content is read as markup (what a browser without scripting loads),
// ended where a browser with scripting ends it.
package htmlrewrite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/consentgate/consentgate/internal/ascii"
)

// Handler receives the parts of a document a Rewriter was asked about.
type Handler interface {
	// Element is called for each start tag named in Settings.Elements, with
	// its attributes. Partial elements (see Element.Partial) come here too.
	Element(e *Element) error
	// Content is called with the text of a raw-text element whose Element
	// call asked for it (WantContent), before anything of the element is
	// written. overflow reports that the text outgrew the memory cap: text
	// is then only its beginning, and the rest will stream through
	// unjudged after the handler's edits are written.
	Content(e *Element, text []byte, overflow bool) error
	// EndTag is called for each end tag named in Settings.EndTags.
	EndTag(t *EndTag) error
	// End is called once at the end of the document.
	End(d *DocumentEnd) error
}

// Settings configures a Rewriter.
type Settings struct {
	// Elements lists the lower-case names of the start tags passed to
	// Handler.Element.
	Elements []string
	// EndTags lists the lower-case names of the end tags passed to
	// Handler.EndTag.
	EndTags []string
	// Hints narrows Elements: a start tag named here goes to the handler
	// only when it has an attribute with a value that the hint names
	// (lower case; two at most, separated by a space), so that common tags the
	// handler rarely needs, such as <a> for its ping attribute, pass
	// through without lexing.
	Hints map[string]string
	// StyleURLs also passes to Handler.Element start tags of any name
	// whose style attribute calls a CSS function (url(), image-set()…),
	// which may load something. Tags longer than MaxBuffer are not seen
	// for it.
	StyleURLs bool
	// MaxBuffer caps the bytes held back while a tag or a wanted element's
	// content is undecided. Default: 256 KiB.
	MaxBuffer int
}

// Compiled is the prepared form of Settings, shared by many Rewriters.
type Compiled struct {
	tags  *tagSet
	max   int
	style bool // StyleURLs
	all   bool // tests: every start tag is wanted
}

// Compile prepares settings for use by many rewriters. It fails for a
// tag name the rewriter cannot look for (upper case, longer than 16
// bytes) or a hint that is not one or two attribute names.
func Compile(s Settings) (*Compiled, error) {
	tags, err := newTagSet(s.Elements, s.EndTags, s.Hints)
	if err != nil {
		return nil, err
	}
	c := &Compiled{tags: tags, max: s.MaxBuffer, style: s.StyleURLs}
	if c.max <= 0 {
		c.max = 256 << 10
	}
	return c, nil
}

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("htmlrewrite: write after close")

// mode is what the scanner is in the middle of.
type mode uint8

const (
	modeData      mode = iota // text and markup
	modeTag                   // inside a tag that is passed through unlexed
	modeComment               // inside <!-- -->
	modeBogus                 // bogus comment or doctype, until '>'
	modeCDATA                 // CDATA section in foreign content, until "]]>"
	modeRaw                   // RAWTEXT or RCDATA, until the matching end tag
	modeScript                // script data, until </script outside double escaping
	modePlaintext             // everything is text
)

// attrState is where the unlexed-tag scanner is, in the standard's terms.
type attrState uint8

const (
	asName attrState = iota // tag name
	asBeforeAttr
	asAttrName
	asAfterAttrName
	asBeforeValue
	asUnquoted
	asAfterQuoted
	asSelfClosing
	// The states from here on leave the byte loop of skipTag.
	asDQ
	asSQ
	asClosed     // pseudo-state: the tag closed
	asClosedSelf // pseudo-state: the tag closed with "/>"
)

// asLoop is the number of states the byte loop handles.
const asLoop = asDQ

// scriptState is the script data sub-state.
type scriptState uint8

const (
	ssData scriptState = iota
	ssEscaped
	ssEscapedDash
	ssEscapedDashDash
	ssDoubleEscaped
	ssDoubleEscapedDash
	ssDoubleEscapedDashDash
)

// frame is an open element of foreign content.
type frame struct {
	name  [maxTagName]byte
	n     uint8
	point bool // HTML or text integration point: its content is HTML
	svg   bool // in the SVG namespace (else MathML)
}

const maxForeignDepth = 512

// Rewriter rewrites one HTML document. It is not safe for concurrent use.
type Rewriter struct {
	out io.Writer
	h   Handler
	c   *Compiled

	buf   []byte // unprocessed input: the carried tail, or the caller's chunk
	carry []byte // owned storage for buf between writes
	pos   int    // next byte to scan
	emit  int    // next byte to write out
	drop  bool   // bytes up to pos are discarded instead of written
	ob    []byte // output waiting to be written
	err   error  // sticky
	done  bool

	mode mode
	// unlexed tag
	as       attrState
	tagFlags tagFlags
	tagEnd   bool // an end tag
	tagName  [maxTagName]byte
	tagNameN int
	tagLong  bool // name longer than maxTagName
	tagSelf  bool
	// raw text
	rawName  []byte
	script   scriptState
	noscript bool // inside <noscript> (HTML content)

	// held element with wanted content
	held      bool
	heldStart int // offset in buf of the held start tag
	heldTag   int // length of the held start tag
	// a removed raw-text element: its content is dropped, and its end tag
	// (named dropName) with it
	dropEnd  bool
	dropName []byte

	stack    []frame
	template int

	el     Element
	end    EndTag
	docEnd DocumentEnd
	lexer  tagLexer

	// trace, when set (by tests), is told where each token ends: kind is
	// 'S' start tag, 'E' end tag, 'C' comment, 'B' bogus comment or
	// doctype; start and end are absolute offsets of the token's bytes.
	trace    func(kind byte, start, end int64)
	abs      int64 // absolute offset of buf[0]
	noTree   bool  // tests: tokenize only, without following the tree builder
	tokStart int   // start of the token being scanned, relative to buf
}

func (r *Rewriter) traceTok(kind byte, start, end int) {
	if r.trace != nil {
		r.trace(kind, r.abs+int64(start), r.abs+int64(end))
	}
}

// New returns a Rewriter that writes the rewritten document to out.
func New(out io.Writer, c *Compiled, h Handler) *Rewriter {
	r := &Rewriter{}
	r.Reset(out, c, h)
	return r
}

// Reset makes r ready for a new document, keeping its buffers.
func (r *Rewriter) Reset(out io.Writer, c *Compiled, h Handler) {
	r.out, r.c, r.h = out, c, h
	r.buf, r.carry = nil, r.carry[:0]
	r.pos, r.emit, r.drop, r.ob, r.err, r.done = 0, 0, false, r.ob[:0], nil, false
	r.mode, r.noscript, r.held, r.stack, r.template = modeData, false, false, r.stack[:0], 0
	r.script, r.dropEnd = ssData, false
}

// Write feeds the next chunk of the document.
func (r *Rewriter) Write(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.done {
		return 0, ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(r.buf) == 0 {
		r.buf = p // scan the caller's bytes in place; the tail is copied out
	} else {
		r.carry = append(r.carry, p...)
		r.buf = r.carry
	}
	if err := r.run(false); err != nil {
		r.err = err
		return 0, err
	}
	return len(p), nil
}

// Flush writes out everything that is decided and flushes out if it has a
// Flush method (Flush() error, or Flush()).
func (r *Rewriter) Flush() error {
	if r.err != nil {
		return r.err
	}
	if err := r.writeOut(); err != nil {
		r.err = err
		return err
	}
	switch f := r.out.(type) {
	case interface{ Flush() error }:
		return f.Flush()
	case interface{ Flush() }:
		f.Flush()
	}
	return nil
}

// Close ends the document: what is still held is decided as a browser
// reaching the end of input would, the handler's End is called, and
// everything is written out.
func (r *Rewriter) Close() error {
	if r.err != nil {
		return r.err
	}
	if r.done {
		return nil
	}
	r.done = true
	if err := r.run(true); err != nil {
		r.err = err
		return err
	}
	d := &r.docEnd
	d.appended = d.appended[:0]
	if err := r.h.End(d); err != nil {
		r.err = err
		return err
	}
	r.ob = append(r.ob, d.appended...)
	if err := r.writeOut(); err != nil {
		r.err = err
		return err
	}
	return nil
}

// run scans as far as the input allows, writes out what is decided and
// keeps the rest.
func (r *Rewriter) run(final bool) error {
	for r.pos < len(r.buf) {
		var more bool
		var err error
		switch r.mode {
		case modeData:
			more, err = r.data(final)
		case modeTag:
			more = r.skipTag(final)
		case modeComment:
			more = r.comment(final)
		case modeBogus:
			more = r.until(final, ">")
		case modeCDATA:
			more = r.until(final, "]]>")
		case modeRaw:
			more, err = r.rawText(final)
		case modeScript:
			more, err = r.scriptData(final)
		case modePlaintext:
			r.pos = len(r.buf)
		}
		if err != nil {
			return err
		}
		if more {
			break
		}
	}
	if final && r.held {
		if err := r.releaseHeld(len(r.buf), false); err != nil {
			return err
		}
	}
	if final {
		switch r.mode {
		case modeComment:
			r.traceTok('C', r.tokStart, len(r.buf))
		case modeBogus:
			r.traceTok('B', r.tokStart, len(r.buf))
		}
		r.pos = len(r.buf) // an unfinished construct at the end: the browser drops or ends it
	}
	if err := r.checkCap(final); err != nil {
		return err
	}
	r.passTo(r.safe())
	r.compact()
	if !final && len(r.ob) < coalesce {
		return nil // Flush and Close write out the rest
	}
	return r.writeOut()
}

// coalesce is how much output is gathered before it is written, so that a
// body read in small pieces does not become as many small writes (and
// system calls). Flush writes everything decided at once.
const coalesce = 64 << 10

// safe is the offset up to which the output is decided.
func (r *Rewriter) safe() int {
	if r.held {
		return r.heldStart
	}
	return r.pos
}

// passTo writes buf[emit:to] through (or drops it).
func (r *Rewriter) passTo(to int) {
	if to <= r.emit {
		return
	}
	if !r.drop {
		r.ob = append(r.ob, r.buf[r.emit:to]...)
	}
	r.emit = to
}

// compact moves the unwritten tail into owned storage.
func (r *Rewriter) compact() {
	keep := r.emit
	r.tokStart -= keep
	if keep >= len(r.buf) {
		r.abs += int64(len(r.buf))
		r.buf = nil
		r.carry = r.carry[:0]
		r.pos, r.emit = 0, 0
		if r.held {
			r.heldStart = 0
		}
		return
	}
	if keep == 0 && len(r.carry) > 0 && &r.buf[0] == &r.carry[0] {
		return
	}
	tail := r.buf[keep:]
	if len(r.carry) > 0 && &r.buf[0] == &r.carry[0] {
		n := copy(r.carry, tail)
		r.carry = r.carry[:n]
	} else {
		r.carry = append(r.carry[:0], tail...)
	}
	r.buf = r.carry
	r.abs += int64(keep)
	r.pos -= keep
	r.emit = 0
	if r.held {
		r.heldStart -= keep
	}
}

// writeOut writes the output buffer.
func (r *Rewriter) writeOut() error {
	if len(r.ob) == 0 {
		return nil
	}
	_, err := r.out.Write(r.ob)
	r.ob = r.ob[:0]
	return err
}

// ErrBufferLimit reports an undecided construct larger than MaxBuffer; it
// is handled by the overflow policy and never returned to callers.
var ErrBufferLimit = errors.New("htmlrewrite: undecided markup exceeds the memory cap")

// checkCap enforces the memory cap on what is held back.
func (r *Rewriter) checkCap(final bool) error {
	if final {
		return nil
	}
	start := r.safe()
	if len(r.buf)-start <= r.c.max {
		return nil
	}
	if r.held {
		// A wanted element's content outgrew the cap: decide on what is
		// there and stream the rest.
		return r.releaseHeld(r.pos, true)
	}
	if r.mode == modeData && r.pos < len(r.buf) && r.buf[r.pos] == '<' {
		return r.overflowTag()
	}
	return nil
}

// overflowTag handles a tag whose start alone is longer than the cap. An
// end tag or an unwanted start tag streams through unlexed. For a wanted
// start tag the handler sees a partial element (its name only) and may add
// attributes right after the name, where they win over any later
// duplicate, or remove it; the rest of the tag then streams through
// unlexed.
func (r *Rewriter) overflowTag() error {
	p := r.buf[r.pos:]
	if len(p) < 2 || p[1] == '/' {
		r.startTagScan(nil, 0, true, min(2, len(p)))
		return nil
	}
	n, _ := readName(p, 1)
	name := p[1:n]
	var lname [maxTagName]byte
	key := lname[:0]
	if len(name) <= maxTagName {
		key = ascii.AppendLower(key, name)
	}
	flags := r.c.tags.lookup(key)
	if len(key) == 0 || !r.c.all && flags&flagWanted == 0 {
		r.startTagScan(key, flags, false, n)
		return nil
	}
	e := &r.el
	e.reset()
	e.partial = true
	e.id = uint8(flags >> idShift)
	e.foreign = r.inForeign()
	e.inert = r.noscript || r.template > 0
	e.name = append(e.name, key...)
	if err := r.h.Element(e); err != nil {
		return err
	}
	r.passTo(r.pos)
	r.ob = append(r.ob, e.before...)
	r.emit = r.pos + n
	if e.remove {
		r.drop = true
	} else {
		r.ob = append(r.ob, p[:n]...)
		r.ob = append(r.ob, e.inserted...)
	}
	r.startTagScan(key, flags, false, n)
	if e.remove {
		r.tagFlags |= flagDropOnClose
	}
	return nil
}

// flagDropOnClose marks an unlexed tag being removed: dropping ends with it.
const flagDropOnClose tagFlags = 1 << 31

// inForeign reports whether the current node is a foreign element whose
// content is not HTML.
func (r *Rewriter) inForeign() bool {
	return len(r.stack) > 0 && !r.stack[len(r.stack)-1].point
}

// data scans text and the markup that follows it.
func (r *Rewriter) data(final bool) (bool, error) {
	b := r.buf
	// Only a tag that is not plain changes the context, and it ends the
	// loop.
	plain := r.plain()
	for {
		i := bytes.IndexByte(b[r.pos:], '<')
		if i < 0 {
			r.pos = len(b)
			return false, nil
		}
		r.pos += i
		if r.pos+1 >= len(b) {
			if final {
				r.pos = len(b)
				return false, nil
			}
			return true, nil
		}
		c := b[r.pos+1]
		if plain {
			// The common case, kept in this loop: a tag that neither the
			// handler nor the tokenizer cares about, complete in the
			// buffer.
			start := 1
			if c == '/' {
				start = 2
			}
			if start < len(b)-r.pos && isASCIIAlpha(b[r.pos+start]) {
				if end, ok := r.plainTag(b, r.pos, start); ok {
					r.pos = end
					continue
				}
			}
		}
		switch {
		case isASCIIAlpha(c):
			return r.startTag(final)
		case c == '/':
			return r.endTag(final)
		case c == '!':
			return r.markupDecl(final)
		case c == '?':
			r.tokStart = r.pos
			r.pos += 2
			r.mode = modeBogus
			return false, nil
		default:
			r.pos++
		}
	}
}

// plain reports whether the context lets ordinary tags pass without any
// bookkeeping: HTML content, not inside <noscript>, not dropping, not
// tracing.
func (r *Rewriter) plain() bool {
	return len(r.stack) == 0 && !r.noscript && !r.drop && !r.dropEnd && r.trace == nil && !r.c.all
}

// plainTag reads the tag at b[at:] (its name starts at b[at+start]) and, if
// its name has no flags at all and the whole tag is in b, returns the
// offset after it.
func (r *Rewriter) plainTag(b []byte, at, start int) (int, bool) {
	// The lower-cased name goes into a zero-padded key, read back as the
	// two words of a tagKey.
	var key [maxTagName]byte
	n := 0
	i := at + start
	for ; i < len(b); i++ {
		l := nameByte[b[i]]
		if l == 0 {
			break
		}
		if n == maxTagName {
			return 0, false
		}
		key[n] = l
		n++
	}
	if i >= len(b) || n == 0 || b[i] == 0 {
		return 0, false // a NUL in a name is left to startTag
	}
	w0, w1 := binary.LittleEndian.Uint64(key[0:8]), binary.LittleEndian.Uint64(key[8:16])
	mask := plainStartMask
	if start == 2 {
		mask = plainEndMask
	}
	flags, h := r.c.tags.getWords(w0, w1, n)
	switch flags & mask {
	case 0:
		h = nil
		if b[i] == '>' {
			return i + 1, true // "<div>", "</div>": the most common tags
		}
	case flagWanted | flagHinted:
		// Wanted only with an attribute (<a ping>): passed on here unless
		// it has it.
	default:
		return 0, false
	}
	if end, found, ok := quickTagEnd(b, i, h, r.c.style); ok {
		return end, !found
	}
	end, as, found := scanTagAttr(b, i, h)
	if found || as != asClosed && as != asClosedSelf || r.c.style && styleMayLoad(b[at:end]) {
		return 0, false
	}
	return end, true
}

// styleMayLoad reports whether the bytes of a tag may hold a style
// attribute that loads something: "style" and a '(' (or a '&', which may
// write one as "&lpar;") both occur in them. It over-approximates; the
// handler decides.
func styleMayLoad(tag []byte) bool {
	if !mayCallCSS(tag) {
		return false
	}
	for i := 0; i+5 <= len(tag); i++ {
		if lower(tag[i]) == 's' && attrNameAt(tag, i, "style") {
			return true
		}
	}
	return false
}

// mayCallCSS reports whether an attribute value, as written, may call a
// CSS function once its character references are decoded.
func mayCallCSS(v []byte) bool {
	return bytes.IndexByte(v, '(') >= 0 || bytes.IndexByte(v, '&') >= 0
}

// quickTagEnd finds the end of the tag whose name ends at b[i] without
// reading every byte through the tag states: a '>' closes the tag unless
// it is inside a quoted value, and a value can only follow '=', so the
// scan looks for '=' and '>' eight bytes at a time and jumps over quoted
// values with IndexByte. It also reports whether an attribute that the
// hint h names (none for nil) carries a value, or, with style, whether a
// style attribute's value may call a CSS function (mayCallCSS). ok is
// false when the tag takes a turn this shortcut does not follow (an '='
// that begins an attribute name) or b ends inside the tag; scanTagAttr
// then reads it byte by byte.
func quickTagEnd(b []byte, i int, h *hint, style bool) (end int, found, ok bool) {
	from := i // where the current attribute names begin
	for {
		i = indexEqGt(b, i)
		if i < 0 {
			return 0, false, false
		}
		if b[i] == '>' {
			return i + 1, found, true
		}
		// '=': a value separator only right after a name.
		n := i
		for n > from && ascii.IsSpace(b[n-1]) {
			n--
		}
		last := b[n-1]
		if n == from || last == '/' || last == '"' || last == '\'' {
			return 0, false, false
		}
		last |= 0x20
		if h != nil && (last == h.la || last == h.lb) && h.endsAt(b, from, n, last) {
			found = true
		}
		styled := false
		if s := n - 5; last == 'e' && style && s >= from && b[s]|0x20 == 's' &&
			b[s+1]|0x20 == 't' && b[s+2]|0x20 == 'y' && b[s+3]|0x20 == 'l' &&
			(s == from || ascii.IsSpace(b[s-1]) || b[s-1] == '/') {
			styled = true
		}
		v := i + 1
		for v < len(b) && ascii.IsSpace(b[v]) {
			v++
		}
		if v >= len(b) {
			return 0, false, false
		}
		switch q := b[v]; q {
		case '"', '\'':
			j := bytes.IndexByte(b[v+1:], q)
			if j < 0 {
				return 0, false, false
			}
			i = v + 1 + j + 1
			if styled && mayCallCSS(b[v+1:i-1]) {
				found = true
			}
		case '>':
			return v + 1, found, true // a missing value: '>' closes
		default:
			for v < len(b) && !endsUnquoted[b[v]] {
				v++
			}
			if styled && mayCallCSS(b[i+1:v]) {
				found = true
			}
			i = v
		}
		from = i
	}
}

// endsAt reports whether the attribute name that ends at b[n] (and starts
// at or after from; last is its last byte in lower case) is one that h
// names.
func (h *hint) endsAt(b []byte, from, n int, last byte) bool {
	return nameEndsAt(b, from, n, last, h.a) || h.b != "" && nameEndsAt(b, from, n, last, h.b)
}

// nameEndsAt is endsAt for one name. Names are compared from their last
// letter, which few share.
func nameEndsAt(b []byte, from, n int, last byte, name string) bool {
	s := n - len(name)
	return last == name[len(name)-1] && s >= from && attrNameAt(b, s, name) &&
		(s == from || ascii.IsSpace(b[s-1]) || b[s-1] == '/')
}

// indexEqGt returns the index of the first '=' or '>' in b at or after i,
// or -1, testing eight bytes at a time.
func indexEqGt(b []byte, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
		eqs   = '=' * ones
		gts   = '>' * ones
	)
	if i >= len(b) {
		return -1
	}
	rest := b[i:]
	for len(rest) >= 8 {
		x := binary.LittleEndian.Uint64(rest)
		e, g := x^eqs, x^gts
		// High bit where a byte is zero (exact for the lowest one).
		if m := ((e-ones)&^e | (g-ones)&^g) & highs; m != 0 {
			return len(b) - len(rest) + bits.TrailingZeros64(m)/8
		}
		rest = rest[8:]
	}
	for j, c := range rest {
		if c == '=' || c == '>' {
			return len(b) - len(rest) + j
		}
	}
	return -1
}

// scanTagAttr is scanTag from the tag name's end that also reports
// whether the tag has an attribute that the hint h names (compared
// without regard to case).
func scanTagAttr(b []byte, i int, h *hint) (int, attrState, bool) {
	as := asName
	found := false
	for i < len(b) {
		for as < asLoop && i < len(b) {
			cl := byteClass[b[i]]
			next := attrTrans[as&7][cl]
			if next == asAttrName && as != asAttrName && !found {
				found = h != nil && (attrNameAt(b, i, h.a) || h.b != "" && attrNameAt(b, i, h.b))
			}
			as = next
			i++
			if cl <= clSpace {
				for i < len(b) && byteClass[b[i]] == cl {
					i++
				}
			}
		}
		switch as {
		case asDQ, asSQ:
			q := byte('"')
			if as == asSQ {
				q = '\''
			}
			j := bytes.IndexByte(b[i:], q)
			if j < 0 {
				return len(b), as, found
			}
			i += j + 1
			as = asAfterQuoted
		case asClosed, asClosedSelf:
			return i, as, found
		}
	}
	return i, as, found
}

// attrNameAt reports whether the attribute name starting at b[i] is name.
func attrNameAt(b []byte, i int, name string) bool {
	if len(b)-i < len(name) {
		return false
	}
	for j := 0; j < len(name); j++ {
		if lower(b[i+j]) != name[j] {
			return false
		}
	}
	if k := i + len(name); k < len(b) {
		return byteClass[b[k]] != clOther && byteClass[b[k]] != clDQ && byteClass[b[k]] != clSQ
	}
	return false
}

// The flags that make a tag matter in HTML content (outside foreign
// content, where breakout and integration-point flags would matter too).
const (
	plainStartMask = tagStructural | flagWanted | flagHinted
	plainEndMask   = flagWantedEnd | flagTemplate | flagNoscript
)

// scanTag runs the tag states over b from i in state as until the tag
// closes (as is then asClosed or asClosedSelf and i is after the '>') or b
// ends (i == len(b)).
func scanTag(b []byte, i int, as attrState) (int, attrState) {
	for i < len(b) {
		// The byte loop: runs while in an unquoted state. After an
		// ordinary byte the state is a name or an unquoted value, and
		// after whitespace one that whitespace keeps, so further bytes of
		// the same class change nothing: runs of them are skipped without
		// the dependent table step.
		for as < asLoop && i < len(b) {
			cl := byteClass[b[i]]
			as = attrTrans[as&7][cl]
			i++
			if cl <= clSpace {
				for i < len(b) && byteClass[b[i]] == cl {
					i++
				}
			}
		}
		switch as {
		case asDQ, asSQ:
			q := byte('"')
			if as == asSQ {
				q = '\''
			}
			j := bytes.IndexByte(b[i:], q)
			if j < 0 {
				return len(b), as
			}
			i += j + 1
			as = asAfterQuoted
		case asClosed, asClosedSelf:
			return i, as
		}
	}
	return i, as
}

// markupDecl handles "<!": comments, CDATA in foreign content, doctypes and
// bogus comments.
func (r *Rewriter) markupDecl(final bool) (bool, error) {
	b := r.buf[r.pos:]
	need := func(prefix string) (match, short bool) {
		if len(b) < len(prefix) {
			return bytes.EqualFold(b, []byte(prefix[:len(b)])), true
		}
		return bytes.EqualFold(b[:len(prefix)], []byte(prefix)), false
	}
	if m, short := need("<!--"); m {
		if short {
			if final {
				r.tokStart = r.pos
				r.pos += 2
				r.mode = modeBogus
				return false, nil
			}
			return true, nil
		}
		rest := b[4:]
		switch {
		case len(rest) == 0 && !final:
			return true, nil
		case len(rest) >= 1 && rest[0] == '>':
			r.traceTok('C', r.pos, r.pos+5)
			r.pos += 5 // <!--> is an empty comment
			return false, nil
		case len(rest) == 1 && rest[0] == '-' && !final:
			return true, nil
		case len(rest) >= 2 && rest[0] == '-' && rest[1] == '>':
			r.traceTok('C', r.pos, r.pos+6)
			r.pos += 6 // <!---> too
			return false, nil
		}
		r.tokStart = r.pos
		r.pos += 4
		r.mode = modeComment
		return false, nil
	}
	if r.inForeign() {
		if m, short := need("<![CDATA["); m {
			if short {
				if final {
					r.tokStart = r.pos
					r.pos += 2
					r.mode = modeBogus
					return false, nil
				}
				return true, nil
			}
			r.pos += 9
			r.mode = modeCDATA
			return false, nil
		}
	}
	r.tokStart = r.pos
	r.pos += 2
	r.mode = modeBogus
	return false, nil
}

// comment scans to the end of a comment: "-->" or "--!>".
func (r *Rewriter) comment(final bool) bool {
	b := r.buf
	for {
		i := bytes.IndexByte(b[r.pos:], '>')
		if r.noscript {
			if j := indexNoscriptEnd(b[r.pos:]); j >= 0 && (i < 0 || j < i) {
				r.pos += j
				r.mode = modeData
				return false
			}
		}
		if i < 0 {
			r.keepTail(final, 3+len("</noscript"))
			return !final
		}
		gt := r.pos + i
		r.pos = gt + 1
		if gt >= 2 && b[gt-1] == '-' && b[gt-2] == '-' || gt >= 3 && b[gt-1] == '!' && b[gt-2] == '-' && b[gt-3] == '-' {
			r.mode = modeData
			r.traceTok('C', r.tokStart, r.pos)
			return false
		}
	}
}

// keepTail advances pos to the end of the buffer but the last n bytes,
// which may begin a terminator; at the end of input it takes everything.
func (r *Rewriter) keepTail(final bool, n int) {
	if final {
		r.pos = len(r.buf)
		return
	}
	if t := len(r.buf) - n; t > r.pos {
		r.pos = t
	}
}

// until scans to the end of a construct ending in term.
func (r *Rewriter) until(final bool, term string) bool {
	b := r.buf
	i := bytes.Index(b[r.pos:], []byte(term))
	if r.noscript {
		if j := indexNoscriptEnd(b[r.pos:]); j >= 0 && (i < 0 || j < i) {
			r.pos += j
			r.mode = modeData
			return false
		}
	}
	if i < 0 {
		r.keepTail(final, len(term)-1+len("</noscript"))
		return !final
	}
	r.pos += i + len(term)
	r.mode = modeData
	if term == ">" {
		r.traceTok('B', r.tokStart, r.pos)
	}
	return false
}

// indexNoscriptEnd finds "</noscript" followed by a tag-name delimiter.
func indexNoscriptEnd(b []byte) int {
	const t = "</noscript"
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte("</"))
		if i < 0 {
			return -1
		}
		at := off + i
		if len(b)-at > len(t) && bytes.EqualFold(b[at:at+len(t)], []byte(t)) {
			if c := b[at+len(t)]; ascii.IsSpace(c) || c == '/' || c == '>' {
				return at
			}
		}
		off = at + 2
	}
}

// readName reads a tag name at b[start:]: up to whitespace, '/' or '>'.
// complete is false when the input ends first.
func readName(b []byte, start int) (end int, complete bool) {
	for end = start; end < len(b); end++ {
		if c := b[end]; ascii.IsSpace(c) || c == '/' || c == '>' {
			return end, true
		}
	}
	return end, false
}

// startTag handles "<" followed by a letter.
func (r *Rewriter) startTag(final bool) (bool, error) {
	b := r.buf
	nameEnd, ok := readName(b, r.pos+1)
	if !ok && !final {
		return true, nil
	}
	name := b[r.pos+1 : nameEnd]
	var lname [maxTagName]byte
	ln := len(name)
	long := ln > maxTagName
	if !long {
		for i, c := range name {
			lname[i] = lower(c)
		}
	}
	key := lname[:0]
	if !long {
		key = lname[:ln]
	}
	foreign := r.inForeign()
	flags := r.c.tags.lookup(key)
	if foreign && flags&flagFont != 0 {
		// <font> leaves foreign content only with color, face or size.
		return r.lexedStart(final, key, flags, true)
	}
	wanted := flags&flagWanted != 0 || r.c.all
	if wanted && flags&flagHinted != 0 && !r.c.all {
		end, as, found := scanTagAttr(b, nameEnd, r.c.tags.hints[string(key)])
		if as != asClosed && as != asClosedSelf {
			if final {
				r.pos = len(b)
				return false, nil
			}
			return true, nil
		}
		if !found && !(r.noscript && indexNoscriptEnd(b[r.pos:end]) >= 0) && !(r.c.style && styleMayLoad(b[r.pos:end])) {
			// Not what the handler is after: pass it through unlexed.
			r.tokStart = r.pos
			r.pos = end
			r.traceTok('S', r.tokStart, end)
			r.afterTag(key, flags, false, as == asClosedSelf, false)
			return false, nil
		}
	}
	if wanted || foreign && flags&flagAnnotation != 0 {
		return r.lexedStart(final, key, flags, false)
	}
	if r.c.style {
		// Any tag may load something through its style attribute: it
		// is read whole (up to the buffer cap) to know.
		end, as := scanTag(b, nameEnd, asName)
		switch {
		case as == asClosed || as == asClosedSelf:
			if styleMayLoad(b[r.pos:end]) {
				return r.lexedStart(final, key, flags, false)
			}
			if !r.noscript {
				// Scanned already: closed here.
				r.startTagScan(key, flags, false, nameEnd-r.pos)
				r.tagLong = long
				r.pos = end
				r.closeScannedTag(as == asClosedSelf)
				return false, nil
			}
		case !final:
			return true, nil
		}
	}
	r.startTagScan(key, flags, false, nameEnd-r.pos)
	r.tagLong = long
	return false, nil
}

// startTagScan switches to scanning an unlexed tag whose name (lower case,
// possibly truncated; its flags looked up) ends n bytes after pos.
func (r *Rewriter) startTagScan(name []byte, flags tagFlags, end bool, n int) {
	r.tokStart = r.pos
	r.mode = modeTag
	r.as = asName
	r.tagEnd = end
	r.tagSelf = false
	r.tagNameN = copy(r.tagName[:], name)
	r.tagFlags = flags
	r.pos += n
}

// skipTag scans an unlexed tag to its '>', following the standard's
// attribute states (a '>' inside a quoted value does not close the tag).
func (r *Rewriter) skipTag(final bool) bool {
	if r.noscript {
		return r.skipTagNoscript(final)
	}
	i, as := scanTag(r.buf, r.pos, r.as)
	if as == asClosed || as == asClosedSelf {
		r.pos = i
		r.closeScannedTag(as == asClosedSelf)
		return false
	}
	r.as = as
	r.pos = len(r.buf)
	if final {
		r.mode = modeData
		r.endDrop()
	}
	return !final
}

// closeScannedTag ends an unlexed tag at pos.
func (r *Rewriter) closeScannedTag(self bool) {
	r.tagSelf = self
	r.mode = modeData
	r.endDrop()
	r.traceTag()
	if r.tagFlags&(tagStructural) != 0 || r.tagEnd || r.noTree || len(r.stack) > 0 {
		r.afterTag(r.tagName[:r.tagNameN], r.tagFlags, r.tagEnd, self, false)
	}
}

// tagStructural are the flags whose start tags change the tokenizer or
// tree state.
const tagStructural = flagRawText | flagRCData | flagScript | flagPlaintext | flagNoscript | flagForeignRoot | flagTemplate

// skipTagNoscript is skipTag inside <noscript>, where a scripting
// browser's "</noscript" ends the noscript even within this tag.
func (r *Rewriter) skipTagNoscript(final bool) bool {
	b := r.buf
	for i := r.pos; i < len(b); i++ {
		c := b[i]
		if c == '<' && r.as != asName && r.as != asBeforeAttr && r.as != asAfterAttrName && r.as != asSelfClosing {
			if j := indexNoscriptEnd(b[i:]); j == 0 {
				// A scripting browser ends the noscript here, inside this
				// tag: follow it.
				r.pos = i
				r.mode = modeData
				r.endDrop()
				return false
			} else if j < 0 && len(b)-i < len("</noscript>") && !final {
				r.pos = i
				return true
			}
		}
		r.as = attrTrans[r.as][byteClass[c]]
		if r.as >= asClosed {
			r.pos = i + 1
			r.closeScannedTag(r.as == asClosedSelf)
			return false
		}
	}
	r.pos = len(b)
	if final {
		r.mode = modeData
		r.endDrop()
	}
	return !final
}

// Byte classes of the tag scanner.
const (
	clOther = iota
	clSpace
	clSlash
	clGT
	clEq
	clDQ
	clSQ
	numClasses
)

// endsUnquoted marks the bytes that end an unquoted attribute value:
// whitespace and '>'.
var endsUnquoted = [256]bool{' ': true, '\t': true, '\n': true, '\f': true, '\r': true, '>': true}

var byteClass = func() (t [256]uint8) {
	for _, c := range []byte{' ', '\t', '\n', '\f', '\r'} {
		t[c] = clSpace
	}
	t['/'], t['>'], t['='], t['"'], t['\''] = clSlash, clGT, clEq, clDQ, clSQ
	return t
}()

// nameByte maps the bytes of a tag name (byte class clOther) to lower case
// and every other byte, NUL included, to 0.
var nameByte = func() (t [256]byte) {
	for c := 1; c < 256; c++ {
		if byteClass[c] == clOther {
			t[c] = lower(byte(c))
		}
	}
	return t
}()

// attrTrans is the standard's tag states as a transition table over byte
// classes (tag name, attribute name and value states; the quoted-value
// states are skipped with IndexByte instead).
var attrTrans = func() (t [asSQ + 1][numClasses]attrState) {
	for s := asName; s <= asSQ; s++ {
		for c := 0; c < numClasses; c++ {
			t[s][c] = s
		}
	}
	set := func(s attrState, other, space, slash, gt, eq, dq, sq attrState) {
		t[s] = [numClasses]attrState{other, space, slash, gt, eq, dq, sq}
	}
	//  state          other       space         slash          gt        eq             dq          sq
	set(asName, asName, asBeforeAttr, asSelfClosing, asClosed, asName, asName, asName)
	set(asBeforeAttr, asAttrName, asBeforeAttr, asSelfClosing, asClosed, asAttrName, asAttrName, asAttrName)
	set(asAttrName, asAttrName, asAfterAttrName, asSelfClosing, asClosed, asBeforeValue, asAttrName, asAttrName)
	set(asAfterAttrName, asAttrName, asAfterAttrName, asSelfClosing, asClosed, asBeforeValue, asAttrName, asAttrName)
	set(asBeforeValue, asUnquoted, asBeforeValue, asUnquoted, asClosed, asUnquoted, asDQ, asSQ)
	set(asUnquoted, asUnquoted, asBeforeAttr, asUnquoted, asClosed, asUnquoted, asUnquoted, asUnquoted)
	set(asAfterQuoted, asAttrName, asBeforeAttr, asSelfClosing, asClosed, asAttrName, asAttrName, asAttrName)
	set(asSelfClosing, asAttrName, asBeforeAttr, asSelfClosing, asClosedSelf, asAttrName, asAttrName, asAttrName)
	// Inside quoted values only the closing quote matters; the scanner
	// jumps to it, but the rows are complete for the noscript path.
	set(asDQ, asDQ, asDQ, asDQ, asDQ, asDQ, asAfterQuoted, asDQ)
	set(asSQ, asSQ, asSQ, asSQ, asSQ, asSQ, asSQ, asAfterQuoted)
	return t
}()

func (r *Rewriter) traceTag() {
	if r.tagEnd {
		r.traceTok('E', r.tokStart, r.pos)
	} else {
		r.traceTok('S', r.tokStart, r.pos)
	}
}

// endDrop ends the dropping of a removed unlexed tag.
func (r *Rewriter) endDrop() {
	if r.tagFlags&flagDropOnClose != 0 {
		r.passTo(r.pos)
		r.drop = false
		r.tagFlags &^= flagDropOnClose
	}
}

// lexedStart lexes a wanted start tag, calls the handler and writes the
// result.
func (r *Rewriter) lexedStart(final bool, name []byte, flags tagFlags, structural bool) (bool, error) {
	b := r.buf
	start := r.pos
	e := &r.el
	e.reset()
	e.id = uint8(flags >> idShift)
	n, quick := 0, false
	if len(name) > 0 {
		n, quick = r.lexer.quick(b[start:], len(name), e)
	}
	if quick {
		e.raw = b[start : start+n]
	} else {
		gt := bytes.IndexByte(b[start:], '>')
		for {
			if gt < 0 {
				if final {
					r.pos = len(b) // an unclosed tag at the end is dropped by browsers
					return false, nil
				}
				return true, nil
			}
			e.reset()
			n, res := r.lexer.lex(b[start:start+gt+1], len(name), e)
			if res == lexDone {
				e.raw = b[start : start+n]
				break
			}
			next := bytes.IndexByte(b[start+gt+1:], '>')
			if next < 0 {
				gt = -1
				continue
			}
			gt += next + 1
		}
	}
	e.name = append(e.name[:0], name...)
	// A breakout tag leaves foreign content: it is an HTML element.
	e.foreign = r.inForeign() && flags&flagBreakout == 0
	e.inert = r.noscript || r.template > 0
	tagEnd := start + len(e.raw)
	r.traceTok('S', start, tagEnd)

	if r.noscript {
		if j := indexNoscriptEnd(e.raw); j > 0 {
			// A scripting browser ends the noscript inside this tag.
			r.pos = start + j
			return false, nil
		}
	}
	if structural {
		// <font> in foreign content: only its attributes matter.
		breakout := e.HasAttr("color") || e.HasAttr("face") || e.HasAttr("size")
		r.pos = tagEnd
		if breakout {
			r.breakOut()
		} else if !e.selfClose {
			r.push(name, false, r.stack[len(r.stack)-1].svg)
		}
		return false, nil
	}
	if flags&flagWanted != 0 || r.c.all || r.c.style && e.HasAttr("style") {
		if err := r.h.Element(e); err != nil {
			return false, err
		}
	}
	r.pos = tagEnd
	wantBody := e.wantBody && !e.foreign && flags&(flagScript|flagRawText|flagRCData) != 0
	if wantBody {
		r.held = true
		r.heldStart = start
		r.heldTag = len(e.raw)
		r.afterTag(name, flags, false, e.selfClose, true)
		if r.mode == modeData {
			// No raw text after all (should not happen): release now.
			return false, r.releaseHeld(r.pos, false)
		}
		return false, nil
	}
	r.writeElement(start, tagEnd)
	r.afterTag(name, flags, false, e.selfClose, false)
	if e.remove && (r.mode == modeRaw || r.mode == modeScript) {
		r.dropContent()
	}
	return false, nil
}

// dropContent drops the content and end tag of the raw-text element just
// opened.
func (r *Rewriter) dropContent() {
	r.drop = true
	r.dropEnd = true
	r.dropName = append(r.dropName[:0], r.rawName...)
}

// writeElement writes the edited start tag that occupies buf[start:end].
func (r *Rewriter) writeElement(start, end int) {
	e := &r.el
	r.passTo(start)
	r.ob = append(r.ob, e.before...)
	if !e.remove {
		r.ob = e.appendTag(r.ob)
		r.ob = append(r.ob, e.prepend...)
	}
	r.emit = end
}

// releaseHeld decides a held element whose content runs to end (the end
// tag's '<', or the end of input) and writes it out.
func (r *Rewriter) releaseHeld(end int, overflow bool) error {
	e := &r.el
	start := r.heldStart
	e.raw = r.buf[start : start+r.heldTag]
	text := r.buf[start+r.heldTag : end]
	if err := r.h.Content(e, text, overflow); err != nil {
		return err
	}
	r.held = false
	r.writeElement(start, start+r.heldTag)
	if e.remove {
		r.dropContent()
	}
	return nil
}

// push opens a foreign element.
func (r *Rewriter) push(name []byte, point, svg bool) {
	if len(r.stack) >= maxForeignDepth {
		return
	}
	var f frame
	f.n = uint8(copy(f.name[:], name))
	f.point = point
	f.svg = svg
	r.stack = append(r.stack, f)
}

// breakOut leaves foreign content (a breakout tag pops every foreign
// element).
func (r *Rewriter) breakOut() { r.stack = r.stack[:0] }

// afterTag updates the tokenizer and tree state after a tag.
func (r *Rewriter) afterTag(name []byte, flags tagFlags, end, selfClose, held bool) {
	if r.noTree {
		return
	}
	if end {
		r.afterEndTag(name)
		return
	}
	if r.inForeign() {
		if flags&flagBreakout != 0 {
			r.breakOut()
			r.afterHTMLStart(name, flags)
			return
		}
		if !selfClose {
			parent := r.stack[len(r.stack)-1]
			svg := parent.svg || string(name) == "svg" && string(parent.name[:parent.n]) == "annotation-xml"
			point := false
			switch {
			case svg && flags&flagHTMLPoint != 0:
				point = true
			case !svg && flags&flagTextPoint != 0:
				point = true
			case !svg && flags&flagAnnotation != 0:
				if v, ok := r.el.Attr("encoding"); ok {
					point = bytes.EqualFold(v, []byte("text/html")) || bytes.EqualFold(v, []byte("application/xhtml+xml"))
				}
			}
			r.push(name, point, svg)
		}
		return
	}
	r.afterHTMLStart(name, flags)
	if flags&flagForeignRoot != 0 && !selfClose {
		r.push(name, false, string(name) == "svg")
	}
}

// afterHTMLStart switches the tokenizer after an HTML start tag.
func (r *Rewriter) afterHTMLStart(name []byte, flags tagFlags) {
	switch {
	case flags&flagScript != 0:
		r.mode = modeScript
		r.script = ssData
		r.rawName = append(r.rawName[:0], name...)
	case flags&(flagRawText|flagRCData) != 0:
		r.mode = modeRaw
		r.rawName = append(r.rawName[:0], name...)
	case flags&flagPlaintext != 0:
		r.mode = modePlaintext
	case flags&flagNoscript != 0:
		r.noscript = true
	case flags&flagTemplate != 0:
		r.template++
	}
}

// afterEndTag updates the tree state after an end tag.
func (r *Rewriter) afterEndTag(name []byte) {
	for i := len(r.stack) - 1; i >= 0; i-- {
		f := &r.stack[i]
		if string(f.name[:f.n]) == string(name) {
			r.stack = r.stack[:i]
			return
		}
	}
	if len(r.stack) > 0 && r.inForeign() && (string(name) == "br" || string(name) == "p") {
		r.breakOut()
		return
	}
	if len(r.stack) == 0 && string(name) == "template" && r.template > 0 {
		r.template--
	}
}

// endTag handles "</".
func (r *Rewriter) endTag(final bool) (bool, error) {
	b := r.buf
	if r.pos+2 >= len(b) {
		if final {
			r.pos = len(b)
			return false, nil
		}
		return true, nil
	}
	c := b[r.pos+2]
	if c == '>' {
		r.pos += 3 // "</>" is nothing
		return false, nil
	}
	if !isASCIIAlpha(c) {
		r.tokStart = r.pos
		r.pos += 2
		r.mode = modeBogus
		return false, nil
	}
	nameEnd, ok := readName(b, r.pos+2)
	if !ok && !final {
		return true, nil
	}
	name := b[r.pos+2 : nameEnd]
	var lname [maxTagName]byte
	n := len(name)
	if n > maxTagName {
		n = 0
	}
	for i := 0; i < n; i++ {
		lname[i] = lower(name[i])
	}
	key := lname[:n]
	flags := r.c.tags.lookup(key)
	if len(key) > 0 && flags&flagWantedEnd != 0 && len(r.stack) == 0 && r.template == 0 && !r.noscript {
		t := &r.end
		t.name = append(t.name[:0], key...)
		t.before = t.before[:0]
		if err := r.h.EndTag(t); err != nil {
			return false, err
		}
		if len(t.before) > 0 {
			r.passTo(r.pos)
			r.ob = append(r.ob, t.before...)
		}
	}
	if r.noscript && string(key) == "noscript" {
		r.noscript = false
	}
	dropThis := false
	if r.dropEnd {
		// The end tag of a removed element goes with it; any other end tag
		// (a scripting browser's end of noscript) stops the dropping.
		r.dropEnd = false
		if string(key) == string(r.dropName) {
			dropThis = true
		} else {
			r.passTo(r.pos)
			r.drop = false
		}
	}
	r.startTagScan(key, flags, true, nameEnd-r.pos)
	if dropThis {
		r.tagFlags |= flagDropOnClose
	}
	return false, nil
}

// rawText scans RAWTEXT or RCDATA content to its end tag.
func (r *Rewriter) rawText(final bool) (bool, error) {
	b := r.buf
	for {
		i := bytes.Index(b[r.pos:], []byte("</"))
		if i < 0 {
			r.keepTail(final, 1)
			if final {
				return false, r.endRaw(len(b))
			}
			return true, nil
		}
		at := r.pos + i
		m, short := r.matchEnd(b, at)
		if short && !final {
			r.pos = at
			return true, nil
		}
		if m {
			r.pos = at
			return false, r.endRaw(at)
		}
		r.pos = at + 2
	}
}

// matchEnd reports whether b[at:] is "</" + the raw-text element's name +
// a delimiter, or, inside noscript, "</noscript" + a delimiter (a
// scripting browser ends the noscript there, and the element with it).
func (r *Rewriter) matchEnd(b []byte, at int) (match, short bool) {
	m, sh := matchEndName(b, at, r.rawName)
	if m {
		return true, false
	}
	if r.noscript {
		m2, sh2 := matchEndName(b, at, noscriptName)
		if m2 {
			return true, false
		}
		sh = sh || sh2
	}
	return false, sh
}

// matchEndName reports whether b[at:] is "</" + name + a delimiter; short
// reports that the input ends before it can tell.
func matchEndName(b []byte, at int, name []byte) (match, short bool) {
	if len(name) == 0 {
		return false, false
	}
	n := at + 2 + len(name)
	if n >= len(b) {
		// The input ends first: it may still become the end tag.
		return false, bytes.EqualFold(b[at+2:], name[:min(len(name), len(b)-at-2)])
	}
	if !bytes.EqualFold(b[at+2:n], name) {
		return false, false
	}
	c := b[n]
	return ascii.IsSpace(c) || c == '/' || c == '>', false
}

var noscriptName = []byte("noscript")

// endRaw ends raw text (or script data) at the end tag starting at end.
func (r *Rewriter) endRaw(end int) error {
	r.mode = modeData
	if r.held {
		return r.releaseHeld(end, false)
	}
	return nil
}

// scriptData scans script content, following the standard's script data
// escape states, to the end tag that ends it.
func (r *Rewriter) scriptData(final bool) (bool, error) {
	b := r.buf
	for r.pos < len(b) {
		switch r.script {
		case ssData:
			i := bytes.IndexByte(b[r.pos:], '<')
			if i < 0 {
				r.keepTail(final, 0)
				if final {
					return false, r.endRaw(len(b))
				}
				return true, nil
			}
			at := r.pos + i
			if at+1 >= len(b) {
				if final {
					r.pos = len(b)
					return false, r.endRaw(len(b))
				}
				r.pos = at
				return true, nil
			}
			switch b[at+1] {
			case '/':
				m, short := r.matchEnd(b, at)
				if short && !final {
					r.pos = at
					return true, nil
				}
				if m {
					r.pos = at
					return false, r.endRaw(at)
				}
				r.pos = at + 2
			case '!':
				if len(b)-at < 4 && !final {
					r.pos = at
					return true, nil
				}
				if len(b)-at >= 4 && b[at+2] == '-' && b[at+3] == '-' {
					r.script = ssEscapedDashDash
					r.pos = at + 4
				} else {
					r.pos = at + 2
				}
			default:
				r.pos = at + 1
			}
		default:
			more, end, err := r.scriptEscaped(final)
			if err != nil || end {
				return false, err
			}
			if more {
				return true, nil
			}
		}
	}
	if final {
		return false, r.endRaw(len(b))
	}
	return true, nil
}

// scriptEscaped runs the escaped and double-escaped script states byte by
// byte until they return to plain script data or the script ends.
func (r *Rewriter) scriptEscaped(final bool) (more, ended bool, err error) {
	b := r.buf
	for r.pos < len(b) {
		c := b[r.pos]
		switch r.script {
		case ssEscaped, ssEscapedDash, ssEscapedDashDash:
			switch {
			case c == '-':
				if r.script == ssEscaped {
					r.script = ssEscapedDash
				} else {
					r.script = ssEscapedDashDash
				}
				r.pos++
			case c == '>' && r.script == ssEscapedDashDash:
				r.script = ssData
				r.pos++
				return false, false, nil
			case c == '<':
				at := r.pos
				if at+1 >= len(b) {
					if final {
						r.pos = len(b)
						return false, true, r.endRaw(len(b))
					}
					return true, false, nil
				}
				r.script = ssEscaped
				if b[at+1] == '/' {
					m, short := r.matchEnd(b, at)
					if short && !final {
						return true, false, nil
					}
					if m {
						return false, true, r.endRaw(at)
					}
					r.pos = at + 2
					continue
				}
				if isASCIIAlpha(b[at+1]) {
					// Double escape start: "<script" + delimiter.
					n, ok := tagNameWord(b, at+1)
					if !ok && !final {
						return true, false, nil
					}
					if ok && bytes.EqualFold(b[at+1:at+1+n], []byte("script")) {
						r.script = ssDoubleEscaped
					}
					r.pos = at + 1 + n
					continue
				}
				r.pos++
			default:
				r.script = ssEscaped
				r.pos++
			}
		default: // double escaped
			switch {
			case c == '-':
				if r.script == ssDoubleEscaped {
					r.script = ssDoubleEscapedDash
				} else {
					r.script = ssDoubleEscapedDashDash
				}
				r.pos++
			case c == '>' && r.script == ssDoubleEscapedDashDash:
				r.script = ssData
				r.pos++
				return false, false, nil
			case c == '<':
				at := r.pos
				r.script = ssDoubleEscaped
				if at+1 >= len(b) {
					if final {
						r.pos = len(b)
						return false, true, r.endRaw(len(b))
					}
					return true, false, nil
				}
				if b[at+1] == '/' {
					n, ok := tagNameWord(b, at+2)
					if !ok && !final {
						return true, false, nil
					}
					if ok && bytes.EqualFold(b[at+2:at+2+n], []byte("script")) {
						r.script = ssEscaped
					}
					r.pos = at + 2 + n
					continue
				}
				r.pos++
			default:
				r.script = ssDoubleEscaped
				r.pos++
			}
		}
		if r.noscript && c == '<' {
			if j := indexNoscriptEnd(b[r.pos-1:]); j == 0 {
				r.pos--
				return false, true, r.endRaw(r.pos)
			}
		}
	}
	if final {
		return false, true, r.endRaw(len(b))
	}
	return true, false, nil
}

// tagNameWord reads ASCII letters at b[start:] up to a delimiter
// (whitespace, '/', '>'); ok is false when the input ends first. A
// non-letter that is not a delimiter ends the word without a match (n is
// then its length and the caller compares it).
func tagNameWord(b []byte, start int) (n int, ok bool) {
	for i := start; i < len(b); i++ {
		c := b[i]
		if ascii.IsSpace(c) || c == '/' || c == '>' {
			return i - start, true
		}
		if !isASCIIAlpha(c) {
			return 0, true
		}
	}
	return len(b) - start, false
}

// String describes the rewriter's state, for debugging.
func (r *Rewriter) String() string {
	return fmt.Sprintf("mode=%d pos=%d emit=%d held=%v stack=%d", r.mode, r.pos, r.emit, r.held, len(r.stack))
}
