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
	"errors"
	"fmt"
	"io"

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

const (
	ssData scriptState = iota
	ssEscaped
	ssEscapedDash
	ssEscapedDashDash
	ssDoubleEscaped
	ssDoubleEscapedDash
	ssDoubleEscapedDashDash
)

// Rewriter rewrites one HTML document. It is not safe for concurrent use.
//
// The input is scanned in buf, which is the caller's chunk while Write
// runs and otherwise the owned carry; offsets are relative to buf[0]
// (abs is buf[0]'s offset in the document). Between the method calls of
// the API these hold, and a test checks them after every write:
//
//   - emit <= safe() <= pos <= len(buf): bytes before emit are written
//     out (or, while drop is set, discarded), bytes from emit up to safe()
//     are decided and will be, bytes from safe() on are held back
//     undecided, and bytes from pos on are not scanned yet.
//   - held means a start tag the handler wants the content of sits
//     unwritten at buf[heldStart:heldStart+heldTag], and the scanner is in
//     its content (modeRaw or modeScript): safe() is heldStart, so nothing
//     of the element goes out before the handler has seen its text.
//   - outside Write, buf is empty or is carry: nothing of a caller's chunk
//     is kept after Write returns.
//   - what is held back is bounded: len(buf) - safe() exceeds the
//     settings' MaxBuffer by less than one chunk, since checkCap decides a
//     held element or streams an overlong tag once the cap is passed.
//   - the foreign-content stack holds at most maxForeignDepth frames, and
//     template counts the open <template>s of HTML content.
//
// compact moves the undecided tail buf[emit:] to the front of carry and
// shifts pos, heldStart and tokStart with it, so it preserves all of the
// above; checkCap may only ever move safe() forward.
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
	r.place(e, flags)
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

// String describes the rewriter's state, for debugging.
func (r *Rewriter) String() string {
	return fmt.Sprintf("mode=%d pos=%d emit=%d held=%v stack=%d", r.mode, r.pos, r.emit, r.held, len(r.stack))
}
