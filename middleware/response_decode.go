package middleware

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

func canDecode(coding string) bool {
	switch coding {
	case "gzip", "x-gzip", "deflate", "br", "zstd":
		return true
	}
	return false
}

// limitAcceptEncoding keeps, in a request's Accept-Encoding, only codings
// the middleware can decode, so that no upstream answers with a body it
// could not enforce (shared-dictionary codings, compress, and the like).
// A request for a page (Sec-Fetch-Dest: document or iframe, or an Accept
// that prefers HTML) asks for no coding at all: its answer is decoded and
// rewritten anyway, and compressing it upstream would only add work.
//
// A request without Accept-Encoding gets "identity": Go's transport would
// otherwise ask for gzip itself and decode the answer out of sight,
// without the max_decoded_size limit.
func limitAcceptEncoding(r *http.Request) {
	ae, ok := r.Header["Accept-Encoding"]
	if !ok {
		r.Header["Accept-Encoding"] = identityOnly
		return
	}
	if dest := headerValue(r.Header, "Sec-Fetch-Dest"); dest == "document" || dest == "iframe" || strings.HasPrefix(headerValue(r.Header, "Accept"), "text/html") {
		r.Header["Accept-Encoding"] = identityOnly
		return
	}
	if len(ae) == 1 && decodableOnly(ae[0]) {
		return // the common case, told without splitting
	}
	var kept []string
	changed := false
	for _, line := range ae {
		for _, part := range strings.Split(line, ",") {
			coding := strings.TrimSpace(part)
			if coding == "" {
				continue
			}
			name := strings.ToLower(strings.TrimSpace(strings.SplitN(coding, ";", 2)[0]))
			if canDecode(name) || name == "identity" {
				kept = append(kept, coding)
				continue
			}
			changed = true
		}
	}
	if !changed && len(ae) == 1 {
		return
	}
	if len(kept) == 0 {
		r.Header.Set("Accept-Encoding", "identity")
		return
	}
	r.Header.Set("Accept-Encoding", strings.Join(kept, ", "))
}

// decodableOnly reports whether an Accept-Encoding line names only codings
// the middleware decodes, and identity, in lower case as browsers send
// them (anything else is left to limitAcceptEncoding's full reading).
func decodableOnly(line string) bool {
	for line != "" {
		var coding string
		coding, line, _ = strings.Cut(line, ",")
		name, _, _ := strings.Cut(coding, ";")
		if name = strings.TrimSpace(name); name != "" && !canDecode(name) && name != "identity" {
			return false
		}
	}
	return true
}

// identityOnly is the Accept-Encoding given to requests that had none,
// shared: Header.Set replaces it and Header.Add, at full capacity, copies.
var identityOnly = []string{"identity"}[:1:1]

// errDecodedTooLarge reports a body that decompressed beyond the limit.
var errDecodedTooLarge = errors.New("decompressed HTML body exceeds the configured maximum (a decompression bomb?)")

// decodingWriter decompresses a body written to it in pieces and passes
// the plain bytes to the next filter. Decoders read, so the decoding runs
// in its own goroutine behind a pipe whose reader reports when it has
// consumed everything written, which lets Flush pass on all that the
// written bytes decode to.
type decodingWriter struct {
	next bodyFilter

	mu      sync.Mutex
	cond    *sync.Cond
	pending []byte // written, not yet read by the decoder
	closed  bool   // no more input
	waiting bool   // the decoder waits for input with nothing pending
	done    bool   // the decoding goroutine has ended
	aborted bool   // the response was given up: stop, write nothing more
	err     error  // why it ended, if it failed
	exit    chan struct{}
}

func newDecodingWriter(coding string, next bodyFilter, limit int64) *decodingWriter {
	d := &decodingWriter{next: next, exit: make(chan struct{})}
	d.cond = sync.NewCond(&d.mu)
	go d.run(coding, limit)
	return d
}

// Read is the decoder's side of the pipe.
func (d *decodingWriter) Read(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.pending) == 0 && !d.closed {
		d.waiting = true
		d.cond.Broadcast()
		d.cond.Wait()
	}
	d.waiting = false
	if d.aborted {
		return 0, errAborted
	}
	if len(d.pending) == 0 {
		return 0, io.EOF
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	if len(d.pending) == 0 {
		d.cond.Broadcast()
	}
	return n, nil
}

func (d *decodingWriter) run(coding string, limit int64) {
	err := d.decode(coding, limit)
	d.mu.Lock()
	d.done = true
	d.err = err
	d.cond.Broadcast()
	d.mu.Unlock()
	close(d.exit)
}

func (d *decodingWriter) decode(coding string, limit int64) error {
	src, err := decodingReader(coding, d, limit)
	if err != nil {
		return err
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !d.isAborted() {
			if _, werr := d.next.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Write passes compressed bytes to the decoder and waits until it has
// taken them.
func (d *decodingWriter) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		if d.err != nil {
			return 0, d.err
		}
		return len(p), nil // trailing bytes after the compressed stream
	}
	d.pending = p
	d.cond.Broadcast()
	for len(d.pending) > 0 && !d.done {
		d.cond.Wait()
	}
	d.pending = nil
	if d.err != nil {
		return 0, d.err
	}
	return len(p), nil
}

// Flush waits until the decoder has consumed everything written and
// passed on what it decoded, then flushes the next filter.
func (d *decodingWriter) Flush() error {
	d.mu.Lock()
	for !d.done && !(d.waiting && len(d.pending) == 0) {
		d.cond.Wait()
	}
	err := d.err
	done := d.done
	d.mu.Unlock()
	if err != nil {
		return err
	}
	if done {
		return d.next.Flush()
	}
	// The decoder is blocked reading: nothing else touches next now.
	return d.next.Flush()
}

// errAborted ends the decoder of a response its handler gave up on.
var errAborted = errors.New("response aborted")

func (d *decodingWriter) isAborted() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.aborted
}

// stop makes the decoder end without writing anything more.
func (d *decodingWriter) stop() {
	d.mu.Lock()
	d.aborted, d.closed = true, true
	d.cond.Broadcast()
	d.mu.Unlock()
}

// Close ends the input, waits for the decoder and closes the next filter.
func (d *decodingWriter) Close() error {
	d.mu.Lock()
	d.closed = true
	d.cond.Broadcast()
	d.mu.Unlock()
	<-d.exit
	cerr := d.next.Close()
	if d.err != nil {
		return d.err
	}
	return cerr
}

// deflateReader reads HTTP "deflate": zlib-wrapped, or raw deflate from
// servers that get it wrong.
type deflateReader struct {
	src io.Reader
	r   io.Reader
}

func newDeflateReader(src io.Reader) *deflateReader { return &deflateReader{src: src} }

func (z *deflateReader) Read(p []byte) (int, error) {
	if z.r == nil {
		var hdr [2]byte
		if _, err := io.ReadFull(z.src, hdr[:]); err != nil {
			return 0, fmt.Errorf("reading deflate header: %w", err)
		}
		rest := io.MultiReader(strings.NewReader(string(hdr[:])), z.src)
		if hdr[0]&0x0f == 8 && (uint16(hdr[0])<<8|uint16(hdr[1]))%31 == 0 {
			// zlib: skip the 2-byte header; the Adler-32 trailer is left
			// unread at the end.
			z.r = flate.NewReader(z.src)
		} else {
			z.r = flate.NewReader(rest)
		}
	}
	return z.r.Read(p)
}

// decodingReader wraps r in a decoder for the content coding, limited to
// limit decoded bytes.
func decodingReader(coding string, r io.Reader, limit int64) (io.Reader, error) {
	var dec io.Reader
	switch coding {
	case "":
		return r, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("consentgate: decoding gzip body: %w", err)
		}
		dec = zr
	case "deflate":
		dec = newDeflateReader(r)
	case "br":
		dec = brotli.NewReader(r)
	case "zstd":
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(64<<20))
		if err != nil {
			return nil, fmt.Errorf("consentgate: decoding zstd body: %w", err)
		}
		dec = zr.IOReadCloser()
	}
	return &limitedReader{r: dec, left: limit}, nil
}

// limitedReader fails once more than left bytes were read.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errDecodedTooLarge
	}
	return n, err
}
