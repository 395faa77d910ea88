package htmlrewrite

import (
	"fmt"
	"unsafe"
)

// checkInvariants checks what the Rewriter type's comment says holds
// between calls, after a Write of chunk (nil after Close).
func (r *Rewriter) checkInvariants(chunk []byte) error {
	if !(0 <= r.emit && r.emit <= r.safe() && r.safe() <= r.pos && r.pos <= len(r.buf)) {
		return fmt.Errorf("offsets out of order: emit %d, safe %d, pos %d, len(buf) %d", r.emit, r.safe(), r.pos, len(r.buf))
	}
	if r.held {
		if r.heldTag <= 0 || r.heldStart+r.heldTag > r.pos || buf0(r.buf, r.heldStart) != '<' {
			return fmt.Errorf("held start tag at %d+%d is not a tag before pos %d", r.heldStart, r.heldTag, r.pos)
		}
		if r.mode != modeRaw && r.mode != modeScript {
			return fmt.Errorf("an element is held, but the scanner is in mode %d, not in its content", r.mode)
		}
	}
	if len(r.buf) > 0 && (len(r.carry) == 0 || unsafe.SliceData(r.buf) != unsafe.SliceData(r.carry)) {
		return fmt.Errorf("between writes buf (%d bytes) is not the owned carry", len(r.buf))
	}
	if len(chunk) > 0 && len(r.buf) > 0 && overlaps(r.buf, chunk) {
		return fmt.Errorf("buf still points into the caller's chunk")
	}
	if over := len(r.buf) - r.safe() - r.c.max; over > 0 && over >= len(chunk) {
		return fmt.Errorf("%d bytes held back, the cap is %d and the last chunk %d bytes", len(r.buf)-r.safe(), r.c.max, len(chunk))
	}
	if len(r.stack) > maxForeignDepth || r.template < 0 {
		return fmt.Errorf("foreign stack %d deep, %d templates open", len(r.stack), r.template)
	}
	if r.done && (len(r.buf) != 0 || len(r.ob) != 0) {
		return fmt.Errorf("closed with %d bytes unread and %d unwritten", len(r.buf), len(r.ob))
	}
	return nil
}

func buf0(b []byte, i int) byte {
	if i < 0 || i >= len(b) {
		return 0
	}
	return b[i]
}

// overlaps reports whether a and b share memory.
func overlaps(a, b []byte) bool {
	a0, b0 := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a0 < b0+uintptr(len(b)) && b0 < a0+uintptr(len(a))
}
