package middleware

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// bodyFilter rewrites a response body as it streams through.
type bodyFilter interface {
	io.Writer
	// Flush passes on everything that can be decided, then flushes the
	// connection.
	Flush() error
	// Close passes on the rest of the body.
	Close() error
}

// responseWriter enforces consent on a response: it filters the headers
// once, when the status is written, and routes HTML bodies through the
// rewriter. It hides io.ReaderFrom, so io.Copy cannot go around it.
type responseWriter struct {
	rw  http.ResponseWriter
	m   *Middleware
	r   *http.Request
	st  *state
	log *slog.Logger

	status      int
	wroteHeader bool // the handler called WriteHeader (or Write)
	decided     bool // headers filtered and sent on
	sniffing    bool // waiting for body bytes to decide the type
	sniff       []byte
	body        bodyFilter // nil: the body passes through
	failed      error
	hijacked    bool
}

// wrap returns the writer enforcing consent on the response to r, kept
// in the allocation that holds r's state.
func (m *Middleware) wrap(w http.ResponseWriter, r *http.Request, st *state) *responseWriter {
	rw := &st.ctx.rw
	*rw = responseWriter{rw: w, m: m, r: r, st: st, log: m.log}
	return rw
}

// Header returns the response's header map.
func (w *responseWriter) Header() http.Header { return w.rw.Header() }

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.rw }

// WriteHeader records the status. Informational responses pass at once
// (with tracker preloads removed from 103 Early Hints); the final status
// is sent when the body's type is known.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		filterLinkHeader(w.rw.Header(), w.m, w.r, w.st.consent.grant())
		w.rw.WriteHeader(code)
		return
	}
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	w.status = code
	if code == http.StatusSwitchingProtocols {
		w.decide()
		return
	}
	if needsSniff(w.r, code, w.Header()) {
		w.sniffing = true
		return
	}
	w.decide()
}

// Write passes body bytes to the rewriter or on to the client.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed != nil {
		return 0, w.failed
	}
	if w.sniffing {
		w.sniff = append(w.sniff, p...)
		if len(w.sniff) < sniffLen {
			return len(p), nil
		}
		if err := w.endSniff(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if w.body != nil {
		n, err := w.body.Write(p)
		if err != nil {
			w.failed = err
		}
		return n, err
	}
	return w.rw.Write(p)
}

// endSniff decides the type from the bytes held and sends them on.
func (w *responseWriter) endSniff() error {
	w.sniffing = false
	setSniffedType(w.Header(), w.sniff)
	w.decide()
	held := w.sniff
	w.sniff = nil
	if len(held) == 0 {
		return nil
	}
	var err error
	if w.body != nil {
		_, err = w.body.Write(held)
	} else {
		_, err = w.rw.Write(held)
	}
	if err != nil {
		w.failed = err
	}
	return err
}

// Flush sends on what can be decided and flushes the connection.
func (w *responseWriter) Flush() {
	_ = w.FlushError()
}

// FlushError is Flush, returning the error; Caddy and
// http.ResponseController call it.
func (w *responseWriter) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.sniffing {
		if err := w.endSniff(); err != nil {
			return err
		}
	}
	if w.body != nil {
		if err := w.body.Flush(); err != nil {
			w.failed = err
			return err
		}
		return nil
	}
	return http.NewResponseController(w.rw).Flush()
}

// Hijack hands the connection over, for WebSocket and other upgrades.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.rw).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, rw, err
}

// finish ends the response after the handler returned err.
func (w *responseWriter) finish(err error) error {
	if w.hijacked {
		return nil
	}
	if !w.wroteHeader {
		// Nothing was written. If the handler failed, Caddy's error
		// handling writes the response with this header map, so it is
		// filtered now; otherwise net/http sends a 200 with it.
		if err != nil {
			w.filterHeaders(w.Header())
			return nil
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.sniffing {
		if serr := w.endSniff(); serr != nil {
			return serr
		}
	}
	if w.body == nil {
		return nil
	}
	cerr := w.body.Close()
	if cerr == nil {
		cerr = w.failed
	}
	if cerr != nil && !errors.Is(cerr, errClientGone) {
		w.log.Error("enforcing consent on a response body; aborting it", "path", w.r.URL.Path, "error", cerr)
		// The status and part of the page are gone: end the response as
		// incomplete rather than let the client take it as whole.
		_ = http.NewResponseController(w.rw).Flush()
		panic(http.ErrAbortHandler)
	}
	return nil
}

// errClientGone marks write errors of the connection to the client.
var errClientGone = errors.New("client connection failed")

// decide filters the headers, chooses how the body is handled and sends
// the status on.
func (w *responseWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	p := w.m.planResponse(w.r, w.st, w.status, h)
	switch {
	case p.replace != nil:
		// The handler's body goes nowhere; the replacement is written
		// with the status.
		w.status = p.replace.status
		w.body = &replacedBody{}
		w.rw.WriteHeader(w.status)
		if len(p.replace.body) > 0 && w.r.Method != http.MethodHead {
			if _, err := w.rw.Write(p.replace.body); err != nil {
				w.failed = errors.Join(errClientGone, err)
			}
		}
		return
	case p.err != nil:
		w.log.Error("cannot enforce consent on this HTML response", "path", w.r.URL.Path, "error", p.err)
		for k := range h {
			delete(h, k)
		}
		w.status = http.StatusBadGateway
		w.failed = p.err
	case p.rewrite:
		var body bodyFilter = w.m.newPageWriter(w.r, h, w.st, &clientWriter{w.rw})
		if p.coding != "" {
			body = newDecodingWriter(p.coding, body, w.m.cfg.MaxDecodedSize)
		}
		w.body = body
	case p.report:
		w.body = w.m.newReportFilter(w.r, h, w.st, p.coding, &clientWriter{w.rw})
	case p.prefix != nil:
		var body bodyFilter = &prefixWriter{prefix: p.prefix, out: &clientWriter{w.rw}}
		if p.coding != "" {
			body = newDecodingWriter(p.coding, body, w.m.cfg.MaxDecodedSize)
		}
		w.body = body
	}
	w.rw.WriteHeader(w.status)
}

// filterHeaders drops Set-Cookie lines and Link preloads the visitor has
// not consented to, and adds the lines that expire refused cookies.
func (w *responseWriter) filterHeaders(h http.Header) {
	w.m.filterResponseHeader(h, w.r, w.st)
}

// reportFilter passes a body on untouched and reads it beside, through the
// page rewriter, only to report what would be blocked.
type reportFilter struct {
	client *clientWriter
	read   bodyFilter // nil once reading failed
}

func (m *Middleware) newReportFilter(r *http.Request, h http.Header, st *state, coding string, client *clientWriter) *reportFilter {
	var read bodyFilter = m.newPageWriter(r, h, st, &clientWriter{discardResponse{}})
	if coding != "" {
		read = newDecodingWriter(coding, read, m.cfg.MaxDecodedSize)
	}
	return &reportFilter{client: client, read: read}
}

func (f *reportFilter) Write(p []byte) (int, error) {
	n, err := f.client.Write(p)
	if f.read != nil && n > 0 {
		if _, rerr := f.read.Write(p[:n]); rerr != nil {
			f.stopReading()
		}
	}
	return n, err
}

func (f *reportFilter) Flush() error { return f.client.Flush() }

func (f *reportFilter) Close() error {
	f.stopReading()
	return nil
}

// stopReading ends the reading beside; what it finds wrong with the body
// (a corrupt encoding) is the client's to find, not a reason to stop it.
func (f *reportFilter) stopReading() {
	if f.read != nil {
		_ = f.read.Close()
		f.read = nil
	}
}

// replacedBody swallows the body of a response that was replaced.
type replacedBody struct{}

func (replacedBody) Write(p []byte) (int, error) { return len(p), nil }
func (replacedBody) Flush() error                { return nil }
func (replacedBody) Close() error                { return nil }

// discardResponse is a ResponseWriter that keeps nothing.
type discardResponse struct{}

func (discardResponse) Header() http.Header         { return http.Header{} }
func (discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (discardResponse) WriteHeader(int)             {}

// clientWriter writes to the client and hides every interface but Write,
// marking its errors as the client's.
type clientWriter struct{ rw http.ResponseWriter }

func (c *clientWriter) Write(p []byte) (int, error) {
	n, err := c.rw.Write(p)
	if err != nil {
		err = errors.Join(errClientGone, err)
	}
	return n, err
}

func (c *clientWriter) Flush() error {
	err := http.NewResponseController(c.rw).Flush()
	if err != nil && !errors.Is(err, http.ErrNotSupported) {
		return errors.Join(errClientGone, err)
	}
	return nil
}

// abort ends a response its handler gave up on: a body decoder's
// goroutine is stopped without passing on anything more. A write it is
// blocked in (a client that stopped reading) is cut short by an expired
// write deadline; the connection is closed after an abort anyway.
func (w *responseWriter) abort() {
	body := w.body
	if f, ok := body.(*reportFilter); ok {
		body = f.read
	}
	d, ok := body.(*decodingWriter)
	if !ok {
		return
	}
	d.stop()
	_ = http.NewResponseController(w.rw).SetWriteDeadline(time.Now())
	<-d.exit
}
