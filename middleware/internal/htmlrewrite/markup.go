package htmlrewrite

import (
	"bytes"

	"github.com/consentgate/consentgate/internal/ascii"
)

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
	noscriptEnd := -1 // where a scripting browser's </noscript ends it, found once
	if r.noscript {
		if j := indexNoscriptEnd(b[r.pos:]); j >= 0 {
			noscriptEnd = r.pos + j
		}
	}
	for {
		i := bytes.IndexByte(b[r.pos:], '>')
		if noscriptEnd >= 0 && (i < 0 || noscriptEnd < r.pos+i) {
			r.pos = noscriptEnd
			r.mode = modeData
			return false
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
