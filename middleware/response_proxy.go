package middleware

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ModifyResponse enforces consent on a response an httputil.ReverseProxy
// received: it filters Set-Cookie and Link headers, expires refused
// cookies, and routes an HTML body through the rewriter. It reads the
// decision from resp.Request, which FilterRequest prepared in the proxy's
// Rewrite hook (without it, the decision is read from the outbound
// request's cookies). The banner's endpoint is not served this way: route
// it through Handler.
func (m *Middleware) ModifyResponse(resp *http.Response) error {
	req := resp.Request
	if req == nil {
		return errors.New("consentgate: ModifyResponse needs resp.Request")
	}
	st, ok := req.Context().Value(stateKey{}).(*state)
	if ok {
		// Judge, expire and rewrite as the visitor sees the site.
		visitor := *req
		visitor.Host, visitor.TLS = st.host, st.tls
		req = &visitor
	} else {
		st = &state{consent: m.consentOf(req)}
		if m.cfg.Mode != ModeReport {
			g := st.consent.grant()
			var refused []string
			eachCookie(req.Header, func(name, key string) {
				if !m.keepCookie(name, g) {
					refused = append(refused, key)
				}
			})
			st.expire = refused
		}
	}
	h := resp.Header
	if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
		return nil
	}
	if needsSniff(req, resp.StatusCode, h) {
		first, err := peekBody(resp, sniffLen)
		if err != nil {
			return fmt.Errorf("consentgate: reading the start of the body to tell its type: %w", err)
		}
		setSniffedType(h, first)
	}
	p := m.planResponse(req, st, resp.StatusCode, h)
	switch {
	case p.replace != nil:
		resp.Body.Close()
		resp.StatusCode = p.replace.status
		resp.Status = fmt.Sprintf("%d %s", p.replace.status, http.StatusText(p.replace.status))
		resp.Body = io.NopCloser(bytes.NewReader(p.replace.body))
		resp.ContentLength = int64(len(p.replace.body))
		resp.Uncompressed = false
	case p.err != nil:
		return fmt.Errorf("consentgate: %w", p.err)
	case p.rewrite:
		src, err := decodingReader(p.coding, resp.Body, m.cfg.MaxDecodedSize)
		if err != nil {
			return err
		}
		resp.ContentLength = -1
		resp.Uncompressed = p.coding != ""
		var out bytes.Buffer
		pw := m.newPageWriter(req, h, st, &clientWriter{rw: bufferResponseWriter{&out}})
		resp.Body = &rewritingBody{src: src, orig: resp.Body, pw: pw, out: &out}
	case p.prefix != nil:
		src, err := decodingReader(p.coding, resp.Body, m.cfg.MaxDecodedSize)
		if err != nil {
			return err
		}
		resp.ContentLength = -1
		resp.Uncompressed = p.coding != ""
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(p.prefix), src), resp.Body}
	case p.report:
		resp.Body = &reportingBody{orig: resp.Body, read: m.newReportFilter(req, h, st, p.coding, &clientWriter{discardResponse{}})}
	}
	return nil
}

// peekBody reads up to n bytes of a response's body and puts them back in
// front of the rest.
func peekBody(resp *http.Response, n int) ([]byte, error) {
	first := make([]byte, n)
	k, err := io.ReadFull(resp.Body, first)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	first = first[:k]
	orig := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(first), orig), orig}
	return first, nil
}

// reportingBody passes a body on as it is and reads it beside, only to
// report what would be blocked (mode report).
type reportingBody struct {
	orig io.ReadCloser
	read *reportFilter
}

func (b *reportingBody) Read(p []byte) (int, error) {
	n, err := b.orig.Read(p)
	if n > 0 {
		b.read.Write(p[:n]) // to nowhere: only the reading beside counts
	}
	if err != nil {
		b.read.Close()
	}
	return n, err
}

func (b *reportingBody) Close() error {
	b.read.Close()
	return b.orig.Close()
}

// eachCookie calls f with the name of each cookie in h's Cookie headers.
// key is what expireCookies takes to expire it (see expiryKey).
func eachCookie(h http.Header, f func(name, key string)) {
	for _, line := range h["Cookie"] {
		eachCookiePair(line, func(pair, name string) { f(name, expiryKey(pair, name)) })
	}
}

// bufferResponseWriter lets the page writer's client side write into a
// buffer that rewritingBody drains.
type bufferResponseWriter struct{ b *bytes.Buffer }

func (w bufferResponseWriter) Header() http.Header         { return http.Header{} }
func (w bufferResponseWriter) Write(p []byte) (int, error) { return w.b.Write(p) }
func (w bufferResponseWriter) WriteHeader(int)             {}

// rewritingBody reads the upstream body through the rewriter.
type rewritingBody struct {
	src  io.Reader
	orig io.ReadCloser
	pw   *pageWriter
	out  *bytes.Buffer
	buf  []byte
	done bool
	err  error
}

func (b *rewritingBody) Read(p []byte) (int, error) {
	for b.out.Len() == 0 && !b.done {
		if b.buf == nil {
			b.buf = make([]byte, 32<<10)
		}
		n, err := b.src.Read(b.buf)
		if n > 0 {
			if _, werr := b.pw.Write(b.buf[:n]); werr != nil {
				b.finish(werr)
				break
			}
		}
		if err == io.EOF {
			b.finish(nil)
		} else if err != nil {
			b.finish(err)
		} else if n > 0 && b.out.Len() == 0 {
			// Nothing decided yet: pass on what is, as a flush would.
			_ = b.pw.Flush()
		}
	}
	if b.out.Len() > 0 {
		return b.out.Read(p)
	}
	if b.err != nil {
		return 0, b.err
	}
	return 0, io.EOF
}

func (b *rewritingBody) finish(err error) {
	cerr := b.pw.Close()
	b.done = true
	if err == nil {
		err = cerr
	}
	b.err = err
}

func (b *rewritingBody) Close() error {
	if !b.done {
		b.done = true
		b.pw.Close()
	}
	return b.orig.Close()
}
