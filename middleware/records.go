package middleware

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// Ways of recording the client's IP address in consent records.
const (
	RecordIPTruncate = "truncate" // IPv4 to /24, IPv6 to /48
	RecordIPFull     = "full"
	RecordIPOmit     = "omit"
)

// record writes one consent record: who (a random consent id and the
// client's address, truncated or omitted), when, what (action, categories
// granted and refused, what was withdrawn), under which policy revision,
// in which language, on which page, and how (banner form, script, signals).
//
// shown is the id of what the visitor was shown when deciding (shown.go),
// "" when nothing was (signals, a consent manager).
func (m *Middleware) record(r *http.Request, action, source string, before, after *Consent, path, shown string) {
	attrs := []slog.Attr{
		slog.String("consent_id", after.ID),
		slog.String("time", after.Time.UTC().Format(time.RFC3339)),
		slog.String("action", action),
		slog.Any("granted", names(after.Granted())),
		slog.Any("denied", names(after.Denied())),
		slog.String("revision", after.Revision),
		slog.String("source", source),
		slog.String("language", m.banner.language(r.Header.Get("Accept-Language"))),
		slog.String("host", sanitise(requestHost(r), 253)),
		slog.String("path", sanitise(path, 512)),
		slog.Bool("gpc", before.GPC),
		slog.Bool("dnt", before.DNT),
	}
	if g := after.VendorsGranted(); len(g) > 0 {
		attrs = append(attrs, slog.Any("vendors_granted", g))
	}
	if r := after.VendorsRefused(); len(r) > 0 {
		attrs = append(attrs, slog.Any("vendors_refused", r))
	}
	if withdrawn := m.rs.Names(before.granted &^ after.granted); before.Decided && len(withdrawn) > 0 {
		attrs = append(attrs, slog.Any("withdrawn", names(withdrawn)))
	}
	if before.Decided {
		attrs = append(attrs, slog.Any("previously_granted", names(before.Granted())))
	}
	if shown != "" {
		attrs = append(attrs, slog.String("shown", shown))
	}
	if ip := m.recordIP(r); ip != "" {
		attrs = append(attrs, slog.String("client_ip", ip))
	}
	m.records.LogAttrs(context.Background(), slog.LevelInfo, "consent", attrs...)
	if m.cfg.OnDecision != nil {
		m.cfg.OnDecision(action, source)
	}
}

// recordIP returns the client address as configured.
func (m *Middleware) recordIP(r *http.Request) string {
	if m.cfg.RecordIP == RecordIPOmit {
		return ""
	}
	addr := r.RemoteAddr
	if m.cfg.ClientIP != nil {
		addr = m.cfg.ClientIP(r)
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ip := net.ParseIP(addr)
	if ip == nil {
		return ""
	}
	if m.cfg.RecordIP == RecordIPFull {
		return ip.String()
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.Mask(net.CIDRMask(24, 32)).String() + "/24"
	}
	return ip.Mask(net.CIDRMask(48, 128)).String() + "/48"
}

// sanitise returns s cut to max bytes with control bytes replaced, for
// logging values a client controls.
func sanitise(s string, max int) string {
	if len(s) > max {
		s = s[:max]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
