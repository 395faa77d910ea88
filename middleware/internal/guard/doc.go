// Package guard is the run-time guard: a script that runs first in every
// page (and worker) and stops the requests to trackers the visitor has not
// consented to that the page's own scripts make after it has loaded. The
// server neutralises tracker markup; the guard covers what scripts add.
//
// # Use
//
// Compile once per middleware, then per response:
//
//	g, err := guard.Compile(guard.Options{Rules: rs, AllowedCookies: []string{"consentgate"}})
//	page = g.AppendInline(page, guard.Decision{Granted: consent.Set()}, nonce) // first in <head>
//	worker = append(g.WorkerPrefix(d), worker...) // Sec-Fetch-Dest: worker, sharedworker, serviceworker
//
// AppendExternal is the same as a <script src> of the content-hashed asset
// that Assets returns (serve it from the endpoint, cacheable for good), for
// pages whose CSP allows no inline script without a nonce. The rules are
// rendered once at Compile; a page adds only the decision.
//
// # Judgement
//
// A URL is resolved with the browser's own URL parser against the
// document's base URL (a worker's location) and matched exactly as
// rules.Ruleset.MatchURL matches what weburl.Parse gives: a URL rule beats
// a host rule beats a path rule, the longest wins, paths compare ASCII
// case-insensitively with unreserved %XX decoded, hosts without trailing
// dots. Only http(s) and ws(s) URLs can be trackers. The agreement tests
// (FuzzAgreement in Node, TestAgreementChromium) hold the two sides to
// this. A vendor is allowed when the visitor said so for it explicitly
// (Decision.Vendors), refused when refused explicitly, and otherwise
// allowed when all its categories are granted. Cookie names are read from
// cookie strings as RFC 6265bis (and middleware.browserCookieName) read
// them and judged as Set-Cookie lines are: always-allowed names and
// prefixes, exact names, the longest prefix, then UnknownCookieNeed.
//
// # What it covers
//
// In the page, in same-origin frames (about:blank and srcdoc ones, patched
// synchronously when they become reachable: contentWindow, contentDocument,
// window[i] after an insertion, the frame's load event, window.open) and in
// workers:
//
//   - attributes of the element table (middleware/internal/elements) set by
//     property, setAttribute, setAttributeNS, setAttributeNode(NS),
//     attributes.setNamedItem(NS), Attr.value, nodeValue and textContent of
//     an Attr, on every element it lists (script, img, iframe, frame, link
//     with a loading rel — also when rel or relList changes after href —,
//     source, video, audio, track, embed, object, input type=image, SVG
//     image, use, script and feImage, href.baseVal included), lazy data-*
//     attributes, ping and attributionsrc, the style attribute and the
//     style property, new Image() and new Audio(url);
//   - markup parsed by script: innerHTML, outerHTML, insertAdjacentHTML,
//     createContextualFragment, setHTMLUnsafe, setHTML, execCommand
//     insertHTML (each judged by parsing it in an inert document as the
//     target element would, and passed on unchanged when nothing in it is
//     refused), document.write and writeln (the written text rewritten tag
//     by tag, a tag cut between two writes held until the next one
//     completes it), nodes of other documents (DOMParser, parseHTMLUnsafe,
//     templates, XHR documents) moved, adopted or imported into a document,
//     srcdoc (its markup rewritten, the guard booted first in it);
//   - CSS: the text of style elements (however it changes: text setters,
//     text nodes appended or edited), insertRule, addRule, appendRule,
//     replace, replaceSync, setProperty, cssText, named properties such as
//     style.backgroundImage (through a proxy of the declaration: Chromium
//     implements them as named properties), rule.style, typed OM
//     (attributeStyleMap.set/append), FontFace, Web Animations keyframes;
//     url(), image-set() and @import (so @font-face) URLs, CSS escapes
//     decoded;
//   - fetch, XMLHttpRequest, navigator.sendBeacon, fetchLater, WebSocket,
//     EventSource, speculation rules added by script, Worker,
//     SharedWorker, importScripts, worklets, service worker registration,
//     form.submit() and requestSubmit();
//   - document.cookie and cookieStore.set writes of refused cookies.
//
// Blob workers get the guard put first in their script by the page's guard
// (for module workers as their first import); same-origin worker and
// service worker scripts get it from the server (WorkerPrefix). A service
// worker outlives its pages: each page's guard, and update, post it the
// current decision.
//
// # How a refused request fails
//
// As a network error does, so the site's own error handling runs: fetch
// rejects with TypeError("Failed to fetch"); XMLHttpRequest, EventSource,
// workers and font faces are pointed at a revoked blob: URL, so the
// browser's own network-error path runs (XHR ends with status 0, error and
// loadend; EventSource fires error and retries as it would); a WebSocket
// connects to a port browsers refuse, so it fires error and close (1006)
// without a packet; sendBeacon returns true; importScripts throws the
// NetworkError it throws for a failed script; worklet modules and service
// worker registration reject. Held elements fire error asynchronously when
// they would have loaded (at once for images, once connected for scripts,
// links, objects and media). Nothing throws where the browser would not.
//
// # Holding, releasing, reporting
//
// Mode neutralize holds an attribute as the server does: data-consent-<attr>
// with data-consent="<missing categories>" and data-consent-vendor; a
// script or style sheet is made inert by type="text/plain" with its own
// type in data-consent-type. getAttribute, hasAttribute and the property
// getters keep answering what the site set. Mode remove drops what is
// refused instead. Mode report lets everything through and reports what
// would have been stopped: at most 100 items a page, batched every two
// seconds and on pagehide, as navigator.sendBeacon of
//
//	{"v":1,"page":"/path","items":[{"kind":"fetch","url":"https://host/path","vendor":"google-analytics","missing":["analytics"]}]}
//
// to Endpoint+"/report" (URLs without their query).
//
// window.__consentgate (not enumerable, not writable) has update(decision)
// ({granted: [names], vendors: [ids] or {id: bool}}, or the endpoint's JSON
// answer with vendors_granted and vendors_refused), which the banner calls before it activates elements after a
// choice made in place; a decision a script POSTs to the endpoint reaches
// it before the caller sees the answer too. From then on requests of the
// granted categories pass, and what the guard held that can be replayed
// faithfully is replayed in order: held element attributes are set back
// on the same elements (a held script then loads, with its listeners),
// CSSOM rules are put back in place of their neutral copies, style
// properties set again where the site has not changed them since. Network
// calls refused earlier (fetch, XHR, beacons, sockets) are not replayed:
// they belonged to a moment without consent, and their callers have
// already seen them fail.
//
// # Limits
//
// A determined script can still reach a tracker: import() and static
// imports of a script created by script are syntax, not an API; a page
// navigation (location, window.open, a link clicked) goes where it goes;
// blob: and data: documents in frames, and data: workers, run unguarded
// markup; a script that replaces the guard's window.__consentgate cannot,
// but one that calls update() grants what it likes. Trackers do none of
// this: they load through elements, network APIs and cookies, which is
// what the guard covers, and the server never sends their markup. The
// guard shows what the site set through getAttribute and properties, not
// through attributes, outerHTML or getAttributeNode. SVG presentation
// attributes with url() (filter, mask) are not judged. Partial tags
// written by document.write that no later write completes are dropped.
package guard
