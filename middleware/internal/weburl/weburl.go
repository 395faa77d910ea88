// Package weburl finds the host and path a browser contacts for a URL
// written in a page, following the WHATWG URL standard where it decides the
// host: tabs and newlines are dropped, leading and trailing spaces and
// controls trimmed, backslashes read as slashes in special schemes, any
// number of slashes accepted after the scheme, userinfo and port dropped,
// the host percent-decoded, mapped through IDNA (so case, full-width
// letters and ideographic full stops fold away), and a trailing dot removed.
package weburl

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/consentgate/consentgate/internal/ascii"
	"golang.org/x/net/idna"
)

// Base is the URL relative references resolve against: the document's
// URL, or its <base href>.
type Base struct {
	// Scheme is lower case: "http" or "https".
	Scheme string
	// Host is the canonical host (see Resolve).
	Host string
	// Dir is the path up to and including its last '/'.
	Dir string
	// Path is the whole path, which query-only references keep.
	Path string

	host []byte // Host, kept as bytes so relative references do not allocate
}

// NewBase returns the Base of a document at scheme://host/path.
func NewBase(scheme, host, path string) Base {
	b := Base{Scheme: strings.ToLower(scheme), Dir: "/", Path: "/"}
	if h, ok := canonicalHost([]byte(host), nil); ok {
		b.Host = string(h)
		b.host = []byte(b.Host)
	}
	if i := strings.LastIndexByte(path, '/'); i >= 0 && strings.HasPrefix(path, "/") {
		b.Dir = path[:i+1]
		b.Path = path
	}
	return b
}

// At returns the Base of a document on b's host at scheme://host/path.
func (b Base) At(scheme, path string) Base {
	nb := NewBase(scheme, "", path)
	nb.Host, nb.host = b.Host, b.host
	return nb
}

// Resolve returns a new Base for a <base href> value, and false when the
// value does not give one (the browser then keeps the document's).
func (b Base) Resolve(href []byte) (Base, bool) {
	var buf Buffer
	u, ok := Parse(href, &b, &buf)
	if !ok || u.Scheme != "http" && u.Scheme != "https" {
		return b, false
	}
	nb := Base{Scheme: u.Scheme, Host: string(u.Host), Dir: "/", Path: "/"}
	nb.host = []byte(nb.Host)
	p := u.PathQuery
	if q := bytes.IndexByte(p, '?'); q >= 0 {
		p = p[:q]
	}
	if i := bytes.LastIndexByte(p, '/'); i >= 0 {
		nb.Dir = string(p[:i+1])
		nb.Path = string(p)
	}
	return nb, true
}

// URL is a resolved URL. Its slices point into the input or the Buffer
// passed to Parse and are valid until either changes.
type URL struct {
	// Scheme is lower case.
	Scheme string
	// Host is canonical: lower-case ASCII, IDNA applied, no port, no
	// trailing dot.
	Host []byte
	// PathQuery is the path followed by the query, without the fragment,
	// with backslashes turned into slashes and dot segments removed.
	PathQuery []byte
}

// Buffer holds the bytes Parse needs to rewrite. Reuse it to avoid
// allocations.
type Buffer struct {
	clean, host, path, enc []byte
}

var specialPorts = map[string]bool{"http": true, "https": true, "ws": true, "wss": true, "ftp": true, "file": true}

// Parse resolves raw against base as a browser would and reports whether it
// names a network resource (http, https, ws, wss or ftp); javascript:,
// data:, blob:, about:, mailto: and malformed URLs give false, since
// loading them contacts no third party. An empty reference gives false
// too: browsers do not load an empty src.
func Parse(raw []byte, base *Base, buf *Buffer) (URL, bool) {
	s := trimC0Space(raw)
	if len(base.host) != 0 && isPlainAbsPath(s) {
		// Most first-party URLs, without a second pass for tabs and
		// newlines (a plain path has none).
		return URL{Scheme: base.Scheme, Host: base.host, PathQuery: s}, true
	}
	if hasTabOrNewline(s) {
		buf.clean = buf.clean[:0]
		for _, c := range s {
			if c != '\t' && c != '\n' && c != '\r' {
				buf.clean = append(buf.clean, c)
			}
		}
		s = buf.clean
	}
	if len(s) == 0 || s[0] == '#' {
		return URL{}, false
	}
	scheme, rest, hasScheme := splitScheme(s)
	if hasScheme {
		if !specialPorts[scheme] || scheme == "file" {
			return URL{}, false
		}
		if scheme == base.Scheme && !(len(rest) >= 2 && isSlash(rest[0]) && isSlash(rest[1])) {
			// "https:foo" on an https page is a relative path.
			return relative(rest, base, buf, scheme)
		}
		return authority(skipSlashes(rest), scheme, buf)
	}
	if len(s) >= 2 && isSlash(s[0]) && isSlash(s[1]) {
		return authority(skipSlashes(s), base.Scheme, buf)
	}
	return relative(s, base, buf, base.Scheme)
}

// relative resolves a path-absolute or path-relative reference.
func relative(ref []byte, base *Base, buf *Buffer, scheme string) (URL, bool) {
	if len(base.host) == 0 {
		return URL{}, false
	}
	return resolve(ref, base, buf, scheme), true
}

// resolve resolves ref against base in full: Parse takes a shortcut for
// plain absolute paths (isPlainAbsPath) before it gets here.
func resolve(ref []byte, base *Base, buf *Buffer, scheme string) URL {
	buf.path = buf.path[:0]
	switch {
	case len(ref) == 0 || ref[0] == '?' || ref[0] == '#':
		buf.path = append(buf.path, base.Path...)
	case !isSlash(ref[0]):
		buf.path = append(buf.path, base.Dir...)
	}
	buf.path = append(buf.path, ref...)
	return URL{Scheme: scheme, Host: base.host, PathQuery: encodePathQuery(cleanPath(buf.path, buf), buf)}
}

// isPlainAbsPath reports whether ref is a path-absolute reference that
// resolves to itself: one '/' first, no dot segment, no fragment, no
// escape in the path (cleanPath decodes some), and nothing to
// percent-encode or turn into '/'. Most first-party URLs are.
func isPlainAbsPath(ref []byte) bool {
	if len(ref) == 0 || ref[0] != '/' || len(ref) > 1 && isSlash(ref[1]) {
		return false
	}
	for i := 1; i < len(ref); i++ {
		c := ref[i]
		switch pathClass[c] {
		case pathPlain:
			continue
		case pathBad:
			return false
		}
		switch {
		case c == '?':
			// The query keeps every byte that is not bad as it is.
			for _, c := range ref[i+1:] {
				if pathClass[c] == pathBad {
					return false
				}
			}
			return true
		case c == '%' || ref[i-1] == '/': // an escape, or a dot segment's first dot
			return false
		}
	}
	return true
}

// Byte classes of isPlainAbsPath.
const (
	pathBad     = iota // percent-encoded, turned into '/', or a fragment
	pathPlain          // kept as it is
	pathSpecial        // '?', '%' and '.': plain, but not everywhere
)

// pathClass holds the bytes a path and a query keep as they are
// (printable ASCII except the backslash, '#', and what either component
// percent-encodes), with '?', '%' and '.' set apart.
var pathClass = func() (t [256]uint8) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = pathPlain
	}
	for _, c := range "\\#\"<>`{}'" {
		t[c] = pathBad
	}
	t['?'], t['%'], t['.'] = pathSpecial, pathSpecial, pathSpecial
	return t
}()

// authority parses host[:port][/path] after the slashes.
func authority(s []byte, scheme string, buf *Buffer) (URL, bool) {
	end := len(s)
	for i, c := range s {
		if c == '/' || c == '\\' || c == '?' || c == '#' {
			end = i
			break
		}
	}
	auth, rest := s[:end], s[end:]
	if at := bytes.LastIndexByte(auth, '@'); at >= 0 {
		auth = auth[at+1:]
	}
	host := auth
	if colon := bytes.LastIndexByte(auth, ':'); colon >= 0 && bytes.IndexByte(auth[colon:], ']') < 0 {
		host = auth[:colon]
		port := 0
		for _, c := range auth[colon+1:] {
			if c < '0' || c > '9' {
				return URL{}, false
			}
			if port = port*10 + int(c-'0'); port > 65535 {
				return URL{}, false
			}
		}
	}
	h, ok := canonicalHost(host, &buf.host)
	if !ok {
		return URL{}, false
	}
	buf.path = append(buf.path[:0], rest...)
	if len(buf.path) == 0 || buf.path[0] != '/' && buf.path[0] != '\\' {
		buf.path = append([]byte{'/'}, buf.path...)
	}
	return URL{Scheme: scheme, Host: h, PathQuery: encodePathQuery(cleanPath(buf.path, buf), buf)}, true
}

// cleanPath drops the fragment, turns backslashes in the path into
// slashes, decodes percent-encoded unreserved characters in the path (a
// server reads them the same) and removes dot segments.
func cleanPath(p []byte, buf *Buffer) []byte {
	if i := bytes.IndexByte(p, '#'); i >= 0 {
		p = p[:i]
	}
	q := bytes.IndexByte(p, '?')
	if q < 0 {
		q = len(p)
	}
	for i := 0; i < q; i++ {
		if p[i] == '\\' {
			p[i] = '/'
		}
	}
	path := p[:q]
	if bytes.IndexByte(path, '%') >= 0 {
		out := path[:0]
		for i := 0; i < len(path); i++ {
			if path[i] == '%' && i+2 < len(path) {
				if c, ok := unhex(path[i+1], path[i+2]); ok && isUnreserved(c) {
					out = append(out, c)
					i += 2
					continue
				}
			}
			out = append(out, path[i])
		}
		p = append(out, p[q:]...)
		q = len(out)
		path = p[:q]
	}
	if bytes.Contains(path, []byte("/.")) {
		p = append(removeDots(path), p[q:]...)
	}
	return p
}

// removeDots applies RFC 3986 section 5.2.4 (with %2e read as '.').
func removeDots(path []byte) []byte {
	segs := strings.Split(string(path), "/")
	var out []string
	for i, seg := range segs {
		switch strings.ToLower(seg) {
		case ".", "%2e":
			if i == len(segs)-1 {
				out = append(out, "")
			}
		case "..", ".%2e", "%2e.", "%2e%2e":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if i == len(segs)-1 {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	res := strings.Join(out, "/")
	if !strings.HasPrefix(res, "/") {
		res = "/" + res
	}
	return []byte(res)
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func unhex(a, b byte) (byte, bool) {
	x, ok1 := ascii.HexVal(a)
	y, ok2 := ascii.HexVal(b)
	return x<<4 | y, ok1 && ok2
}

func isSlash(c byte) bool { return c == '/' || c == '\\' }

func skipSlashes(s []byte) []byte {
	for len(s) > 0 && isSlash(s[0]) {
		s = s[1:]
	}
	return s
}

// splitScheme splits "scheme:rest", lower-casing the scheme.
func splitScheme(s []byte) (scheme string, rest []byte, ok bool) {
	if len(s) == 0 || !isAlpha(s[0]) {
		return "", s, false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == ':' {
			return lowerScheme(s[:i]), s[i+1:], true
		}
		if !isAlpha(c) && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
			return "", s, false
		}
	}
	return "", s, false
}

// lowerScheme returns a common scheme without allocating.
func lowerScheme(b []byte) string {
	for _, s := range [...]string{"https", "http", "javascript", "data", "blob", "about", "mailto", "wss", "ws", "ftp", "file"} {
		if len(b) == len(s) && strings.EqualFold(string(b), s) {
			return s
		}
	}
	return strings.ToLower(string(b))
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// trimC0Space removes leading and trailing C0 controls and spaces.
func trimC0Space(s []byte) []byte {
	for len(s) > 0 && s[0] <= ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] <= ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// profile is the WHATWG "domain to ASCII" with beStrict false.
var profile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.StrictDomainName(false),
	idna.CheckHyphens(false),
	idna.CheckJoiners(true),
	idna.VerifyDNSLength(false),
)

// canonicalHost returns the host as a browser contacts it. Plain
// lower-case ASCII hosts are returned as they are; others are rewritten
// into *scratch.
func canonicalHost(h []byte, scratch *[]byte) ([]byte, bool) {
	if len(h) == 0 {
		return nil, false
	}
	if h[0] == '[' {
		if h[len(h)-1] != ']' {
			return nil, false
		}
		a, err := netip.ParseAddr(string(h[1 : len(h)-1]))
		if err != nil || !a.Is6() || a.Zone() != "" {
			return nil, false
		}
		return setScratch(scratch, "["+ipv6String(a.As16())+"]"), true
	}
	plain := !bytes.Contains(h, []byte("xn--")) // validate punycode
	for _, c := range h {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			plain = false
			break
		}
	}
	if !plain {
		s := string(h)
		if strings.IndexByte(s, '%') >= 0 {
			dec, ok := percentDecode(s)
			if !ok {
				return nil, false
			}
			s = dec
		}
		if !utf8.ValidString(s) || emptyACE(s) {
			return nil, false // the browser reads U+FFFD, which IDNA rejects
		}
		ascii, err := profile.ToASCII(s)
		if err != nil || ascii == "" || strings.ContainsAny(ascii, " #%/:<>?@[\\]^|") ||
			strings.ContainsFunc(ascii, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return nil, false
		}
		if ascii != s {
			// x/net/idna encodes labels of a few thousand characters
			// that its own decoder refuses; no DNS name is that long,
			// so nothing loads from such a host either.
			if again, err := profile.ToASCII(ascii); err != nil || again != ascii {
				return nil, false
			}
		}
		h = setScratch(scratch, ascii)
	}
	for len(h) > 0 && h[len(h)-1] == '.' {
		h = h[:len(h)-1]
	}
	if endsInNumber(h) {
		v, ok := parseIPv4(h)
		if !ok {
			return nil, false
		}
		return setScratch(scratch, netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()), true
	}
	return h, len(h) > 0
}

func percentDecode(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if c, ok := unhex(s[i+1], s[i+2]); ok {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String(), true
}

// setScratch returns s as bytes, in *scratch when there is one.
func setScratch(scratch *[]byte, s string) []byte {
	if scratch == nil {
		return []byte(s)
	}
	*scratch = append((*scratch)[:0], s...)
	return *scratch
}

// ipv6String is the WHATWG IPv6 serializer: lower-case hex pieces, the
// first longest run of two or more zero pieces compressed to "::".
func ipv6String(a [16]byte) string {
	var p [8]uint16
	for i := range p {
		p[i] = uint16(a[2*i])<<8 | uint16(a[2*i+1])
	}
	compress, best := -1, 1
	for i := 0; i < 8; {
		j := i
		for j < 8 && p[j] == 0 {
			j++
		}
		if j-i > best {
			compress, best = i, j-i
		}
		if j == i {
			j++
		}
		i = j
	}
	var b []byte
	for i := 0; i < 8; i++ {
		if i == compress {
			if i == 0 {
				b = append(b, ':')
			}
			b = append(b, ':')
			i += best - 1
			continue
		}
		b = strconv.AppendUint(b, uint64(p[i]), 16)
		if i != 7 {
			b = append(b, ':')
		}
	}
	return string(b)
}

// endsInNumber is the WHATWG "ends in a number checker": such hosts are
// IPv4 addresses (or invalid).
func endsInNumber(h []byte) bool {
	if n := len(h); n > 0 && h[n-1] == '.' {
		if n == 1 {
			return false
		}
		h = h[:n-1]
	}
	last := h[bytes.LastIndexByte(h, '.')+1:]
	if len(last) == 0 {
		return false
	}
	digits := true
	for _, c := range last {
		if c < '0' || c > '9' {
			digits = false
			break
		}
	}
	if digits {
		return true
	}
	_, ok := ipv4Number(last)
	return ok
}

// parseIPv4 is the WHATWG IPv4 parser.
func parseIPv4(h []byte) (uint32, bool) {
	if n := len(h); n > 0 && h[n-1] == '.' {
		h = h[:n-1]
	}
	parts := bytes.Split(h, []byte("."))
	if len(parts) > 4 {
		return 0, false
	}
	var nums [4]uint64
	for i, part := range parts {
		n, ok := ipv4Number(part)
		if !ok || i < len(parts)-1 && n > 255 {
			return 0, false
		}
		nums[i] = n
	}
	last := nums[len(parts)-1]
	if last >= 1<<(8*(5-len(parts))) {
		return 0, false
	}
	v := last
	for i := 0; i < len(parts)-1; i++ {
		v += nums[i] << (8 * (3 - i))
	}
	return uint32(v), true
}

// ipv4Number is the WHATWG IPv4 number parser (decimal, 0x hex, 0 octal);
// values beyond 2^32 are capped, which is enough to reject them.
func ipv4Number(s []byte) (uint64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	base := uint64(10)
	switch {
	case len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		s, base = s[2:], 16
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	var n uint64
	for _, c := range s {
		d, ok := ascii.HexVal(c)
		if !ok || uint64(d) >= base {
			return 0, false
		}
		if n = n*base + uint64(d); n > 1<<32 {
			n = 1 << 32
		}
	}
	return n, true
}

// encodePathQuery percent-encodes what the browser encodes before it sends
// a special URL: C0 controls, space, double quote, '<', '>' and bytes from
// 0x7F everywhere, and also backquote and braces in the path and the
// apostrophe in the query.
func encodePathQuery(p []byte, buf *Buffer) []byte {
	q := bytes.IndexByte(p, '?')
	if q < 0 {
		q = len(p)
	}
	// encodeSet: bit 1 marks bytes encoded in the path, bit 2 in the query.
	need := func(i int) bool {
		bit := uint8(1)
		if i >= q {
			bit = 2
		}
		return encodeSet[p[i]]&bit != 0
	}
	i := 0
	for i < len(p) && !need(i) {
		i++
	}
	if i == len(p) {
		return p
	}
	const hex = "0123456789ABCDEF"
	buf.enc = append(buf.enc[:0], p[:i]...)
	for ; i < len(p); i++ {
		if need(i) {
			buf.enc = append(buf.enc, '%', hex[p[i]>>4], hex[p[i]&15])
		} else {
			buf.enc = append(buf.enc, p[i])
		}
	}
	return buf.enc
}

// encodeSet holds the WHATWG percent-encode sets a browser applies to what
// it sends: bit 1 the path set (C0 controls, space, '"', '#', '<', '>',
// '?', '`', '{', '}' and non-ASCII, less '#' and '?' which cannot occur
// here), bit 2 the special-query set (C0, space, '"', '#', '\”, '<', '>'
// and non-ASCII).
var encodeSet = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' {
			t[c] = 3
		}
	}
	t['`'] |= 1
	t['{'] |= 1
	t['}'] |= 1
	t['\''] |= 2
	return t
}()

// emptyACE reports whether a label of s is "xn--" alone, which x/net/idna
// turns into an empty label but UTS 46 rejects.
func emptyACE(s string) bool {
	for _, label := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '.' || r == '\u3002' || r == '\uff0e' || r == '\uff61'
	}) {
		if strings.EqualFold(label, "xn--") {
			return true
		}
	}
	return false
}

// hasTabOrNewline reports whether s holds a tab, LF or CR.
func hasTabOrNewline(s []byte) bool {
	for _, c := range s {
		if c <= '\r' && (c == '\t' || c == '\n' || c == '\r') {
			return true
		}
	}
	return false
}
