package htmlrewrite

import "bytes"

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
				r.pos = end
				r.closeScannedTag(as == asClosedSelf)
				return false, nil
			}
		case !final:
			return true, nil
		}
	}
	r.startTagScan(key, flags, false, nameEnd-r.pos)
	return false, nil
}

// startTagScan switches to scanning an unlexed tag whose name (lower case,
// possibly truncated; its flags looked up) ends n bytes after pos.
func (r *Rewriter) startTagScan(name []byte, flags tagFlags, end bool, n int) {
	r.tokStart = r.pos
	r.mode = modeTag
	r.as = asName
	r.tagEnd = end
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
			m, short := false, i+1 == len(b)
			if !short && b[i+1] == '/' {
				m, short = matchEndName(b, i, noscriptName)
			}
			if m {
				// A scripting browser ends the noscript here, inside this
				// tag: follow it.
				r.pos = i
				r.mode = modeData
				r.endDrop()
				return false
			}
			if short && !final {
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

// place sets what a start tag's place in the document tells of its
// element: its ID, whether it is foreign content (a breakout tag leaves
// foreign content: it is an HTML element) and whether it is inert (inside
// noscript or a template). Every start tag handed to the handler, whole or
// overflowing, goes through it.
func (r *Rewriter) place(e *Element, flags tagFlags) {
	e.id = uint8(flags >> idShift)
	e.foreign = r.inForeign() && flags&flagBreakout == 0
	e.inert = r.noscript || r.template > 0
}

// lexedStart lexes a wanted start tag, calls the handler and writes the
// result.
func (r *Rewriter) lexedStart(final bool, name []byte, flags tagFlags, structural bool) (bool, error) {
	b := r.buf
	start := r.pos
	e := &r.el
	e.reset()
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
	r.place(e, flags)
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

// flagDropOnClose marks an unlexed tag being removed: dropping ends with it.
const flagDropOnClose tagFlags = 1 << 31
