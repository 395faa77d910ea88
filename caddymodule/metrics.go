package caddymodule

import (
	"errors"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/consentgate/consentgate/rules"
)

// metrics are the handler's Prometheus collectors, registered on the
// registry of the config being loaded. Each config load gets its own
// registry, so nothing is shared between configs; handlers of one config
// share the collectors.
type metrics struct {
	decisions    *prometheus.CounterVec
	blocked      *prometheus.CounterVec
	unclassified *prometheus.CounterVec

	// names holds the cookie names counted under their own label; any
	// other is counted as "_other", so that visitors sending made-up
	// cookie names cannot grow the metrics without bound.
	mu    sync.Mutex
	names map[string]bool
}

// maxCookieLabels bounds the distinct cookie names of
// unclassified_cookies_total.
const maxCookieLabels = 200

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	const ns, sub = "caddy", "consent"
	m := &metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "decisions_total",
			Help: "Consent decisions recorded, by action and source.",
		}, []string{"action", "source"}),
		blocked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "blocked_total",
			Help: "Items blocked without consent (or reported, in report mode), by kind and missing category.",
		}, []string{"kind", "category"}),
		unclassified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "unclassified_cookies_total",
			Help: "Cookies seen that no rule classifies, by name (the first 200 names; later ones as _other).",
		}, []string{"cookie"}),
		names: map[string]bool{},
	}
	var err error
	if m.decisions, err = register(reg, m.decisions); err != nil {
		return nil, err
	}
	if m.blocked, err = register(reg, m.blocked); err != nil {
		return nil, err
	}
	if m.unclassified, err = register(reg, m.unclassified); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector already registered under
// its name (another consent handler of the same config).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if reg == nil {
		return c, nil
	}
	err := reg.Register(c)
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) {
		if existing, ok := already.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}

func (m *metrics) decision(action, source string) {
	m.decisions.WithLabelValues(action, source).Inc()
}

func (m *metrics) block(kind string, category rules.Category) {
	m.blocked.WithLabelValues(kind, string(category)).Inc()
}

func (m *metrics) unclassifiedCookie(name string) {
	m.mu.Lock()
	if !m.names[name] {
		if len(m.names) >= maxCookieLabels || len(name) > 128 || !utf8.ValidString(name) {
			name = "_other"
		} else {
			m.names[name] = true
		}
	}
	m.mu.Unlock()
	m.unclassified.WithLabelValues(name).Inc()
}
