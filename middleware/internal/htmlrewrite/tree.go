package htmlrewrite

import "bytes"

// frame is an open element of foreign content.
type frame struct {
	name  [maxTagName]byte
	n     uint8
	point bool // HTML or text integration point: its content is HTML
	svg   bool // in the SVG namespace (else MathML)
}

const maxForeignDepth = 512

// inForeign reports whether the current node is a foreign element whose
// content is not HTML.
func (r *Rewriter) inForeign() bool {
	return len(r.stack) > 0 && !r.stack[len(r.stack)-1].point
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
