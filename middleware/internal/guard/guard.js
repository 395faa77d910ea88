/* consentgate run-time guard: stops requests to trackers the visitor has
   not consented to that a page's own scripts make after it has loaded.
   It runs first in every page (and worker), patches the APIs through which
   scripts load things, and judges each URL exactly as the server does (see
   doc.go). It is called as (function consentgateGuard(G, R, D) {...})(self,
   rules, decision); decision null means: read it from the script element's
   data-granted and data-vendors attributes. */
(function consentgateGuard(G, R, D) {
  "use strict";
  var API = "__consentgate";
  var Obj = Object, ObjProto = Obj.prototype;
  var own = ObjProto.hasOwnProperty;
  if (own.call(G, API)) {
    // A window reused by a same-origin navigation from about:blank: the
    // guard of the new document updates the one already there.
    try { if (D) G[API].update(D); } catch (e) { /* not ours: leave it */ }
    return;
  }

  /* ---- primordials: captured before any page script runs ---- */
  var defProp = Obj.defineProperty, gOPD = Obj.getOwnPropertyDescriptor, gOPN = Obj.getOwnPropertyNames;
  var getProto = Obj.getPrototypeOf, setProto = Obj.setPrototypeOf, create = Obj.create;
  var FnProto = Function.prototype;
  var uncurry = FnProto.bind.bind(FnProto.call);
  var hasOwn = uncurry(own);
  var Refl = Reflect, apply = Refl.apply, construct = Refl.construct, rGet = Refl.get, rSet = Refl.set;
  var fnToString = uncurry(FnProto.toString);
  var SP = String.prototype;
  var indexOf = uncurry(SP.indexOf), lastIndexOf = uncurry(SP.lastIndexOf), slice = uncurry(SP.slice), lower = uncurry(SP.toLowerCase), code = uncurry(SP.charCodeAt);
  var fromCode = String.fromCharCode;
  var JSONstringify = JSON.stringify, JSONparse = JSON.parse;
  var WM = WeakMap, wmGet = uncurry(WM.prototype.get), wmSet = uncurry(WM.prototype.set), wmHas = uncurry(WM.prototype.has), wmDel = uncurry(WM.prototype["delete"]);
  var NMap = Map, mapGet = uncurry(NMap.prototype.get), mapSet = uncurry(NMap.prototype.set), mapDel = uncurry(NMap.prototype["delete"]);
  var NProxy = Proxy, NWeakRef = typeof WeakRef === "function" ? WeakRef : null;
  var derefWeak = NWeakRef ? uncurry(NWeakRef.prototype.deref) : null;
  var NURL = G.URL, UP = NURL.prototype;
  var getter = function (proto, name) { var d = gOPD(proto, name); return d && d.get ? uncurry(d.get) : null; };
  var urlHref = getter(UP, "href"), urlProtocol = getter(UP, "protocol"), urlHostname = getter(UP, "hostname"),
    urlPathname = getter(UP, "pathname"), urlSearch = getter(UP, "search"), urlOrigin = getter(UP, "origin");
  var createObjectURL = NURL.createObjectURL, revokeObjectURL = NURL.revokeObjectURL;
  var NBlob = G.Blob;
  var setTimeoutN = G.setTimeout, consoleN = G.console;
  var SELF_SOURCE = fnToString(consentgateGuard);
  var HTML_NS = "http://www.w3.org/1999/xhtml", SVG_NS = "http://www.w3.org/2000/svg", XLINK_NS = "http://www.w3.org/1999/xlink";

  function str(v) { return typeof v === "string" ? v : "" + v; }
  function dict() { return create(null); }
  function later(fn) { apply(setTimeoutN, G, [fn, 0]); }
  function startsFold(s, at, lowPrefix) {
    // s[at:] begins with lowPrefix (lower-case), ASCII letters folded.
    var n = lowPrefix.length;
    if (s.length - at < n) return false;
    for (var i = 0; i < n; i++) {
      var c = code(s, at + i);
      if (c >= 65 && c <= 90) c += 32;
      if (c !== code(lowPrefix, i)) return false;
    }
    return true;
  }
  function isSpace(c) { return c === 32 || c === 9 || c === 10 || c === 12 || c === 13; }

  /* ---- rules: R, serialised by Go from rules.Tables ---- */
  var CATS = R.c, VENDORS = R.n, MODE = R.m, ENDPOINT = R.ep;
  var HOSTS = dict(), URLS = dict(), PATHS = R.p, CEXACT = dict(), CPREFIX = dict(), PLENS = [];
  var ALLOW_EXACT = dict(), ALLOW_PREFIX = R.cap || [];
  (function () {
    var i, seen = dict();
    for (i = 0; i < R.h.length; i++) HOSTS[R.h[i][0]] = R.h[i][1];
    for (i = 0; i < R.u.length; i++) {
      var u = R.u[i], list = URLS[u[0]] || (URLS[u[0]] = []);
      list[list.length] = u; // [host, path, query[], vendor]; longest path first
    }
    for (i = 0; i < R.ce.length; i++) CEXACT[R.ce[i][0]] = R.ce[i][1];
    for (i = 0; i < R.cp.length; i++) {
      var p = R.cp[i][0];
      CPREFIX[p] = R.cp[i][1];
      if (!seen[p.length]) { seen[p.length] = 1; PLENS[PLENS.length] = p.length; }
    }
    PLENS.sort(function (a, b) { return b - a; });
    for (i = 0; i < (R.ca || []).length; i++) ALLOW_EXACT[R.ca[i]] = 1;
  })();

  /* ---- the decision ---- */
  var granted = [], vendorOK = [], overrides = dict(), decision = null;
  function setDecision(d) {
    var i, g = dict(), names = d && (d.granted || d.g) || [], vs = d && (d.vendors || d.v) || null;
    for (i = 0; i < names.length; i++) g[names[i]] = 1;
    for (i = 0; i < CATS.length; i++) granted[i] = i === 0 || !!g[CATS[i]];
    overrides = dict();
    if (vs) {
      if (typeof vs.length === "number") { for (i = 0; i < vs.length; i++) overrides[vs[i]] = true; } else { for (var k in vs) if (hasOwn(vs, k)) overrides[k] = !!vs[k]; }
    }
    // The endpoint's JSON answer names the vendors chosen on their own.
    var vg = d && d.vendors_granted || [], vr = d && d.vendors_refused || [];
    for (i = 0; i < vg.length; i++) overrides[vg[i]] = true;
    for (i = 0; i < vr.length; i++) overrides[vr[i]] = false;
    for (i = 0; i < VENDORS.length; i++) {
      var v = VENDORS[i], ok = true;
      for (var j = 0; j < v[1].length; j++) if (!granted[v[1][j]]) ok = false;
      if (overrides[v[0]] !== undefined) ok = overrides[v[0]];
      vendorOK[i] = ok;
    }
    decision = { granted: [], vendors: {} };
    for (i = 0; i < CATS.length; i++) if (granted[i]) decision.granted[decision.granted.length] = CATS[i];
    for (k in overrides) decision.vendors[k] = overrides[k];
  }
  function missing(vi) {
    var out = [], need = VENDORS[vi][1], j;
    for (j = 0; j < need.length; j++) if (!granted[need[j]]) out[out.length] = CATS[need[j]];
    if (!out.length) for (j = 0; j < need.length; j++) out[out.length] = CATS[need[j]];
    return out;
  }

  /* ---- judging URLs, exactly as rules.Ruleset.MatchURL on weburl.Parse ---- */
  function queryHas(query, want) {
    for (var i = 0; i < want.length; i++) {
      var found = false, at = 0;
      while (at < query.length && !found) {
        var amp = indexOf(query, "&", at);
        if (amp < 0) amp = query.length;
        found = startsFold(slice(query, at, amp), 0, want[i]);
        at = amp + 1;
      }
      if (!found) return false;
    }
    return true;
  }
  function matchURL(host, path, query) {
    var hostV = -1, urlV = -1, urlLen = -1, h = host;
    while (h.length) {
      if (hostV < 0) { var hv = HOSTS[h]; if (hv !== undefined) hostV = hv; }
      var list = URLS[h];
      if (list !== undefined) {
        for (var i = 0; i < list.length; i++) {
          var r = list[i];
          if (r[1].length <= urlLen) break;
          if (startsFold(path, 0, r[1]) && queryHas(query, r[2])) { urlV = r[3]; urlLen = r[1].length; break; }
        }
      }
      var dot = indexOf(h, ".");
      if (dot < 0) break;
      h = slice(h, dot + 1);
    }
    if (urlV >= 0) return urlV;
    if (hostV >= 0) return hostV;
    if (!path.length) return -1;
    for (var k = 0; k < PATHS.length; k++) {
      var s = PATHS[k][0];
      if (path.length >= s.length && startsFold(path, path.length - s.length, s)) return PATHS[k][1];
    }
    return -1;
  }
  function hexVal(c) { return c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1; }
  // decodeUnreserved decodes %XX escapes of unreserved characters in a
  // path, as weburl does (a server reads them the same).
  function decodeUnreserved(p) {
    if (indexOf(p, "%") < 0) return p;
    var out = "", i = 0;
    while (i < p.length) {
      var c = code(p, i);
      if (c === 37 && i + 2 < p.length) {
        var a = hexVal(code(p, i + 1)), b = hexVal(code(p, i + 2));
        if (a >= 0 && b >= 0) {
          var ch = fromCode(a * 16 + b);
          if ((a * 16 + b >= 48 && a * 16 + b <= 57) || (a * 16 + b >= 65 && a * 16 + b <= 90) || (a * 16 + b >= 97 && a * 16 + b <= 122) || ch === "-" || ch === "." || ch === "_" || ch === "~") {
            out += ch; i += 3; continue;
          }
        }
      }
      out += p[i]; i++;
    }
    return out;
  }
  // resolve returns [href, host, pathAndQuery...] of raw resolved against
  // base, or null when it names no network resource a tracker could own.
  function resolve(raw, base) {
    var s = str(raw), a = 0, b = s.length;
    while (a < b && code(s, a) <= 32) a++;
    while (b > a && code(s, b - 1) <= 32) b--;
    if (a === b || code(s, a) === 35) return null; // empty or fragment-only: the document itself
    var u;
    try { u = new NURL(s, base); } catch (e) { return null; }
    var proto = urlProtocol(u);
    if (proto !== "https:" && proto !== "http:" && proto !== "wss:" && proto !== "ws:") return null;
    var host = urlHostname(u), n = host.length;
    while (n > 0 && code(host, n - 1) === 46) n--;
    if (n === 0) return null;
    return { u: u, host: slice(host, 0, n) };
  }
  // ABSOLUTE and ROOTED match the URLs a parser gives back unchanged: an
  // http(s) URL of a plain lower-case host, or a path from the root, whose
  // path and query hold only printable ASCII a browser sends as it is (no
  // backslash, '#', '%', quote, '<', '>', '`', '{', '}' or apostrophe).
  var ABSOLUTE = /^https?:\/\/([a-z0-9.\-]+)(\/[!$&()*+,\-./0-9:;=@A-Z[\]^_a-z|~]*)?(?:\?([!$&()*+,\-./0-9:;=?@A-Z[\]^_a-z|~]*))?$/;
  var ROOTED = /^(\/(?![/\\])[!$&()*+,\-./0-9:;=@A-Z[\]^_a-z|~]*)(?:\?([!$&()*+,\-./0-9:;=?@A-Z[\]^_a-z|~]*))?$/;
  var reExec = uncurry(RegExp.prototype.exec);
  var lastBase = null, lastBaseHost = null, lastBaseProto = null;
  // fastParts returns [host, path, query] of a URL that ABSOLUTE or
  // ROOTED matches, without dot segments, or null for anything else
  // (which new URL then parses).
  function fastParts(s, base) {
    var m = reExec(ABSOLUTE, s), host, path, query;
    if (m) {
      host = m[1]; path = m[2] || "/"; query = m[3];
      if (!plainHost(host)) return null;
    } else {
      m = reExec(ROOTED, s);
      if (!m) return null;
      if (typeof base === "function") base = base();
      if (base !== lastBase) {
        lastBase = base; lastBaseHost = null;
        try { var b = new NURL(base); lastBaseProto = urlProtocol(b); lastBaseHost = urlHostname(b); } catch (e) { lastBaseHost = null; }
      }
      if (lastBaseHost === null || (lastBaseProto !== "https:" && lastBaseProto !== "http:") || !plainHost(lastBaseHost)) return null;
      host = lastBaseHost; path = m[1]; query = m[2];
    }
    if (indexOf(path, "/.") >= 0) return null; // a dot segment, maybe
    return [host, path, query === undefined ? "" : query];
  }
  // plainHost: lower-case letters, digits, '-' and inner dots, not
  // ending in a number (an IPv4 address) nor holding punycode.
  function plainHost(h) {
    var n = h.length;
    if (!n || code(h, 0) === 46 || code(h, n - 1) === 46 || indexOf(h, "..") >= 0 || indexOf(h, "xn--") >= 0) return false;
    var last = code(h, n - 1);
    if (last >= 48 && last <= 57) return false;
    var dot = lastIndexOf(h, ".");
    if (dot >= 0 && slice(h, dot + 1, dot + 3) === "0x") return false;
    return true;
  }
  // matchIndex returns the vendor index of the rule a URL matches, or -1,
  // reading plain absolute and rooted URLs without new URL (fastParts).
  // base is the document's base URL, or a function returning it (called
  // only for relative URLs). lastURL is the URL matched, for reports.
  function matchIndex(s, base) {
    var f = fastParts(s, base), vi;
    if (f) {
      vi = matchURL(f[0], f[1], f[2]);
      if (vi >= 0) lastURL = s;
      return vi;
    }
    if (typeof base === "function") base = base();
    var r = resolve(s, base);
    if (!r) return -1;
    var search = urlSearch(r.u);
    vi = matchURL(r.host, decodeUnreserved(urlPathname(r.u)), search.length ? slice(search, 1) : "");
    if (vi >= 0) lastURL = urlHref(r.u);
    return vi;
  }
  var lastURL = "";
  // judgeURL returns the vendor index of a URL the visitor has not
  // allowed, or -1. Every judgement of the guard goes through it, and the
  // agreement tests through matchIndex (the API's match()).
  function judgeURL(raw, base) {
    var vi = matchIndex(str(raw), base);
    return vi < 0 || vendorOK[vi] ? -1 : vi;
  }

  // judgeList judges a srcset (comma-separated candidates with
  // descriptors) or a space-separated URL list (ping, attributionsrc).
  function judgeList(v, srcset, base) {
    var i = 0, n = v.length;
    if (typeof base === "function") base = base();
    while (i < n) {
      while (i < n && (isSpace(code(v, i)) || srcset && code(v, i) === 44)) i++;
      var start = i;
      while (i < n && !isSpace(code(v, i))) i++;
      var u = slice(v, start, i);
      if (srcset) {
        if (u.length && code(u, u.length - 1) === 44) {
          while (u.length && code(u, u.length - 1) === 44) u = slice(u, 0, u.length - 1);
        } else {
          var depth = 0;
          while (i < n && !(code(v, i) === 44 && depth === 0)) {
            var c = code(v, i);
            if (c === 40) depth++; else if (c === 41) depth--;
            i++;
          }
        }
      }
      if (u.length) { var vi = judgeURL(u, base); if (vi >= 0) return vi; }
    }
    return -1;
  }

  /* ---- CSS: url(), @import and image-set() strings, escapes decoded ---- */
  function unescapeCSS(css) {
    if (indexOf(css, "\\") < 0) return css;
    var out = "", i = 0;
    while (i < css.length) {
      var c = css[i];
      if (c !== "\\" || i + 1 >= css.length) { out += c; i++; continue; }
      i++;
      var n = 0, cp = 0;
      while (n < 6 && i + n < css.length && hexVal(code(css, i + n)) >= 0) { cp = cp * 16 + hexVal(code(css, i + n)); n++; }
      if (n === 0) { if (css[i] !== "\n") out += css[i]; i++; continue; }
      i += n;
      if (i < css.length && isSpace(code(css, i))) i++;
      if (cp === 0 || cp > 0x10ffff || cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      out += cp > 0xffff ? fromCode(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 1023)) : fromCode(cp);
    }
    return out;
  }
  // cssURLs calls fn(start, end) for each URL css can load, as the server's
  // judgeCSS finds them; fn returns true to stop.
  function cssURLs(css, fn) {
    var i = 0, n = css.length;
    while (i < n) {
      var p = indexOf(css, "(", i), at = indexOf(css, "@", i);
      if (p < 0) p = n;
      if (at < 0) at = n;
      var q = p < at ? p : at;
      if (q >= n) return;
      i = q + 1;
      var k, e;
      if (css[q] === "(" && q >= 3 && startsFold(css, q - 3, "url")) {
        k = q + 1;
        while (k < n && isSpace(code(css, k))) k++;
        if (k < n && (css[k] === "\"" || css[k] === "'")) {
          e = indexOf(css, css[k], k + 1);
          if (e < 0) e = n;
          if (fn(k + 1, e)) return;
        } else {
          e = indexOf(css, ")", k);
          if (e < 0) e = n;
          var t = e;
          while (t > k && isSpace(code(css, t - 1))) t--;
          if (fn(k, t)) return;
        }
      } else if (css[q] === "@" && startsFold(css, q, "@import")) {
        k = q + 7;
        while (k < n && isSpace(code(css, k))) k++;
        if (k < n && (css[k] === "\"" || css[k] === "'")) {
          e = indexOf(css, css[k], k + 1);
          if (e < 0) e = n;
          if (fn(k + 1, e)) return;
        }
      } else if (css[q] === "(" && q >= 9 && startsFold(css, q - 9, "image-set")) {
        var end = indexOf(css, ")", q + 1);
        if (end < 0) end = n;
        k = q + 1;
        while (k < end) {
          var s1 = indexOf(css, "\"", k), s2 = indexOf(css, "'", k);
          if (s1 < 0 || s1 >= end) s1 = end;
          if (s2 < 0 || s2 >= end) s2 = end;
          var s = s1 < s2 ? s1 : s2;
          if (s >= end) break;
          var close = indexOf(css, css[s], s + 1);
          if (close < 0 || close >= end) break;
          if (fn(s + 1, close)) return;
          k = close + 1;
        }
      }
    }
  }
  // judgeCSS returns the vendor of the first refused URL in css, or -1.
  function judgeCSS(css, base) {
    if (indexOf(css, "(") < 0 && indexOf(css, "@") < 0) return -1;
    var found = -1;
    var scan = function (text) {
      cssURLs(text, function (a, b) {
        var vi = judgeURL(slice(text, a, b < a + 4096 ? b : a + 4096), base);
        if (vi >= 0) { found = vi; return true; }
        return false;
      });
    };
    scan(css);
    if (found < 0 && indexOf(css, "\\") >= 0) scan(unescapeCSS(css));
    return found;
  }
  // neutralCSS returns css with every refused URL replaced by one that
  // loads nothing, so a rule or declaration keeps its place and meaning.
  function neutralCSS(css, base) {
    var text = css, out = "", last = 0, changed = false;
    var edit = function (t) {
      out = ""; last = 0;
      cssURLs(t, function (a, b) {
        if (judgeURL(slice(t, a, b), base) >= 0) { out += slice(t, last, a) + "data:,"; last = b; changed = true; }
        return false;
      });
      out += slice(t, last);
    };
    edit(text);
    if (!changed && indexOf(css, "\\") >= 0) edit(unescapeCSS(css));
    return changed ? out : css;
  }

  /* ---- cookies, as middleware.browserCookieName and keepCookie ---- */
  function trimCookieSpace(s) {
    var a = 0, b = s.length;
    while (a < b && (s[a] === " " || s[a] === "\t" || s[a] === "\r" || s[a] === "\n")) a++;
    while (b > a && (s[b - 1] === " " || s[b - 1] === "\t" || s[b - 1] === "\r" || s[b - 1] === "\n")) b--;
    return slice(s, a, b);
  }
  // cookieName returns the name a server reads back for a cookie string,
  // or null when a browser stores nothing.
  function cookieName(line) {
    for (var i = 0; i < line.length; i++) { var c = code(line, i); if (c < 32 && c !== 9 || c === 127) return null; }
    var semi = indexOf(line, ";"), pair = semi < 0 ? line : slice(line, 0, semi);
    var eq = indexOf(pair, "="), name = "", value;
    if (eq >= 0) { name = slice(pair, 0, eq); value = slice(pair, eq + 1); } else value = pair;
    name = trimCookieSpace(name); value = trimCookieSpace(value);
    if (!name.length && !value.length || name.length + value.length > 4096) return null;
    if (name.length) return name;
    eq = indexOf(value, "=");
    return eq >= 0 ? trimCookieSpace(slice(value, 0, eq)) : value;
  }
  // cookieVendor returns the vendor of a cookie name (-1 none), -2 for an
  // always-allowed name.
  function cookieVendor(name) {
    if (ALLOW_EXACT[name]) return -2;
    for (var i = 0; i < ALLOW_PREFIX.length; i++) if (slice(name, 0, ALLOW_PREFIX[i].length) === ALLOW_PREFIX[i]) return -2;
    var v = CEXACT[name];
    if (v !== undefined) return v;
    for (i = 0; i < PLENS.length; i++) {
      if (PLENS[i] > name.length) continue;
      v = CPREFIX[slice(name, 0, PLENS[i])];
      if (v !== undefined) return v;
    }
    return -1;
  }
  function unknownMissing() {
    var out = [];
    for (var i = 0; i < R.cu.length; i++) if (!granted[R.cu[i]]) out[out.length] = CATS[R.cu[i]];
    return out;
  }
  function cookieRefused(name) {
    var v = cookieVendor(name);
    if (v === -2) return false;
    if (v >= 0) return !vendorOK[v];
    for (var i = 0; i < R.cu.length; i++) if (!granted[R.cu[i]]) return true;
    return false;
  }
  // cookieDeletes reports whether a cookie string expires its cookie:
  // Max-Age of zero or less, or (without Max-Age) an Expires in the past.
  function cookieDeletes(line) {
    var parts = line.split(";"), maxAge = null, expires = null;
    for (var i = 1; i < parts.length; i++) {
      var p = parts[i], eq = indexOf(p, "="), k = lower(trimCookieSpace(eq < 0 ? p : slice(p, 0, eq))), v = eq < 0 ? "" : trimCookieSpace(slice(p, eq + 1));
      if (k === "max-age" && /^-?[0-9]+$/.test(v)) maxAge = +v;
      else if (k === "expires") { var t = cookieDate(v); if (t !== null) expires = t; }
    }
    if (maxAge !== null) return maxAge <= 0;
    return expires !== null && expires <= Date.now();
  }
  // cookieDate parses an Expires value as RFC 6265 section 5.1.1 does, or
  // returns null.
  function cookieDate(s) {
    var toks = s.split(/[\x09\x20-\x2F\x3B-\x40\x5B-\x60\x7B-\x7E]+/), time = null, day = null, month = null, year = null, m;
    var months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    for (var i = 0; i < toks.length; i++) {
      var t = toks[i];
      if (!t) continue;
      if (time === null && (m = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[^\d]|$)/.exec(t))) { time = [+m[1], +m[2], +m[3]]; continue; }
      if (day === null && (m = /^(\d{1,2})(?:[^\d]|$)/.exec(t))) { day = +m[1]; continue; }
      if (month === null && months.indexOf(lower(slice(t, 0, 3))) >= 0 && t.length >= 3) { month = months.indexOf(lower(slice(t, 0, 3))); continue; }
      if (year === null && (m = /^(\d{2,4})(?:[^\d]|$)/.exec(t))) { year = +m[1]; if (year >= 70 && year <= 99) year += 1900; else if (year <= 69) year += 2000; continue; }
    }
    if (time === null || day === null || month === null || year === null || day < 1 || day > 31 || year < 1601 || time[0] > 23 || time[1] > 59 || time[2] > 59) return null;
    return Date.UTC(year, month, day, time[0], time[1], time[2]);
  }

  /* ---- elements: the table of which elements load which attributes ---- */
  var KIND_URL = R.en.url, KIND_SRCSET = R.en.srcset, WHEN_REL = R.en.rel, WHEN_IMAGE = R.en.image;
  var SP_HTML = R.en.html, SP_SVG = R.en.svg, HELD_PREFIX = R.en.held;
  var ELEM = dict(), WATCH = dict(), RELS = dict(), PROPS = [];
  ELEM[SP_HTML] = dict(); ELEM[SP_SVG] = dict();
  (function () {
    for (var i = 0; i < R.e.length; i++) {
      var e = R.e[i], info = { name: e[0], space: e[1], when: e[2], keep: !!e[3], attrs: dict(), list: [] };
      for (var j = 0; j < e[4].length; j++) {
        var a = e[4][j], at = { n: a[0], k: a[1], p: a[2], aside: !!a[3], lazy: !!a[4] };
        info.attrs[a[0]] = at;
        info.list[info.list.length] = at;
        WATCH[a[0]] = 1;
        if (a[2]) PROPS[PROPS.length] = [e[0], e[1], a[0], a[2], a[1]];
      }
      ELEM[e[1]][e[0]] = info;
    }
    for (i = 0; i < R.r.length; i++) RELS[R.r[i]] = 1;
    WATCH.style = WATCH.rel = WATCH.type = WATCH.srcdoc = 1;
  })();

  /* ---- statistics and reports ---- */
  var stats = dict(), reports = [], reportTimer = false, reportSent = 0;
  function note(kind, vi, url) {
    stats[kind] = (stats[kind] || 0) + 1;
    if (MODE !== "report" || reportSent + reports.length >= 100) return;
    var u = url || lastURL, q = indexOf(u, "?");
    reports[reports.length] = { kind: kind, url: q < 0 ? u : slice(u, 0, q), vendor: vi >= 0 ? VENDORS[vi][0] : "", missing: vi >= 0 ? missing(vi) : unknownMissing() };
    if (!reportTimer) { reportTimer = true; apply(setTimeoutN, G, [flushReports, 2000]); }
  }
  function flushReports() {
    reportTimer = false;
    if (!reports.length) return;
    var batch = reports; reports = [];
    reportSent += batch.length;
    var body = JSONstringify({ v: 1, page: G.location ? G.location.pathname : "", items: batch });
    try {
      if (N.sendBeacon) N.sendBeacon(G.navigator, ENDPOINT + "/report", body);
    } catch (e) { /* a report is best effort */ }
  }
  // refused reports whether a judgement stops the request: in report mode
  // it is only noted.
  function refused(kind, vi, url) {
    if (vi < 0 && kind !== "cookie") return false;
    note(kind, vi, url);
    return MODE !== "report";
  }

  /* ---- natives of the first realm, used on nodes of any realm ---- */
  var N = {};
  var isWindow = typeof G.Document === "function" && typeof G.document === "object";
  function cap(proto, name) { var d = proto && gOPD(proto, name); return d && typeof d.value === "function" ? uncurry(d.value) : null; }
  function capSet(proto, name) { var d = proto && gOPD(proto, name); return d && d.set ? uncurry(d.set) : null; }
  if (isWindow) {
    var EP = G.Element.prototype, NP = G.Node.prototype, DP = G.Document.prototype;
    N.getAttribute = cap(EP, "getAttribute"); N.setAttribute = cap(EP, "setAttribute"); N.removeAttribute = cap(EP, "removeAttribute");
    N.hasAttribute = cap(EP, "hasAttribute"); N.getAttributeNS = cap(EP, "getAttributeNS"); N.setAttributeNS = cap(EP, "setAttributeNS");
    N.removeAttributeNS = cap(EP, "removeAttributeNS"); N.querySelectorAll = cap(EP, "querySelectorAll"); N.fragQSA = cap(G.DocumentFragment.prototype, "querySelectorAll");
    N.localName = getter(EP, "localName"); N.namespaceURI = getter(EP, "namespaceURI"); N.ownerDocument = getter(NP, "ownerDocument");
    N.parentNode = getter(NP, "parentNode"); N.isConnected = getter(NP, "isConnected"); N.baseURI = getter(NP, "baseURI");
    N.nodeType = getter(NP, "nodeType"); N.textContent = getter(NP, "textContent"); N.firstChild = getter(NP, "firstChild");
    N.cloneNode = cap(NP, "cloneNode"); N.firstElement = getter(EP, "firstElementChild"); N.fragFirstElement = getter(G.DocumentFragment.prototype, "firstElementChild"); N.querySelector = cap(EP, "querySelector"); N.fragQS = cap(G.DocumentFragment.prototype, "querySelector");
    N.nextSibling = getter(NP, "nextSibling"); N.defaultView = getter(DP, "defaultView"); N.compatMode = getter(DP, "compatMode");
    N.innerHTMLGet = getter(EP, "innerHTML"); N.innerHTMLSet = capSet(EP, "innerHTML");
    N.createElementNS = cap(DP, "createElementNS"); N.dispatchEvent = cap(G.EventTarget.prototype, "dispatchEvent");
    N.addEventListener = cap(G.EventTarget.prototype, "addEventListener");
    N.templateContent = getter(G.HTMLTemplateElement.prototype, "content");
    N.attrName = getter(G.Attr.prototype, "name"); N.attrValue = getter(G.Attr.prototype, "value"); N.attrOwner = getter(G.Attr.prototype, "ownerElement");
    N.charData = getter(G.CharacterData.prototype, "data");
    N.parseFromString = cap(G.DOMParser.prototype, "parseFromString"); N.DOMParser = G.DOMParser;
    N.sendBeacon = G.Navigator && cap(G.Navigator.prototype, "sendBeacon");
    N.postMessage = G.ServiceWorker && cap(G.ServiceWorker.prototype, "postMessage");
    N.swController = G.ServiceWorkerContainer && getter(G.ServiceWorkerContainer.prototype, "controller");
    N.document = G.document;
    N.Event = G.Event;
    N.contentWindow = getter(G.HTMLIFrameElement.prototype, "contentWindow");
    N.remove = cap(EP, "remove");
  }
  N.workerPost = G.Worker && cap(G.Worker.prototype, "postMessage");
  var CURRENT_NONCE = "";
  if (isWindow) {
    try { var cs = G.document.currentScript; if (cs) CURRENT_NONCE = cs.nonce || N.getAttribute(cs, "nonce") || ""; } catch (e) { /* no script */ }
  }

  function localNameOf(el) { return N.localName(el); }
  // elemInfo returns the table's entry for an element, or null.
  function elemInfo(el) {
    var ns = N.namespaceURI(el);
    if (ns === HTML_NS) return ELEM[SP_HTML][N.localName(el)] || null;
    if (ns === SVG_NS) return ELEM[SP_SVG][lower(N.localName(el))] || null;
    return null;
  }
  function docOf(node) { return N.nodeType(node) === 9 ? node : N.ownerDocument(node); }
  function liveDoc(doc) { return doc && N.defaultView(doc) ? doc : N.document; }
  function baseOf(node) {
    var doc = docOf(node);
    if (doc && N.defaultView(doc)) return N.baseURI(node);
    return N.baseURI(N.document);
  }
  function relLoads(rel) {
    var words = lower(str(rel)).split(/[\t\n\f\r ]+/);
    for (var i = 0; i < words.length; i++) if (RELS[words[i]]) return true;
    return false;
  }
  // judgeAttr returns the vendor index an attribute value loads from
  // when refused, or -1. rel and type are the element's, as they will be.
  function judgeAttr(el, info, at, value, base) {
    if (info.when === WHEN_REL) { var rel = N.getAttribute(el, "rel"); if (rel === null || !relLoads(rel)) return -1; }
    if (info.when === WHEN_IMAGE) { var t = N.getAttribute(el, "type"); if (t === null || lower(trimCookieSpace(t)) !== "image") return -1; }
    if (at.k === KIND_URL) return judgeURL(value, base);
    return judgeList(value, at.k === KIND_SRCSET, base);
  }

  /* ---- holding attributes: data-consent-<attr>, data-consent, data-consent-vendor ---- */
  var HELD = new WM(), heldAny = false, queue = [], pendingErrors = [];
  function ref(x) { return NWeakRef ? new NWeakRef(x) : { v: x }; }
  function deref(r) { return NWeakRef ? derefWeak(r) : r.v; }
  function recOf(el, make) {
    var rec = heldAny ? wmGet(HELD, el) : undefined;
    if (!rec && make) { rec = { a: dict(), type: undefined, seq: 0 }; wmSet(HELD, el, rec); heldAny = true; }
    return rec;
  }
  function heldValue(el, name) {
    if (!heldAny) return undefined;
    var rec = wmGet(HELD, el);
    return rec && rec.a[name] ? rec.a[name].raw : undefined;
  }
  function setMarks(el, vi) {
    var cur = N.getAttribute(el, "data-consent"), words = cur ? cur.split(" ") : [], m = missing(vi);
    for (var i = 0; i < m.length; i++) if (words.indexOf(m[i]) < 0) words[words.length] = m[i];
    N.setAttribute(el, "data-consent", words.join(" "));
    N.setAttribute(el, "data-consent-vendor", VENDORS[vi][0]);
  }
  function clearMarks(el) {
    var rec = recOf(el, false);
    if (rec) { for (var k in rec.a) return; if (rec.type !== undefined) return; }
    N.removeAttribute(el, "data-consent");
    N.removeAttribute(el, "data-consent-vendor");
  }
  function nativeSetAttr(el, name, value) {
    if (name === "xlink:href") N.setAttributeNS(el, XLINK_NS, "xlink:href", value); else N.setAttribute(el, name, value);
  }
  function nativeRemoveAttr(el, name) {
    if (name === "xlink:href") N.removeAttributeNS(el, XLINK_NS, "href"); else N.removeAttribute(el, name);
  }
  // hold keeps an attribute aside (mode neutralize) or drops it (remove).
  function hold(el, name, raw, vi, kind) {
    note(kind || localNameOf(el), vi);
    if (MODE === "report") return false;
    nativeRemoveAttr(el, name);
    var ln = localNameOf(el);
    if (MODE === "remove") { errorLater(el, ln, name); return true; }
    var rec = recOf(el, true), seq = ++rec.seq;
    rec.a[name] = { raw: str(raw), vi: vi, seq: seq };
    N.setAttribute(el, HELD_PREFIX + name, str(raw));
    if (ln === "script" && name === "src") holdType(el, rec);
    setMarks(el, vi);
    queue[queue.length] = { t: "attr", el: ref(el), name: name, seq: seq, vi: vi };
    errorLater(el, ln, name);
    return true;
  }
  // holdType makes a script or style element inert by its type, keeping
  // the site's type (the banner restores data-consent-type).
  function holdType(el, rec) {
    if (rec.type !== undefined) return;
    var t = N.getAttribute(el, "type");
    rec.type = t;
    if (t !== null) N.setAttribute(el, "data-consent-type", t);
    N.setAttribute(el, "type", "text/plain");
  }
  function releaseType(el, rec) {
    if (rec.type === undefined) return;
    var t = rec.type;
    rec.type = undefined;
    N.removeAttribute(el, "data-consent-type");
    if (t === null) N.removeAttribute(el, "type"); else N.setAttribute(el, "type", t);
  }
  // unhold forgets a held attribute the site has set again or removed.
  function unhold(el, name) {
    var rec = recOf(el, false);
    if (!rec || !rec.a[name]) return;
    delete rec.a[name];
    N.removeAttribute(el, HELD_PREFIX + name);
    if (name === "src" && localNameOf(el) === "script") releaseType(el, rec);
    clearMarks(el);
  }
  // errorLater fires the error event a failed load would, once the
  // element would have loaded: at once for images, when connected for
  // scripts, styles, objects and media.
  function errorLater(el, ln, name) {
    if (name === "ping" || name === "attributionsrc" || name === "style" || name === "href" && ln === "a" || ln === "iframe" || ln === "frame") return;
    if (name !== "src" && name !== "srcset" && name !== "href" && name !== "data" && name !== "xlink:href" && name !== "poster") return;
    if (ln === "img" || ln === "input" || ln === "image" || ln === "feimage" || N.isConnected(el)) fireError(el);
    else pendingErrors[pendingErrors.length] = el;
  }
  function fireError(el) {
    later(function () { try { N.dispatchEvent(el, new N.Event("error")); } catch (e) { /* gone */ } });
  }
  function connectedErrors() {
    if (!pendingErrors.length) return;
    var keep = [];
    for (var i = 0; i < pendingErrors.length; i++) { var el = pendingErrors[i]; if (N.isConnected(el)) fireError(el); else keep[keep.length] = el; }
    pendingErrors = keep;
  }

  // Outcomes of setting an attribute.
  var PASS = 0, STOP = 1;
  // onAttr decides a script's setting of attribute name (lower case) on
  // el: PASS (set it), STOP (held or dropped), or a string to set instead.
  function onAttr(el, name, value) {
    var info = elemInfo(el), v;
    if (name === "style") {
      var rec0 = heldAny && recOf(el, false);
      v = judgeCSS(str(value), baseOf(el));
      if (v >= 0 && hold(el, "style", value, v, "style-attribute")) return STOP;
      if (rec0 && rec0.a.style) unhold(el, "style");
      return PASS;
    }
    var ln = localNameOf(el);
    if (name === "srcdoc" && ln === "iframe" && N.namespaceURI(el) === HTML_NS) return guardedSrcdoc(str(value));
    if (name === "rel" && ln === "link" && info) {
      var href = N.getAttribute(el, "href");
      if (href !== null && relLoads(value) && (v = judgeURL(href, baseOf(el))) >= 0) hold(el, "href", href, v, "link");
      return PASS;
    }
    if (name === "type") {
      if (ln === "script" || ln === "style") {
        var rec = recOf(el, false);
        if (rec && rec.type !== undefined) { rec.type = str(value); N.setAttribute(el, "data-consent-type", str(value)); return STOP; }
        if (ln === "script" && lower(trimCookieSpace(str(value))) === "speculationrules") {
          v = judgeRules(N.textContent(el), baseOf(el));
          if (v >= 0 && MODE !== "report") { note("speculationrules", v); rec = recOf(el, true); rec.type = str(value); N.setAttribute(el, "data-consent-type", str(value)); N.setAttribute(el, "type", "text/plain"); setMarks(el, v); queue[queue.length] = { t: "type", el: ref(el), vi: v }; return STOP; }
        }
        return PASS;
      }
      if (ln === "input" && info && lower(trimCookieSpace(str(value))) === "image") {
        var src = N.getAttribute(el, "src");
        if (src !== null && (v = judgeURL(src, baseOf(el))) >= 0) hold(el, "src", src, v, "input");
      }
      return PASS;
    }
    if (!info) return PASS;
    var at = info.attrs[name];
    if (!at) return PASS;
    v = judgeAttr(el, info, at, str(value), function () { return baseOf(el); });
    if (v >= 0) { if (hold(el, name, value, v, ln)) return STOP; return PASS; }
    if (heldAny) unhold(el, name);
    return PASS;
  }

  // stringsOf joins the strings held in a value (keyframes), as CSS.
  function stringsOf(x, depth) {
    if (typeof x === "string") return x + ";";
    if (x === null || typeof x !== "object" || depth > 4) return "";
    var out = "";
    for (var k in x) if (hasOwn(x, k)) out += stringsOf(x[k], depth + 1);
    return out;
  }

  /* ---- speculation rules: every string of the JSON judged as a URL ---- */
  function judgeRules(text, base) {
    var found = -1;
    var walk = function (x) {
      if (found >= 0 || x === null) return;
      if (typeof x === "string") { var v = judgeURL(x, base); if (v >= 0) found = v; return; }
      if (typeof x === "object") for (var k in x) if (hasOwn(x, k)) walk(x[k]);
    };
    try { walk(JSONparse(text)); } catch (e) { /* not JSON: the browser ignores it */ }
    return found;
  }

  /* ---- text of <style> and <script type=speculationrules> ---- */
  // onText judges the text a style or script element is about to get;
  // a style sheet loading a refused URL is made inert by its type.
  function onText(el, text) {
    var ln = N.localName(el), ns = N.namespaceURI(el), v;
    if (ln === "style" && (ns === HTML_NS || ns === SVG_NS)) {
      v = judgeCSS(text, baseOf(el));
      var rec = heldAny ? recOf(el, false) : null;
      if (v >= 0) {
        note("style", v);
        if (MODE === "report") return;
        rec = recOf(el, true);
        if (rec.type === undefined) { holdType(el, rec); setMarks(el, v); queue[queue.length] = { t: "type", el: ref(el), vi: v }; }
      } else if (rec && rec.type !== undefined) {
        releaseType(el, rec); clearMarks(el);
      }
      return;
    }
    if (ln === "script" && ns === HTML_NS) {
      var rec2 = heldAny ? recOf(el, false) : null;
      var type = rec2 && rec2.type !== undefined ? rec2.type : N.getAttribute(el, "type");
      if (type === null || lower(trimCookieSpace(type)) !== "speculationrules") return;
      v = judgeRules(text, baseOf(el));
      if (v >= 0) {
        note("speculationrules", v);
        if (MODE === "report") return;
        rec2 = recOf(el, true);
        if (rec2.type === undefined) { holdType(el, rec2); setMarks(el, v); queue[queue.length] = { t: "type", el: ref(el), vi: v }; }
      }
    }
  }
  function watchesText(el) {
    var ln = N.localName(el);
    return ln === "style" || ln === "script";
  }

  /* ---- markup: strings parsed by script ---- */
  var inertDocs = [null, null];
  function inertDoc(quirks) {
    var i = quirks ? 1 : 0;
    if (!inertDocs[i]) inertDocs[i] = N.parseFromString(new N.DOMParser(), quirks ? "<html><body>" : "<!DOCTYPE html><html><body>", "text/html");
    return inertDocs[i];
  }
  var SELECTOR = (function () {
    var names = dict(), out = [];
    for (var k in ELEM[SP_HTML]) names[k] = 1;
    for (k in ELEM[SP_SVG]) names[k] = 1;
    names.style = names.script = names.iframe = 1;
    for (k in names) out[out.length] = k;
    out[out.length] = "feImage";
    out[out.length] = "[style]";
    return out.join(",");
  })();
  // cleanTree holds what each element under root (root included) loads
  // from refused trackers; it reports whether it changed anything.
  function cleanTree(root, base) {
    var changed = false, list;
    if (N.nodeType(root) === 1) { changed = cleanElement(root, base) || changed; list = N.querySelectorAll(root, SELECTOR); }
    else if (N.nodeType(root) === 11) list = N.fragQSA(root, SELECTOR);
    else return false;
    for (var i = 0; i < list.length; i++) changed = cleanElement(list[i], base) || changed;
    return changed;
  }
  function cleanElement(el, base) {
    var info = elemInfo(el), changed = false, v, i;
    var style = N.getAttribute(el, "style");
    if (style !== null && (v = judgeCSS(style, base)) >= 0) changed = hold(el, "style", style, v, "style-attribute") || changed;
    var ln = N.localName(el);
    if (ln === "iframe" && N.hasAttribute(el, "srcdoc")) {
      var sd = N.getAttribute(el, "srcdoc"), g = guardedSrcdoc(sd);
      if (typeof g === "string" && g !== sd) { N.setAttribute(el, "srcdoc", g); changed = true; }
    }
    if (watchesText(el)) {
      var before = N.getAttribute(el, "type");
      onText(el, N.textContent(el));
      if (N.getAttribute(el, "type") !== before) changed = true;
    }
    if (!info) return changed;
    var removeEl = false;
    for (i = 0; i < info.list.length; i++) {
      var at = info.list[i], name = at.n;
      var val = name === "xlink:href" ? N.getAttributeNS(el, XLINK_NS, "href") : N.getAttribute(el, name);
      if (val === null) continue;
      v = judgeAttr(el, info, at, val, base);
      if (v < 0) continue;
      if (MODE === "remove" && !at.aside && !info.keep) { note(ln, v); removeEl = true; continue; }
      changed = hold(el, name, val, v, ln) || changed;
    }
    if (removeEl) { N.remove(el); changed = true; }
    return changed;
  }
  // contextFor returns an inert element to parse markup in as it would be
  // parsed in el (its name and namespace), in a document of el's mode.
  function contextFor(el) {
    var doc = docOf(el), quirks = N.compatMode(doc) === "BackCompat";
    var ns = N.namespaceURI(el) || HTML_NS, ln = N.localName(el);
    return N.createElementNS(inertDoc(quirks), ns, ln);
  }
  var RAW_TEXT = { script: 1, style: 1, textarea: 1, title: 1, xmp: 1, iframe: 1, noembed: 1, noframes: 1, noscript: 1, plaintext: 1 };
  // cleanMarkup returns markup with what it loads from refused trackers
  // held, as parsed in context element ctx; the markup itself when
  // nothing is (so a page's own HTML is parsed as it wrote it).
  function cleanMarkup(ctx, markup) {
    var s = str(markup);
    var ns = N.namespaceURI(ctx), ln = N.localName(ctx);
    if ((ns === HTML_NS || ns === SVG_NS) && RAW_TEXT[ln] && !(ns === SVG_NS && ln !== "style" && ln !== "script")) {
      if (ln === "style" || ln === "script") onText(ctx, s);
      return markup;
    }
    if (indexOf(s, "<") < 0) return markup;
    var base = baseOf(ctx), inert = contextFor(ctx);
    if (N.localName(inert) === "template") inert = N.createElementNS(N.ownerDocument(inert), HTML_NS, "div");
    N.innerHTMLSet(inert, s);
    if (!cleanTree(inert, base)) return markup;
    return trusted(N.innerHTMLGet(inert));
  }
  var ttPolicy;
  // trusted passes HTML the guard rewrote through a Trusted Types policy
  // where the page enforces them.
  function trusted(html) {
    if (!G.trustedTypes || !G.trustedTypes.createPolicy) return html;
    if (ttPolicy === undefined) {
      try { ttPolicy = G.trustedTypes.createPolicy("consentgate", { createHTML: function (x) { return x; } }); } catch (e) { ttPolicy = null; }
    }
    return ttPolicy ? ttPolicy.createHTML(html) : html;
  }

  /* ---- document.write: the written text itself, tag by tag ---- */
  var writeState = new WM();
  var RAW_END = { script: 1, style: 1, textarea: 1, title: 1, xmp: 1, iframe: 1, noembed: 1, noframes: 1, noscript: 1 };
  function decodeAttr(raw, quote) {
    if (indexOf(raw, "&") < 0) return raw;
    var d = N.parseFromString(new N.DOMParser(), "<i a=" + quote + raw + quote + ">", "text/html");
    var i = d.body.firstChild;
    return i ? N.getAttribute(i, "a") : raw;
  }
  function escAttr(v) { return str(v).split("&").join("&amp;").split("\"").join("&quot;"); }
  // rewriteTag returns a start tag with the attributes that load refused
  // trackers set aside, or the tag itself.
  function rewriteTag(doc, name, attrs, tagText, selfClose) {
    var info = ELEM[SP_HTML][name] || null, base = N.baseURI(doc), changed = false, vi = -1, i;
    var vals = dict();
    for (i = 0; i < attrs.length; i++) if (vals[attrs[i].n] === undefined) vals[attrs[i].n] = decodeAttr(attrs[i].v, attrs[i].q);
    for (i = 0; i < attrs.length; i++) {
      var a = attrs[i], v = -1, val = vals[a.n];
      if (a.dup) continue;
      if (a.n === "style") v = judgeCSS(val, base);
      else if (a.n === "srcdoc" && name === "iframe") { var g = guardedSrcdoc(val); if (typeof g === "string" && g !== val) { a.n2 = "srcdoc"; a.v2 = g; changed = true; } continue; }
      else if (info && info.attrs[a.n]) {
        var at = info.attrs[a.n];
        if (info.when === WHEN_REL && !(vals.rel !== undefined && relLoads(vals.rel))) continue;
        if (info.when === WHEN_IMAGE && !(vals.type !== undefined && lower(vals.type) === "image")) continue;
        v = at.k === KIND_URL ? judgeURL(val, base) : judgeList(val, at.k === KIND_SRCSET, base);
      }
      if (v < 0) continue;
      note(name, v);
      if (MODE === "report") continue;
      vi = v; changed = true;
      a.n2 = MODE === "remove" ? null : HELD_PREFIX + a.n;
      a.v2 = val;
    }
    if (!changed) return tagText;
    var out = "<" + name;
    for (i = 0; i < attrs.length; i++) {
      var b = attrs[i];
      if ((name === "script" || name === "style") && b.n === "type" && vi >= 0) { out += " data-consent-type=\"" + escAttr(vals.type) + "\""; continue; }
      if (b.n2 === null) continue;
      out += " " + (b.n2 || b.n) + (b.n2 ? "=\"" + escAttr(b.v2) + "\"" : b.raw);
    }
    if (vi >= 0) {
      if (name === "script" || name === "style") out += " type=\"text/plain\"";
      if (MODE !== "remove") out += " data-consent=\"" + escAttr(missing(vi).join(" ")) + "\" data-consent-vendor=\"" + escAttr(VENDORS[vi][0]) + "\"";
    }
    return out + (selfClose ? "/>" : ">");
  }
  // rewriteWritten rewrites text passed to document.write. A tag cut by
  // the end of a write is held back until the next write completes it.
  function rewriteWritten(doc, text, fresh) {
    var st = fresh || wmGet(writeState, doc);
    if (!st) { st = { pending: "", raw: null }; wmSet(writeState, doc, st); }
    var s = st.pending + text, out = "", i = 0, n = s.length;
    st.pending = "";
    while (i < n) {
      if (st.raw) {
        var lowS = lower(s), end = indexOf(lowS, "</" + st.raw, i);
        if (end < 0) { out += slice(s, i); return out; }
        out += slice(s, i, end); i = end; st.raw = null;
        continue;
      }
      var lt = indexOf(s, "<", i);
      if (lt < 0) { out += slice(s, i); break; }
      out += slice(s, i, lt); i = lt;
      if (i + 1 >= n) { st.pending = slice(s, i); break; }
      var c = s[i + 1];
      if (slice(s, i, i + 4) === "<\!--") {
        var ce = indexOf(s, "-->", i + 4);
        if (ce < 0) { st.pending = slice(s, i); break; }
        out += slice(s, i, ce + 3); i = ce + 3; continue;
      }
      if (c === "!" || c === "?" || c === "/") {
        var ge = indexOf(s, ">", i);
        if (ge < 0) { st.pending = slice(s, i); break; }
        out += slice(s, i, ge + 1); i = ge + 1; continue;
      }
      if (!/[A-Za-z]/.test(c)) { out += "<"; i++; continue; }
      var tag = parseTag(s, i);
      if (!tag) { st.pending = slice(s, i); break; }
      out += rewriteTag(doc, tag.name, tag.attrs, slice(s, i, tag.end), tag.selfClose);
      i = tag.end;
      if (RAW_END[tag.name]) st.raw = tag.name;
      else if (tag.name === "plaintext") { out += slice(s, i); return out; }
    }
    return out;
  }
  // parseTag reads a start tag at s[i] ('<' and a letter) as the HTML
  // tokenizer does, or returns null when it does not end in s.
  function parseTag(s, i) {
    var n = s.length, j = i + 1;
    while (j < n && !/[\t\n\f\r />]/.test(s[j])) j++;
    var name = lower(slice(s, i + 1, j)), attrs = [], seen = dict(), selfClose = false;
    for (;;) {
      while (j < n && /[\t\n\f\r \/]/.test(s[j])) { if (s[j] === "/" && s[j + 1] === ">") selfClose = true; j++; }
      if (j >= n) return null;
      if (s[j] === ">") return { name: name, attrs: attrs, end: j + 1, selfClose: selfClose };
      selfClose = false;
      var a = j;
      j++;
      while (j < n && !/[\t\n\f\r \/>=]/.test(s[j])) j++;
      var an = lower(slice(s, a, j)), av = "", q = "\"", rawStart = j;
      var k = j;
      while (k < n && /[\t\n\f\r ]/.test(s[k])) k++;
      if (k < n && s[k] === "=") {
        k++;
        while (k < n && /[\t\n\f\r ]/.test(s[k])) k++;
        if (k >= n) return null;
        if (s[k] === "\"" || s[k] === "'") {
          q = s[k];
          var e = indexOf(s, q, k + 1);
          if (e < 0) return null;
          av = slice(s, k + 1, e); j = e + 1;
        } else {
          var e2 = k;
          while (e2 < n && !/[\t\n\f\r >]/.test(s[e2])) e2++;
          if (e2 >= n) return null;
          av = slice(s, k, e2); j = e2;
          if (indexOf(av, "\"") >= 0) q = "'";
        }
      }
      attrs[attrs.length] = { n: an, v: av, q: q, raw: slice(s, rawStart, j), dup: !!seen[an] };
      seen[an] = 1;
    }
  }

  /* ---- srcdoc documents: the guard first, their markup judged ---- */
  function guardedSrcdoc(doc) {
    // A fresh tokenizer state: the document is complete.
    var st = { pending: "", raw: null }, body = rewriteWritten(N.document, doc, st) + st.pending;
    var boot = "<script" + (CURRENT_NONCE ? " nonce=\"" + escAttr(CURRENT_NONCE) + "\"" : "") + ">try{parent." + API + ".install(window)}catch(e){}<\/script>";
    // After a doctype, so the document keeps its mode.
    var m = /^(\s*(?:<\!--[\s\S]*?-->\s*)*<!doctype[^>]*>)/i.exec(body);
    return m ? m[1] + boot + slice(body, m[1].length) : boot + body;
  }

  /* ---- patching ---- */
  var ORIGINAL = new WM();
  function markWrapper(w, orig) { wmSet(ORIGINAL, w, orig); return w; }
  function patchMethod(proto, name, make) {
    var d = proto && gOPD(proto, name);
    if (!d || typeof d.value !== "function") return;
    var orig = d.value, w = make(orig, uncurry(orig));
    markWrapper(w, orig);
    try { defProp(w, "name", { value: orig.name }); defProp(w, "length", { value: orig.length }); } catch (e) { /* keep going */ }
    d.value = w;
    defProp(proto, name, d);
  }
  function patchAccessor(proto, name, makeGet, makeSet) {
    var d = proto && gOPD(proto, name);
    if (!d || !d.get && !d.set) return;
    if (makeGet && d.get) { var g = makeGet(uncurry(d.get), d.get); markWrapper(g, d.get); d.get = g; }
    if (makeSet && d.set) { var s = makeSet(uncurry(d.set), d.set); markWrapper(s, d.set); d.set = s; }
    defProp(proto, name, d);
  }
  // setGlobal replaces a global's property where it is defined: on a
  // window itself, on a worker's WorkerGlobalScope.prototype.
  function setGlobal(W, name, value) {
    for (var o = W; o; o = getProto(o)) {
      var d = gOPD(o, name);
      if (d) { d.value = value; defProp(o, name, d); return; }
    }
  }
  function patchConstructor(W, name, onConstruct) {
    var C = W[name];
    if (typeof C !== "function") return;
    var P = new NProxy(C, { construct: function (target, args, newTarget) { return onConstruct(target, args, newTarget); } });
    markWrapper(P, C);
    setGlobal(W, name, P);
    try { var pd = gOPD(C.prototype, "constructor"); if (pd && pd.value === C) { pd.value = P; defProp(C.prototype, "constructor", pd); } } catch (e) { /* keep going */ }
  }
  function networkError(W, what) { return new W.TypeError(what); }

  /* ---- the API ---- */
  var realms = [], workers = [];
  var api = create(null);
  api.update = function (d) {
    setDecision(d);
    release();
    notifyWorkers();
    return true;
  };
  api.decision = function () { return JSONparse(JSONstringify(decision)); };
  api.stats = function () { var o = {}; for (var k in stats) o[k] = stats[k]; return o; };
  api.match = function (raw, base) { var v = matchIndex(str(raw), base); return v < 0 ? null : VENDORS[v][0]; };
  api.cookie = function (line) { var n = cookieName(str(line)); if (n === null) return null; var v = cookieVendor(n); return { name: n, vendor: v >= 0 ? VENDORS[v][0] : v === -2 ? "" : null, refused: cookieRefused(n) }; };
  api.install = function (w) { installFrame(w); };
  api.version = 1;
  if (typeof Obj.freeze === "function") Obj.freeze(api);

  // release lets through, in order, what was held and is now allowed.
  function release() {
    var keep = [];
    for (var i = 0; i < queue.length; i++) {
      var q = queue[i];
      if (!vendorOK[q.vi]) { keep[keep.length] = q; continue; }
      try {
        if (q.t === "css") { q.run(); continue; }
        var el = deref(q.el);
        if (!el) continue;
        var rec = recOf(el, false);
        if (!rec) continue;
        if (q.t === "type") { releaseType(el, rec); clearMarks(el); continue; }
        var h = rec.a[q.name];
        if (!h || h.seq !== q.seq) continue;
        delete rec.a[q.name];
        N.removeAttribute(el, HELD_PREFIX + q.name);
        if (q.name === "src" && localNameOf(el) === "script") releaseType(el, rec);
        clearMarks(el);
        nativeSetAttr(el, q.name, h.raw);
      } catch (e) { /* an element gone or changed: nothing to release */ }
    }
    queue = keep;
  }
  function notifyWorkers() {
    var msg = { __consentgate: decision };
    for (var i = 0; i < workers.length; i++) {
      var w = deref(workers[i]);
      if (w) try { N.workerPost(w, msg); } catch (e) { /* ended */ }
    }
    if (isWindow && N.swController) {
      try { var c = N.swController(G.navigator.serviceWorker); if (c) N.postMessage(c, msg); } catch (e) { /* none */ }
    }
  }

  /* ---- one realm ---- */
  function installFrame(w) {
    try {
      if (!w || hasOwn(w, API)) return;
      var d = w.document; // throws for another origin
      if (!d) return;
      install(w);
    } catch (e) { /* another origin: its own server's business */ }
  }
  function install(W) {
    defProp(W, API, { value: api, enumerable: false, writable: false, configurable: false });
    realms[realms.length] = W;
    patchFunctionToString(W);
    patchNetwork(W);
    patchWorkers(W);
    if (typeof W.Document === "function" && W.document) {
      patchElements(W);
      patchMarkup(W);
      patchInsertion(W);
      patchCSS(W);
      patchCookies(W);
      patchFrames(W);
      patchForms(W);
    } else {
      patchCookieStore(W);
      listenForDecisions(W);
    }
  }

  function patchFunctionToString(W) {
    var FP = W.Function.prototype;
    patchMethod(FP, "toString", function (orig, call) {
      return function toString() {
        var o = typeof this === "function" ? wmGet(ORIGINAL, this) : undefined;
        return call(o !== undefined ? o : this);
      };
    });
  }

  /* ---- network APIs ---- */
  function baseOfRealm(W) { return W.document ? N.baseURI(W.document) : urlHref(new NURL(W.location.href)); }
  function patchNetwork(W) {
    var nativeFetch = W.fetch;
    if (typeof nativeFetch === "function") {
      var RequestP = W.Request && W.Request.prototype, reqURL = RequestP && getter(RequestP, "url"), reqMethod = RequestP && getter(RequestP, "method");
      var fetchW = function fetch(input, init) {
        var url, method = "GET";
        try {
          url = null;
          if (reqURL && input !== null && typeof input === "object") { try { url = reqURL(input); method = reqMethod(input); } catch (e) { url = null; } }
          if (url === null) url = str(input);
          if (init && init.method) method = str(init.method);
        } catch (e) { return apply(nativeFetch, this, arguments); }
        var v = judgeURL(url, baseOfRealm(W));
        if (refused("fetch", v)) return W.Promise.reject(networkError(W, "Failed to fetch"));
        var p = apply(nativeFetch, this, arguments);
        if (isWindow && W === G && method.toUpperCase() === "POST") p = consentAnswer(url, p);
        return p;
      };
      markWrapper(fetchW, nativeFetch);
      setGlobal(W, "fetch", fetchW);
    }
    if (typeof W.fetchLater === "function") {
      var nativeLater = W.fetchLater;
      var laterW = function fetchLater(input) {
        var u = null;
        if (input !== null && typeof input === "object" && W.Request) { try { u = getter(W.Request.prototype, "url")(input); } catch (e) { u = null; } }
        var v = judgeURL(u === null ? str(input) : u, baseOfRealm(W));
        if (refused("fetchlater", v)) { var r = create(W.FetchLaterResult ? W.FetchLaterResult.prototype : ObjProto); defProp(r, "activated", { value: false }); return r; }
        return apply(nativeLater, this, arguments);
      };
      markWrapper(laterW, nativeLater);
      setGlobal(W, "fetchLater", laterW);
    }
    if (W.XMLHttpRequest) {
      patchMethod(W.XMLHttpRequest.prototype, "open", function (orig) {
        return function open(method, url) {
          if (arguments.length >= 2) {
            var v = judgeURL(str(url), baseOfRealm(W));
            if (refused("xhr", v)) {
              var args = [];
              for (var i = 0; i < arguments.length; i++) args[i] = arguments[i];
              args[1] = deadURL();
              return apply(orig, this, args);
            }
          }
          return apply(orig, this, arguments);
        };
      });
    }
    if (W.Navigator && W.Navigator.prototype.sendBeacon) {
      patchMethod(W.Navigator.prototype, "sendBeacon", function (orig) {
        return function sendBeacon(url) {
          if (arguments.length >= 1 && refused("beacon", judgeURL(str(url), baseOfRealm(W)))) return true;
          return apply(orig, this, arguments);
        };
      });
    }
    patchConstructor(W, "WebSocket", function (C, args, nt) {
      if (args.length >= 1) {
        var raw = str(args[0]), v = judgeURL(raw, baseOfRealm(W));
        if (refused("websocket", v)) {
          // A port browsers refuse to connect to: the socket fails as a
          // network error does, without a packet sent.
          var a2 = [];
          for (var i = 0; i < args.length; i++) a2[i] = args[i];
          a2[0] = "ws://127.0.0.1:1/";
          var ws = construct(C, a2, nt), href = raw;
          try { href = urlHref(new NURL(raw, baseOfRealm(W))); } catch (e) { /* keep raw */ }
          defProp(ws, "url", { get: function () { return href; }, enumerable: true, configurable: true });
          return ws;
        }
      }
      return construct(C, args, nt);
    });
    patchConstructor(W, "EventSource", function (C, args, nt) {
      if (args.length >= 1) {
        var raw = str(args[0]), v = judgeURL(raw, baseOfRealm(W));
        if (refused("eventsource", v)) {
          var a2 = [deadURL()];
          for (var i = 1; i < args.length; i++) a2[i] = args[i];
          var es = construct(C, a2, nt), href = urlHref(new NURL(raw, baseOfRealm(W)));
          defProp(es, "url", { get: function () { return href; }, enumerable: true, configurable: true });
          return es;
        }
      }
      return construct(C, args, nt);
    });
    if (typeof W.importScripts === "function") {
      var nativeImport = W.importScripts;
      var importW = function importScripts() {
        for (var i = 0; i < arguments.length; i++) {
          var u = str(arguments[i]);
          if (refused("importscripts", judgeURL(u, baseOfRealm(W)))) {
            throw new W.DOMException("Failed to execute 'importScripts' on 'WorkerGlobalScope': The script at '" + u + "' failed to load.", "NetworkError");
          }
        }
        return apply(nativeImport, this, arguments);
      };
      markWrapper(importW, nativeImport);
      setGlobal(W, "importScripts", importW);
    }
    if (W.Worklet) {
      patchMethod(W.Worklet.prototype, "addModule", function (orig) {
        return function addModule(url) {
          if (arguments.length >= 1 && refused("worklet", judgeURL(str(url), baseOfRealm(W)))) return W.Promise.reject(new W.DOMException("Unable to load a worklet's module.", "AbortError"));
          return apply(orig, this, arguments);
        };
      });
    }
    if (W.ServiceWorkerContainer) {
      patchMethod(W.ServiceWorkerContainer.prototype, "register", function (orig) {
        return function register(url) {
          if (arguments.length >= 1 && refused("serviceworker", judgeURL(str(url), baseOfRealm(W)))) return W.Promise.reject(networkError(W, "Failed to register a ServiceWorker: An unknown error occurred when fetching the script."));
          return apply(orig, this, arguments);
        };
      });
    }
  }
  var dead = null;
  // deadURL is a blob: URL already revoked: loading it fails as a network
  // error does, with no request.
  function deadURL() {
    if (!dead) { dead = createObjectURL(new NBlob([""])); revokeObjectURL(dead); }
    return dead;
  }
  // consentAnswer lets a decision posted to the endpoint by script (the
  // banner's in-place choice) reach the guard before the caller sees it.
  function consentAnswer(url, p) {
    var u;
    try { u = new NURL(url, N.baseURI(N.document)); } catch (e) { return p; }
    if (urlOrigin(u) !== G.location.origin || urlPathname(u) !== ENDPOINT) return p;
    return p.then(function (res) {
      try {
        if (!res.ok) return res;
        return res.clone().json().then(function (d) { if (d && d.granted) api.update(d); return res; }, function () { return res; });
      } catch (e) { return res; }
    });
  }

  /* ---- workers ---- */
  var blobs = new NMap();
  function patchWorkers(W) {
    if (W.URL && W.URL.createObjectURL) {
      var cou = W.URL.createObjectURL, rou = W.URL.revokeObjectURL;
      var couW = function createObjectURL(b) { var u = apply(cou, this, arguments); if (b && typeof b === "object" && b instanceof W.Blob) mapSet(blobs, u, b); return u; };
      var rouW = function revokeObjectURL(u) { mapDel(blobs, str(u)); return apply(rou, this, arguments); };
      markWrapper(couW, cou); markWrapper(rouW, rou);
      defProp(W.URL, "createObjectURL", { value: couW, writable: true, enumerable: true, configurable: true });
      defProp(W.URL, "revokeObjectURL", { value: rouW, writable: true, enumerable: true, configurable: true });
    }
    var make = function (kind) {
      return function (C, args, nt) {
        if (args.length < 1) return construct(C, args, nt);
        var raw = args[0], s = str(raw), a2 = [], i, w;
        for (i = 0; i < args.length; i++) a2[i] = args[i];
        if (refused(kind, judgeURL(s, baseOfRealm(W)))) { a2[0] = deadURL(); return construct(C, a2, nt); }
        var blob = slice(s, 0, 5) === "blob:" ? mapGet(blobs, s) : undefined, ours = null;
        if (blob) {
          var module = args[1] && typeof args[1] === "object" && args[1].type === "module";
          ours = createObjectURL(new NBlob([workerPrefix(module), blob], { type: "text/javascript" }));
          a2[0] = ours;
        }
        w = construct(C, a2, nt);
        if (ours) revokeObjectURL(ours);
        if (kind === "worker") workers[workers.length] = ref(w);
        return w;
      };
    };
    patchConstructor(W, "Worker", make("worker"));
    patchConstructor(W, "SharedWorker", make("sharedworker"));
  }
  var guardModuleURL = null;
  // workerPrefix is the guard, with the rules and the current decision,
  // to run before a worker's own script.
  function workerPrefix(module) {
    var call = "(" + SELF_SOURCE + ")(self," + JSONstringify(R) + "," + JSONstringify(decision) + ");\n";
    if (!module) return call;
    if (!guardModuleURL) guardModuleURL = createObjectURL(new NBlob([call], { type: "text/javascript" }));
    return "import " + JSONstringify(guardModuleURL) + ";\n";
  }
  function listenForDecisions(W) {
    if (typeof W.addEventListener !== "function") return;
    var stop = W.Event && W.Event.prototype.stopImmediatePropagation;
    W.addEventListener("message", function (e) {
      var d = e && e.data;
      if (d && typeof d === "object" && d.__consentgate) { setDecision(d.__consentgate); if (stop) apply(stop, e, []); }
    });
  }
  function patchCookieStore(W) {
    if (!W.CookieStore) return;
    patchMethod(W.CookieStore.prototype, "set", function (orig) {
      return function set(a, b) {
        var name, expires = null;
        if (a !== null && typeof a === "object") { name = str(a.name); expires = a.expires; } else name = str(a);
        if (cookieRefused(name) && !(typeof expires === "number" && expires <= Date.now()) && refused("cookie", cookieVendor(name), name)) return W.Promise.resolve(undefined);
        return apply(orig, this, arguments);
      };
    });
  }

  /* ---- cookies ---- */
  function patchCookies(W) {
    patchAccessor(W.Document.prototype, "cookie", null, function (set) {
      return function cookie(v) {
        var s = str(v), name = cookieName(s);
        if (name !== null && cookieRefused(name) && !cookieDeletes(s) && refused("cookie", cookieVendor(name), name)) return;
        set(this, v);
      };
    });
    patchCookieStore(W);
  }

  /* ---- elements created or changed by script ---- */
  function patchElements(W) {
    var EPW = W.Element.prototype;
    patchMethod(EPW, "setAttribute", function (orig, call) {
      return function setAttribute(name, value) {
        if (arguments.length < 2) return apply(orig, this, arguments);
        var n = str(name);
        if (WATCH[n] === undefined) { var l = lower(n); if (l === n || WATCH[l] === undefined) return call(this, n, value); }
        var r = onAttr(this, lower(n), value);
        if (r === PASS) return call(this, n, value);
        if (r !== STOP) return call(this, n, r);
      };
    });
    patchMethod(EPW, "setAttributeNS", function (orig, call) {
      return function setAttributeNS(ns, name, value) {
        if (arguments.length < 3) return apply(orig, this, arguments);
        var q = str(name), colon = indexOf(q, ":"), local = lower(colon < 0 ? q : slice(q, colon + 1));
        var key = ns === XLINK_NS && local === "href" ? "xlink:href" : ns === null || ns === undefined || ns === "" ? local : null;
        if (key === null || WATCH[key] === undefined) return call(this, ns, name, value);
        var r = onAttr(this, key, value);
        if (r === PASS) return call(this, ns, name, value);
        if (r !== STOP) return call(this, ns, name, r);
      };
    });
    var attrWrap = function (orig) {
      return function (attr) {
        var el = this, n;
        try { n = lower(N.attrName(attr)); } catch (e) { return apply(orig, el, arguments); }
        if (WATCH[n] === undefined) return apply(orig, el, arguments);
        var r = onAttr(el, n, N.attrValue(attr));
        if (r === PASS) return apply(orig, el, arguments);
        if (r === STOP) return null;
        N.setAttribute(el, n, r);
        return null;
      };
    };
    patchMethod(EPW, "setAttributeNode", attrWrap);
    patchMethod(EPW, "setAttributeNodeNS", attrWrap);
    var mapOwner = new WM();
    patchAccessor(EPW, "attributes", function (get) { return function attributes() { var m = get(this); wmSet(mapOwner, m, this); return m; }; }, null);
    var namedWrap = function (orig) {
      var inner = attrWrap(orig);
      return function (attr) {
        var el = wmGet(mapOwner, this);
        if (!el) return apply(orig, this, arguments);
        var n;
        try { n = lower(N.attrName(attr)); } catch (e) { return apply(orig, this, arguments); }
        if (WATCH[n] === undefined) return apply(orig, this, arguments);
        var r = onAttr(el, n, N.attrValue(attr));
        if (r === PASS) return apply(orig, this, arguments);
        if (r !== STOP) N.setAttribute(el, n, r);
        void inner;
        return null;
      };
    };
    patchMethod(W.NamedNodeMap.prototype, "setNamedItem", namedWrap);
    patchMethod(W.NamedNodeMap.prototype, "setNamedItemNS", namedWrap);
    var attrValueSet = function (set) {
      return function (v) {
        var el = N.attrOwner(this);
        if (el) {
          var n = lower(N.attrName(this));
          if (WATCH[n] !== undefined) {
            var r = onAttr(el, n, v);
            if (r === STOP) { return; }
            if (r !== PASS) v = r;
          }
        }
        set(this, v);
      };
    };
    patchAccessor(W.Attr.prototype, "value", null, attrValueSet);
    // Reading back what the site set.
    patchMethod(EPW, "getAttribute", function (orig, call) {
      return function getAttribute(name) {
        if (heldAny && arguments.length) { var h = heldValue(this, lower(str(name))); if (h !== undefined) return h; }
        return apply(orig, this, arguments);
      };
    });
    patchMethod(EPW, "hasAttribute", function (orig) {
      return function hasAttribute(name) {
        if (heldAny && arguments.length && heldValue(this, lower(str(name))) !== undefined) return true;
        return apply(orig, this, arguments);
      };
    });
    patchMethod(EPW, "removeAttribute", function (orig) {
      return function removeAttribute(name) {
        if (heldAny && arguments.length) { var n = lower(str(name)); if (heldValue(this, n) !== undefined) unhold(this, n); }
        return apply(orig, this, arguments);
      };
    });
    // The loading properties, from the element table.
    var done = new NMap();
    var once = function (proto, key) {
      var d = mapGet(done, proto);
      if (!d) { d = dict(); mapSet(done, proto, d); }
      if (d[key]) return false;
      d[key] = 1;
      return true;
    };
    for (var i = 0; i < PROPS.length; i++) {
      var p = PROPS[i], el;
      try { el = p[1] === SP_SVG ? W.document.createElementNS(SVG_NS, p[0]) : W.document.createElement(p[0]); } catch (e) { continue; }
      var proto = getProto(el);
      while (proto && !hasOwn(proto, p[3])) proto = getProto(proto);
      if (proto && once(proto, p[3])) patchProp(proto, p[3], p[2], p[4]);
    }
    // Properties that change whether an element loads, and srcdoc.
    patchProp(W.HTMLLinkElement.prototype, "rel", "rel", 0);
    patchProp(W.HTMLInputElement.prototype, "type", "type", 0);
    patchProp(W.HTMLScriptElement.prototype, "type", "type", 0);
    patchProp(W.HTMLIFrameElement.prototype, "srcdoc", "srcdoc", 0);
    // link.relList.add("preconnect") and friends.
    var relOwner = new WM(), relListOf = getter(W.HTMLLinkElement.prototype, "relList");
    patchAccessor(W.HTMLLinkElement.prototype, "relList", function (get) { return function relList() { var l = get(this); wmSet(relOwner, l, this); return l; }; }, null);
    var tokenOps = ["add", "remove", "replace", "toggle"];
    for (i = 0; i < tokenOps.length; i++) {
      patchMethod(W.DOMTokenList.prototype, tokenOps[i], function (orig) {
        return function () {
          var link = wmGet(relOwner, this);
          if (link) {
            // The same operation on an inert copy tells the rel to come.
            var copy = N.createElementNS(inertDoc(false), HTML_NS, "link"), rel = N.getAttribute(link, "rel");
            if (rel !== null) N.setAttribute(copy, "rel", rel);
            try { apply(orig, relListOf(copy), arguments); } catch (e) { return apply(orig, this, arguments); }
            var next = N.getAttribute(copy, "rel");
            if (next !== null && next !== rel) onAttr(link, "rel", next);
          }
          return apply(orig, this, arguments);
        };
      });
    }
    patchAccessor(W.DOMTokenList.prototype, "value", null, function (set) {
      return function (v) { var link = wmGet(relOwner, this); if (link && onAttr(link, "rel", v) !== PASS) return; set(this, v); };
    });
    // SVG href.baseVal.
    var animOwner = new WM();
    var svgNames = ["image", "use", "script", "feImage"];
    for (i = 0; i < svgNames.length; i++) {
      var se = W.document.createElementNS(SVG_NS, svgNames[i]), sp = getProto(se);
      while (sp && !hasOwn(sp, "href")) sp = getProto(sp);
      if (sp && once(sp, "href")) {
        patchAccessor(sp, "href", function (get) { return function href() { var a = get(this); wmSet(animOwner, a, this); return a; }; }, null);
      }
    }
    patchAccessor(W.SVGAnimatedString.prototype, "baseVal", null, function (set) {
      return function (v) { var el = wmGet(animOwner, this); if (el) { var r = onAttr(el, "href", v); if (r === STOP) return; } set(this, v); };
    });
    // new Audio(url) sets src inside the constructor.
    patchConstructor(W, "Audio", function (C, args, nt) {
      if (args.length >= 1 && args[0] !== undefined) {
        var a = construct(C, [], nt);
        a.src = args[0];
        if (!heldValue(a, "src")) a.preload = "auto";
        return a;
      }
      return construct(C, args, nt);
    });
    // <el style="..."> set through the style property (PutForwards).
    var styleOwners = [W.HTMLElement, W.SVGElement, W.MathMLElement];
    for (i = 0; i < styleOwners.length; i++) {
      if (styleOwners[i]) patchStyleProperty(styleOwners[i].prototype);
    }
  }
  // patchProp wraps a reflecting property: its setter judges like
  // setAttribute, its getter answers what the site set while it is held.
  function patchProp(proto, prop, attr, kind) {
    patchAccessor(proto, prop, function (get) {
      return function () {
        if (heldAny) {
          var rec = wmGet(HELD, this);
          if (rec) {
            if ((prop === "type") && rec.type !== undefined) return rec.type === null ? "" : rec.type;
            var h = rec.a[attr];
            if (h) {
              if (kind === KIND_URL) { try { return urlHref(new NURL(h.raw, baseOf(this))); } catch (e) { return h.raw; } }
              return h.raw;
            }
          }
        }
        return get(this);
      };
    }, function (set) {
      return function (v) {
        var r = onAttr(this, attr, v);
        if (r === PASS) return set(this, v);
        if (r !== STOP) return set(this, r);
      };
    });
  }

  /* ---- CSS added by script ---- */
  var proxies = new WM(), targets = new WM();
  function patchStyleProperty(proto) {
    patchAccessor(proto, "style", function (get) {
      return function style() { return styleProxy(get(this), this); };
    }, function (set) {
      return function style(v) {
        var r = onAttr(this, "style", v);
        if (r === PASS) set(this, v);
      };
    });
  }
  // styleProxy returns the proxy of a CSSStyleDeclaration through which
  // named properties (style.backgroundImage = …) are judged: Chromium
  // implements them as named properties no prototype patch can reach.
  function styleProxy(decl, owner) {
    if (decl === null || typeof decl !== "object") return decl;
    var p = wmGet(proxies, decl);
    if (p) return p;
    p = new NProxy(decl, {
      // Methods come unbound: CSSStyleDeclaration's own are patched to
      // call through to the declaration behind a proxy.
      get: function (t, k) { return rGet(t, k, t); },
      set: function (t, k, v) {
        if (typeof k === "string" && typeof v === "string" && (indexOf(v, "(") >= 0 || indexOf(v, "@") >= 0)) {
          var base = owner ? baseOf(owner) : N.baseURI(N.document), n = neutralCSS(v, base);
          if (n !== v) {
            var vi = judgeCSS(v, base);
            note("style-property", vi);
            if (MODE !== "report") {
              rSet(t, k, n, t);
              var after = rGet(t, k, t);
              heldCSS(function () { if (rGet(t, k, t) === after) rSet(t, k, v, t); }, vi);
              return true;
            }
          }
        }
        return rSet(t, k, v, t);
      }
    });
    wmSet(proxies, decl, p);
    wmSet(targets, p, decl);
    return p;
  }
  function unproxy(x) { var t = x !== null && typeof x === "object" ? wmGet(targets, x) : undefined; return t || x; }
  function heldCSS(run, vi) {
    if (MODE === "remove" || vi < 0) return;
    queue[queue.length] = { t: "css", run: run, vi: vi };
  }
  function sheetBase(sheet) {
    try { var h = sheet && sheet.href; if (h) return h; } catch (e) { /* none */ }
    return N.baseURI(N.document);
  }
  function patchCSS(W) {
    var CSD = W.CSSStyleDeclaration.prototype;
    var names = gOPN(CSD);
    for (var i = 0; i < names.length; i++) {
      var name = names[i], d = gOPD(CSD, name);
      if (name === "constructor") continue;
      if (d && typeof d.value === "function") {
        patchMethod(CSD, name, (function (name) {
          return function (orig) {
            return function () {
              var t = unproxy(this);
              if (name === "setProperty" && arguments.length >= 2 && arguments[1] !== null && arguments[1] !== undefined) {
                var v = str(arguments[1]), base = N.baseURI(N.document), n = neutralCSS(v, base);
                if (n !== v) {
                  var vi = judgeCSS(v, base);
                  note("style-property", vi);
                  if (MODE !== "report") {
                    var prop = arguments[0], prio = arguments[2];
                    apply(orig, t, [prop, n, prio]);
                    var after = t.getPropertyValue(prop);
                    heldCSS(function () { if (t.getPropertyValue(prop) === after) apply(orig, t, [prop, v, prio]); }, vi);
                    return;
                  }
                }
              }
              return apply(orig, t, arguments);
            };
          };
        })(name));
      } else if (d && (d.get || d.set)) {
        var get0 = name === "cssText" ? uncurry(d.get) : null;
        patchAccessor(CSD, name, function (get) { return function () { return get(unproxy(this)); }; }, (function (name, get0) {
          return function (set) {
            return function (v) {
              var t = unproxy(this);
              if (name === "cssText") {
                var s = str(v), base = N.baseURI(N.document), n = neutralCSS(s, base);
                if (n !== s) {
                  var vi = judgeCSS(s, base);
                  note("style-property", vi);
                  if (MODE !== "report") { set(t, n); var after = get0(t); heldCSS(function () { if (get0(t) === after) set(t, s); }, vi); return; }
                }
              }
              set(t, v);
            };
          };
        })(name, get0));
      }
    }
    var ruleStyles = ["CSSStyleRule", "CSSFontFaceRule", "CSSPageRule", "CSSKeyframeRule"];
    for (i = 0; i < ruleStyles.length; i++) {
      var RC = W[ruleStyles[i]];
      if (RC) patchAccessor(RC.prototype, "style", function (get) { return function style() { return styleProxy(get(this), null); }; }, null);
    }
    // Rules and sheets.
    var SSP = W.CSSStyleSheet.prototype;
    var insertWrap = function (orig) {
      return function insertRule(rule) {
        if (arguments.length < 1) return apply(orig, this, arguments);
        var s = str(rule), sheet = this.parentStyleSheet || this;
        var base = sheetBase(sheet), n = neutralCSS(s, base);
        if (n === s) return apply(orig, this, arguments);
        var vi = judgeCSS(s, base);
        note("css-rule", vi);
        if (MODE === "report") return apply(orig, this, arguments);
        var args = [n];
        for (var i = 1; i < arguments.length; i++) args[i] = arguments[i];
        var idx = apply(orig, this, args), container = this, rules = container.cssRules, placed = rules[idx];
        heldCSS(function () {
          var list = container.cssRules;
          for (var j = 0; j < list.length; j++) if (list[j] === placed) { container.deleteRule(j); apply(orig, container, [s, j]); return; }
        }, vi);
        return idx;
      };
    };
    patchMethod(SSP, "insertRule", insertWrap);
    if (W.CSSGroupingRule) patchMethod(W.CSSGroupingRule.prototype, "insertRule", insertWrap);
    if (W.CSSKeyframesRule) {
      patchMethod(W.CSSKeyframesRule.prototype, "appendRule", function (orig) {
        return function appendRule(rule) {
          var s = str(rule), base = sheetBase(this.parentStyleSheet), n = neutralCSS(s, base);
          if (n !== s && MODE !== "report") { note("css-rule", judgeCSS(s, base)); return apply(orig, this, [n]); }
          return apply(orig, this, arguments);
        };
      });
    }
    patchMethod(SSP, "addRule", function (orig) {
      return function addRule(sel, style) {
        var s = str(style === undefined ? "" : style), base = sheetBase(this), n = neutralCSS(s, base);
        if (n !== s && MODE !== "report") {
          var vi = judgeCSS(s, base), args = [sel, n];
          note("css-rule", vi);
          for (var i = 2; i < arguments.length; i++) args[i] = arguments[i];
          return apply(orig, this, args);
        }
        return apply(orig, this, arguments);
      };
    });
    var replaceWrap = function (orig, kind) {
      return function (text) {
        var s = str(text), base = sheetBase(this), n = neutralCSS(s, base), sheet = this;
        if (n === s || MODE === "report") { if (n !== s) note("css-rule", judgeCSS(s, base)); return apply(orig, this, arguments); }
        var vi = judgeCSS(s, base);
        note("css-rule", vi);
        var r = apply(orig, this, [n]);
        heldCSS(function () { apply(orig, sheet, [s]); }, vi);
        void kind;
        return r;
      };
    };
    patchMethod(SSP, "replace", function (o) { return replaceWrap(o, "replace"); });
    patchMethod(SSP, "replaceSync", function (o) { return replaceWrap(o, "replaceSync"); });
    // Typed OM.
    if (W.StylePropertyMap) {
      var spm = ["set", "append"];
      for (i = 0; i < spm.length; i++) {
        patchMethod(W.StylePropertyMap.prototype, spm[i], function (orig) {
          return function (prop) {
            var text = "";
            for (var i = 1; i < arguments.length; i++) text += " " + str(arguments[i]);
            var vi = judgeCSS(text, N.baseURI(N.document));
            if (refused("style-property", vi)) {
              var self = this, args = arguments, copy = [];
              for (var j = 0; j < args.length; j++) copy[j] = args[j];
              heldCSS(function () { apply(orig, self, copy); }, vi);
              return undefined;
            }
            return apply(orig, this, arguments);
          };
        });
      }
    }
    patchConstructor(W, "FontFace", function (C, args, nt) {
      if (args.length >= 2 && typeof args[1] === "string") {
        var vi = judgeCSS(args[1], N.baseURI(N.document));
        if (refused("font", vi)) {
          var a2 = [];
          for (var i = 0; i < args.length; i++) a2[i] = args[i];
          a2[1] = "url(" + JSONstringify(deadURL()) + ")";
          return construct(C, a2, nt);
        }
      }
      return construct(C, args, nt);
    });
    // Web Animations keyframes can set background-image and friends.
    var kf = function (frames) {
      try { return judgeCSS(stringsOf(frames, 0), N.baseURI(N.document)); } catch (e) { return -1; }
    };
    patchMethod(W.Element.prototype, "animate", function (orig) {
      return function animate(frames) {
        if (arguments.length && refused("animation", kf(frames))) { var a = []; for (var i = 0; i < arguments.length; i++) a[i] = arguments[i]; a[0] = []; return apply(orig, this, a); }
        return apply(orig, this, arguments);
      };
    });
    if (W.KeyframeEffect) {
      patchMethod(W.KeyframeEffect.prototype, "setKeyframes", function (orig) {
        return function setKeyframes(frames) { if (refused("animation", kf(frames))) return apply(orig, this, [[]]); return apply(orig, this, arguments); };
      });
      patchConstructor(W, "KeyframeEffect", function (C, args, nt) {
        if (args.length >= 2 && refused("animation", kf(args[1]))) { var a = []; for (var i = 0; i < args.length; i++) a[i] = args[i]; a[1] = []; return construct(C, a, nt); }
        return construct(C, args, nt);
      });
    }
  }

  /* ---- markup parsed by script ---- */
  function patchMarkup(W) {
    var EPW = W.Element.prototype;
    var setInner = function (set) {
      return function innerHTML(v) { set(this, cleanMarkup(this, v)); framesChanged(this, true); };
    };
    patchAccessor(EPW, "innerHTML", null, setInner);
    if (W.ShadowRoot) patchAccessor(W.ShadowRoot.prototype, "innerHTML", null, function (set) {
      return function innerHTML(v) { set(this, cleanMarkupIn(this, v)); framesChanged(this, true); };
    });
    patchAccessor(EPW, "outerHTML", null, function (set) {
      return function outerHTML(v) {
        var p = N.parentNode(this);
        set(this, p && N.nodeType(p) === 1 ? cleanMarkup(p, v) : p ? cleanMarkupIn(p, v) : v);
        if (p) framesChanged(p, true);
      };
    });
    patchMethod(EPW, "insertAdjacentHTML", function (orig) {
      return function insertAdjacentHTML(where, html) {
        if (arguments.length < 2) return apply(orig, this, arguments);
        var w = lower(str(where)), ctx = this;
        if (w === "beforebegin" || w === "afterend") { var p = N.parentNode(this); ctx = p && N.nodeType(p) === 1 ? p : null; }
        var r = apply(orig, this, [where, ctx ? cleanMarkup(ctx, html) : cleanMarkupIn(this, html)]);
        framesChanged(this, true);
        return r;
      };
    });
    var unsafe = function (orig) {
      return function (html) {
        var args = [N.nodeType(this) === 1 ? cleanMarkup(this, html) : cleanMarkupIn(this, html)];
        for (var i = 1; i < arguments.length; i++) args[i] = arguments[i];
        var r = apply(orig, this, args);
        framesChanged(this, true);
        return r;
      };
    };
    patchMethod(EPW, "setHTMLUnsafe", unsafe);
    patchMethod(EPW, "setHTML", unsafe);
    if (W.ShadowRoot) { patchMethod(W.ShadowRoot.prototype, "setHTMLUnsafe", unsafe); patchMethod(W.ShadowRoot.prototype, "setHTML", unsafe); }
    patchMethod(W.Range.prototype, "createContextualFragment", function (orig) {
      return function createContextualFragment(html) {
        var c = this.startContainer, ctx = c && N.nodeType(c) === 1 ? c : c && N.parentNode(c);
        return apply(orig, this, [ctx && N.nodeType(ctx) === 1 ? cleanMarkup(ctx, html) : cleanMarkupIn(N.document.body, html)]);
      };
    });
    var write = function (orig) {
      return function () {
        var s = "";
        for (var i = 0; i < arguments.length; i++) s += str(arguments[i]);
        var r = apply(orig, this, [rewriteWritten(this, s)]);
        framesChanged(this, true);
        return r;
      };
    };
    patchMethod(W.Document.prototype, "write", write);
    patchMethod(W.Document.prototype, "writeln", write);
    patchMethod(W.Document.prototype, "execCommand", function (orig) {
      return function execCommand(cmd, ui, value) {
        var c = lower(str(cmd));
        if (arguments.length >= 3 && (c === "inserthtml" || c === "insertimage")) {
          var sel = this.getSelection && this.getSelection(), node = sel && sel.anchorNode, ctx = node && (N.nodeType(node) === 1 ? node : N.parentNode(node));
          if (c === "insertimage") { if (refused("img", judgeURL(str(value), N.baseURI(this)))) return false; }
          else return apply(orig, this, [cmd, ui, ctx && N.nodeType(ctx) === 1 ? cleanMarkup(ctx, value) : cleanMarkupIn(this.body, value)]);
        }
        return apply(orig, this, arguments);
      };
    });
    // Text of <style> and <script> elements.
    var textSet = function (set) {
      return function (v) {
        if (N.nodeType(this) === 1 && watchesText(this)) onText(this, v === null || v === undefined ? "" : str(v));
        else if (N.nodeType(this) === 2) {
          var el = N.attrOwner(this);
          if (el) { var n = lower(N.attrName(this)); if (WATCH[n] !== undefined) { var r = onAttr(el, n, v); if (r === STOP) return; if (r !== PASS) v = r; } }
        } else if (N.nodeType(this) === 3) textChange(this, str(v), null);
        set(this, v);
      };
    };
    var textProtos = [W.Node.prototype, W.HTMLElement.prototype, W.HTMLScriptElement.prototype, W.HTMLStyleElement.prototype, W.SVGScriptElement && W.SVGScriptElement.prototype];
    var textProps = ["textContent", "nodeValue", "innerText", "outerText", "text"];
    for (var tp = 0; tp < textProtos.length; tp++) {
      for (var tq = 0; tq < textProps.length; tq++) if (textProtos[tp] && hasOwn(textProtos[tp], textProps[tq])) patchAccessor(textProtos[tp], textProps[tq], null, textSet);
    }
    patchAccessor(W.CharacterData.prototype, "data", null, function (set) {
      return function data(v) { textChange(this, str(v), null); set(this, v); };
    });
    var cdOps = ["appendData", "insertData", "replaceData", "deleteData"];
    for (var i = 0; i < cdOps.length; i++) {
      patchMethod(W.CharacterData.prototype, cdOps[i], (function (op) {
        return function (orig) {
          return function () {
            var p = N.parentNode(this);
            if (p && N.nodeType(p) === 1 && watchesText(p)) {
              var clone = N.cloneNode(this, false);
              try { apply(orig, clone, arguments); } catch (e) { return apply(orig, this, arguments); }
              textChange(this, N.charData(clone), null);
            }
            void op;
            return apply(orig, this, arguments);
          };
        };
      })(cdOps[i]));
    }
  }
  // textChange judges the text a style or script element will have once
  // its child text node changes to data.
  function textChange(node, data, extra) {
    var p = N.parentNode(node);
    if (!p || N.nodeType(p) !== 1 || !watchesText(p)) return;
    var t = "";
    for (var c = N.firstChild(p); c; c = N.nextSibling(c)) if (N.nodeType(c) === 3) t += c === node ? data : N.charData(c);
    onText(p, extra === null ? t : t + extra);
  }
  function cleanMarkupIn(parent, html) {
    // A shadow root or fragment: parsed as in a <body>.
    var body = N.createElementNS(inertDoc(false), HTML_NS, "body");
    void parent;
    var s = str(html);
    if (indexOf(s, "<") < 0) return html;
    N.innerHTMLSet(body, s);
    if (!cleanTree(body, N.baseURI(N.document))) return html;
    return trusted(N.innerHTMLGet(body));
  }

  /* ---- nodes from other documents, moved or copied in ---- */
  function patchInsertion(W) {
    var frames = false;
    var before = function (parent, node) {
      if (node === null || typeof node !== "object") return;
      var t = N.nodeType(node);
      if (t === 1 || t === 11) {
        var pdoc = N.ownerDocument(parent) || parent;
        if (N.ownerDocument(node) !== pdoc) cleanTree(node, N.defaultView(pdoc) ? N.baseURI(pdoc) : N.baseURI(N.document));
        if (t === 1) { var ln = N.localName(node); if (ln === "iframe" || ln === "frame" || ln === "object" || ln === "embed") frames = true; }
        if (!frames && (t === 1 ? N.firstElement(node) && N.querySelector(node, FRAMES) : N.fragFirstElement(node) && N.fragQS(node, FRAMES))) frames = true;
      } else if (t === 3 && N.nodeType(parent) === 1 && watchesText(parent)) onText(parent, N.textContent(parent) + N.textContent(node));
      if (t === 11 && N.nodeType(parent) === 1 && watchesText(parent)) onText(parent, N.textContent(parent) + N.textContent(node));
    };
    var known = 0;
    var after = function (parent) {
      if (pendingErrors.length) connectedErrors();
      var f = frames, n = W.length;
      frames = false;
      if (f || n !== known) { known = n; framesChanged(parent, true); }
    };
    var one = function (orig) {
      return function (node) { before(this, node); var r = apply(orig, this, arguments); after(this); return r; };
    };
    patchMethod(W.Node.prototype, "appendChild", one);
    patchMethod(W.Node.prototype, "insertBefore", one);
    patchMethod(W.Node.prototype, "replaceChild", one);
    var many = function (useParent) {
      return function (orig) {
        return function () {
          var target = useParent ? N.parentNode(this) : this;
          if (target) for (var i = 0; i < arguments.length; i++) {
            var a = arguments[i];
            if (a !== null && typeof a === "object") before(target, a);
            else if (N.nodeType(target) === 1 && watchesText(target)) onText(target, N.textContent(target) + str(a));
          }
          var r = apply(orig, this, arguments);
          if (target) after(target);
          return r;
        };
      };
    };
    var protos = [W.Element.prototype, W.Document.prototype, W.DocumentFragment.prototype, W.CharacterData.prototype, W.DocumentType.prototype];
    for (var i = 0; i < protos.length; i++) {
      patchMethod(protos[i], "append", many(false));
      patchMethod(protos[i], "prepend", many(false));
      patchMethod(protos[i], "replaceChildren", many(false));
      patchMethod(protos[i], "before", many(true));
      patchMethod(protos[i], "after", many(true));
      patchMethod(protos[i], "replaceWith", many(true));
    }
    patchMethod(W.Element.prototype, "insertAdjacentElement", function (orig) {
      return function (where, el) {
        var w = lower(str(where)), t = w === "beforebegin" || w === "afterend" ? N.parentNode(this) : this;
        if (t) before(t, el);
        var r = apply(orig, this, arguments); after(this); return r;
      };
    });
    patchMethod(W.Range.prototype, "insertNode", function (orig) {
      return function (node) { var c = this.startContainer; if (c) before(c, node); var r = apply(orig, this, arguments); if (c) after(c); return r; };
    });
    patchMethod(W.Range.prototype, "surroundContents", function (orig) {
      return function (node) { var c = this.startContainer; if (c) before(c, node); var r = apply(orig, this, arguments); if (c) after(c); return r; };
    });
    patchMethod(W.Document.prototype, "adoptNode", function (orig) {
      return function adoptNode(node) { if (node && typeof node === "object" && N.ownerDocument(node) !== this) cleanTree(node, N.baseURI(liveDoc(this))); return apply(orig, this, arguments); };
    });
    patchMethod(W.Document.prototype, "importNode", function (orig) {
      return function importNode(node) { if (node && typeof node === "object") cleanTree(node, N.baseURI(liveDoc(this))); return apply(orig, this, arguments); };
    });
  }

  /* ---- same-origin frames ---- */
  var FRAMES = "iframe,frame,object,embed", frameCounts = new WM();
  // framesChanged patches the frames of node's window that appeared since
  // the last look: when their number changed, or (maybe) a frame was
  // inserted or moved.
  function framesChanged(node, maybe) {
    var W;
    try { var doc = N.nodeType(node) === 9 ? node : N.ownerDocument(node); W = doc && N.defaultView(doc); } catch (e) { return; }
    if (!W) return;
    var n = W.length, last = wmGet(frameCounts, W) || 0;
    if (n === last && !maybe) return;
    wmSet(frameCounts, W, n);
    for (var i = 0; i < n; i++) { var f; try { f = W[i]; } catch (e) { continue; } if (f && !hasFrameAPI(f)) installFrame(f); }
  }
  function hasFrameAPI(f) { try { return hasOwn(f, API); } catch (e) { return true; } }
  function patchFrames(W) {
    var owners = [W.HTMLIFrameElement, W.HTMLFrameElement, W.HTMLObjectElement, W.HTMLEmbedElement];
    for (var i = 0; i < owners.length; i++) {
      if (!owners[i]) continue;
      var P = owners[i].prototype;
      patchAccessor(P, "contentWindow", function (get) { return function contentWindow() { var w = get(this); if (w) installFrame(w); return w; }; }, null);
      patchAccessor(P, "contentDocument", function (get) {
        return function contentDocument() { var d = get(this); if (d) { try { installFrame(d.defaultView); } catch (e) { /* none */ } } return d; };
      }, null);
      patchMethod(P, "getSVGDocument", function (orig) { return function () { var d = apply(orig, this, arguments); if (d) { try { installFrame(d.defaultView); } catch (e) { /* none */ } } return d; }; });
    }
    // The load event of an inserted about:blank frame fires inside the
    // insertion, before it returns: patch at capture, before any handler.
    N.addEventListener(W.document, "load", function (e) {
      var t = e.target;
      if (t && t !== W.document && N.nodeType(t) === 1) { var ln = N.localName(t); if (ln === "iframe" || ln === "frame" || ln === "object" || ln === "embed") { try { installFrame(N.contentWindow(t)); } catch (x) { framesChanged(W.document, true); } } }
    }, true);
    patchMethod(W, "open", function (orig) {
      return function open() { var w = apply(orig, this, arguments); if (w) installFrame(w); return w; };
    });
  }

  /* ---- forms submitted by script ---- */
  function patchForms(W) {
    var FP = W.HTMLFormElement.prototype, blockedForm = null;
    var actionOf = function (form, submitter) {
      var a = submitter && N.nodeType(submitter) === 1 && N.hasAttribute(submitter, "formaction") ? N.getAttribute(submitter, "formaction") : N.getAttribute(form, "action");
      return a === null || a === "" ? null : a;
    };
    patchMethod(FP, "submit", function (orig) {
      return function submit() {
        var a = actionOf(this, null);
        if (a !== null && refused("form", judgeURL(a, baseOf(this)))) return;
        return apply(orig, this, arguments);
      };
    });
    patchMethod(FP, "requestSubmit", function (orig) {
      return function requestSubmit(submitter) {
        var a = actionOf(this, submitter);
        if (a !== null && judgeURL(a, baseOf(this)) >= 0 && MODE !== "report") blockedForm = this;
        try { return apply(orig, this, arguments); } finally { blockedForm = null; }
      };
    });
    N.addEventListener(W, "submit", function (e) {
      if (blockedForm && e.target === blockedForm) { refused("form", judgeURL(actionOf(blockedForm, e.submitter), baseOf(blockedForm))); e.preventDefault(); }
    }, false);
  }

  /* ---- start ---- */
  if (!D && isWindow) {
    try {
      var me = G.document.currentScript;
      D = { granted: (N.getAttribute(me, "data-granted") || "").split(" "), vendors: JSONparse(N.getAttribute(me, "data-vendors") || "{}") };
    } catch (e) { D = { granted: [] }; }
  }
  setDecision(D || { granted: [] });
  install(G);
  if (isWindow) notifyWorkers();
  if (isWindow && typeof G.addEventListener === "function") N.addEventListener(G, "pagehide", flushReports);
})(self, /*RULES*/{}, /*DECISION*/null);
