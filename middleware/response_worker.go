package middleware

import (
	"net/http"
	"strings"
)

// A worker, shared worker or service worker of the site can fetch and
// open sockets as a page can; its script is requested with Sec-Fetch-Dest
// worker, sharedworker or serviceworker, and the run-time guard goes
// before it, so that it runs first inside, for every visitor (a service
// worker learns later decisions from its pages). Module workers' static imports are
// fetched before any of their code runs: the guard cannot hold those.

// planWorker plans the body of a worker script: the guard before it, the
// body decoded, the header what a rewritten body needs.
func (m *Middleware) planWorker(r *http.Request, st *state, status int, h http.Header) (plan, bool) {
	switch dest := r.Header["Sec-Fetch-Dest"]; {
	case len(dest) == 0:
		return plan{}, false
	case dest[0] == "worker", dest[0] == "sharedworker", dest[0] == "serviceworker":
	default:
		return plan{}, false
	}
	// Every worker gets the guard, whatever the decision: a service worker
	// (or a shared one) outlives the page that started it and must learn
	// a withdrawal from the next.
	g := st.consent.grant()
	if m.guard == nil || status != http.StatusOK || r.Method != http.MethodGet || !isJSMIME([]byte(strings.TrimSpace(headerValue(h, "Content-Type")))) {
		return plan{}, false
	}
	coding := contentCoding(h)
	if coding != "" && !canDecode(coding) {
		m.log.Warn("a worker script is encoded with a coding that cannot be decoded: passed on without the run-time guard", "path", r.URL.Path, "coding", coding)
		return plan{}, false
	}
	delHeaders(h, "Content-Encoding", "Content-Length", "Accept-Ranges", "Etag", "Last-Modified")
	addVary(h, "Cookie")
	return plan{prefix: m.guard.WorkerPrefix(guardDecision(g)), coding: coding}, true
}

// prefixWriter writes prefix before the first byte of a body (or at its
// end, for an empty one).
type prefixWriter struct {
	prefix []byte
	out    *clientWriter
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if err := p.writePrefix(); err != nil {
		return 0, err
	}
	return p.out.Write(b)
}

func (p *prefixWriter) writePrefix() error {
	if p.prefix == nil {
		return nil
	}
	_, err := p.out.Write(p.prefix)
	p.prefix = nil
	return err
}

func (p *prefixWriter) Flush() error {
	if err := p.writePrefix(); err != nil {
		return err
	}
	return p.out.Flush()
}

func (p *prefixWriter) Close() error { return p.writePrefix() }
