package htmlrewrite

import (
	"bytes"

	"github.com/consentgate/consentgate/internal/ascii"
)

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
					if r.noscript {
						// A scripting browser ends <noscript> here, whatever
						// the script inside it was doing.
						m, short := matchEndName(b, at, noscriptName)
						if short && !final {
							return true, false, nil
						}
						if m {
							return false, true, r.endRaw(at)
						}
					}
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

// scriptState is the script data sub-state.
type scriptState uint8
