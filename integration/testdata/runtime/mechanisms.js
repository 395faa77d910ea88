/* Every way a page's own scripts make a request after the page has loaded,
   tried against a catalogued tracker host and, mirrored, against a host no
   rule knows. Each request's path is /m/<phase>/<mechanism>/<file>, so
   the test's server counts them per phase and mechanism. Synchronous
   mechanisms run while the page parses (document.write needs that). */
(function () {
  "use strict";
  var phase = document.body.getAttribute("data-phase");
  var HOSTS = { tracker: "www.google-analytics.com", other: "cdn.example.net" };
  // Preconnect goes to a host of its own per phase: a TLS handshake is
  // counted by its server name, and an open connection is never reused
  // by a later phase.
  var PRECONNECT = { tracker: "pc-" + phase + ".google-analytics.com", other: "pc-" + phase + ".example.net" };
  var stage = document.getElementById("stage");
  var errors = (window.mechanismErrors = []);
  var dom = (window.mechanismDOM = {});
  var pending = 0;
  window.mechanismsDone = false;

  function url(host, mech, file) { return "https://" + host + "/m/" + phase + "/" + mech + "/" + file; }
  function add(el) { stage.appendChild(el); return el; }
  function wait(p) {
    pending++;
    p.then(done, done);
  }
  function done() { if (--pending === 0 && started) window.mechanismsDone = true; }
  var started = false;

  var M = {
    // Elements created or changed by script.
    "img-property": function (h, u) { new Image().src = u("a.gif"); },
    "img-setattribute": function (h, u) { var i = document.createElement("img"); i.setAttribute("src", u("a.gif")); add(i); },
    "img-setattributens": function (h, u) { var i = document.createElement("img"); i.setAttributeNS(null, "src", u("a.gif")); add(i); },
    "img-attr-node": function (h, u) { var i = document.createElement("img"), a = document.createAttribute("src"); a.value = u("a.gif"); i.setAttributeNode(a); add(i); },
    "img-attr-value": function (h, u) { var i = add(document.createElement("img")); i.setAttribute("src", "data:,"); i.getAttributeNode("src").value = u("a.gif"); },
    "img-named-item": function (h, u) { var i = document.createElement("img"), a = document.createAttribute("src"); a.value = u("a.gif"); i.attributes.setNamedItem(a); add(i); },
    "img-srcset": function (h, u) { var i = document.createElement("img"); i.srcset = u("a.gif") + " 1x"; add(i); },
    "img-lazy-data-src": function (h, u) {
      // A lazy loader: data-src, later copied into src.
      var i = add(document.createElement("img"));
      i.setAttribute("data-src", u("a.gif"));
      setTimeout(function () { i.src = i.getAttribute("data-src"); }, 10);
    },
    "picture-source": function (h, u) {
      var p = document.createElement("picture"), s = document.createElement("source"), i = document.createElement("img");
      s.srcset = u("a.gif"); p.appendChild(s); p.appendChild(i); add(p);
    },
    "script-property": function (h, u) { var s = document.createElement("script"); s.src = u("a.js"); document.head.appendChild(s); },
    "script-setattribute": function (h, u) { var s = document.createElement("script"); s.setAttribute("src", u("a.js")); document.head.appendChild(s); },
    "iframe-src": function (h, u) { var f = document.createElement("iframe"); f.src = u("a.html"); add(f); },
    "link-stylesheet": function (h, u) { var l = document.createElement("link"); l.rel = "stylesheet"; l.href = u("a.css"); document.head.appendChild(l); },
    "link-preload": function (h, u) { var l = document.createElement("link"); l.rel = "preload"; l.as = "image"; l.href = u("a.gif"); document.head.appendChild(l); },
    "link-prefetch": function (h, u) { var l = document.createElement("link"); l.rel = "prefetch"; l.href = u("a.js"); document.head.appendChild(l); },
    "link-modulepreload": function (h, u) { var l = document.createElement("link"); l.rel = "modulepreload"; l.href = u("a.js"); document.head.appendChild(l); },
    "link-icon": function (h, u) { var l = document.createElement("link"); l.rel = "icon"; l.href = u("a.gif"); document.head.appendChild(l); },
    "link-rel-after-href": function (h, u) { var l = document.createElement("link"); l.href = u("a.css"); document.head.appendChild(l); l.rel = "stylesheet"; },
    "link-rellist": function (h, u) { var l = document.createElement("link"); l.href = u("a.css"); document.head.appendChild(l); l.relList.add("stylesheet"); },
    "link-preconnect": function (h) {
      var l = document.createElement("link"); l.rel = "preconnect"; l.href = "https://" + PRECONNECT[h] + "/"; document.head.appendChild(l);
      dom["link-preconnect/" + h] = !!l.attributes.getNamedItem("href");
    },
    "link-dns-prefetch": function (h) {
      var l = document.createElement("link"); l.rel = "dns-prefetch"; l.href = "https://dns-" + PRECONNECT[h] + "/"; document.head.appendChild(l);
      dom["link-dns-prefetch/" + h] = !!l.attributes.getNamedItem("href");
    },
    "video-src": function (h, u) { var v = document.createElement("video"); v.preload = "auto"; v.src = u("a.webm"); add(v); },
    "video-poster": function (h, u) { var v = document.createElement("video"); v.poster = u("a.gif"); add(v); },
    "audio-constructor": function (h, u) { new Audio(u("a.mp3")); },
    "audio-src": function (h, u) { var a = document.createElement("audio"); a.preload = "auto"; a.src = u("a.mp3"); add(a); },
    "track-src": function (h, u) {
      var v = document.createElement("video"), t = document.createElement("track");
      t.kind = "subtitles"; t.default = true; t.src = u("a.vtt"); v.appendChild(t); v.src = "page.css?video=" + h; add(v); t.track.mode = "showing";
      dom["track-src/" + h] = !!t.attributes.getNamedItem("src");
    },
    "embed-src": function (h, u) { var e = document.createElement("embed"); e.src = u("a.html"); add(e); },
    "object-data": function (h, u) { var o = document.createElement("object"); o.data = u("a.html"); add(o); },
    "input-image": function (h, u) { var i = document.createElement("input"); i.type = "image"; i.src = u("a.gif"); add(i); },
    "input-type-after-src": function (h, u) { var i = document.createElement("input"); i.src = u("a.gif"); add(i); i.type = "image"; },
    "svg-image": function (h, u) { var s = svg(); var i = document.createElementNS("http://www.w3.org/2000/svg", "image"); i.setAttribute("href", u("a.gif")); s.appendChild(i); },
    "svg-image-xlink": function (h, u) { var s = svg(); var i = document.createElementNS("http://www.w3.org/2000/svg", "image"); i.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:href", u("a.gif")); s.appendChild(i); },
    "svg-image-baseval": function (h, u) { var s = svg(); var i = document.createElementNS("http://www.w3.org/2000/svg", "image"); i.href.baseVal = u("a.gif"); s.appendChild(i); },
    "svg-feimage": function (h, u) {
      var s = svg(), NS = "http://www.w3.org/2000/svg", f = document.createElementNS(NS, "filter"), fe = document.createElementNS(NS, "feImage"), r = document.createElementNS(NS, "rect");
      f.id = "f-" + h; fe.setAttribute("href", u("a.gif")); f.appendChild(fe); s.appendChild(f);
      r.setAttribute("width", "8"); r.setAttribute("height", "8"); r.setAttribute("filter", "url(#f-" + h + ")"); s.appendChild(r);
    },
    "svg-script": function (h, u) { var s = svg(); var sc = document.createElementNS("http://www.w3.org/2000/svg", "script"); sc.setAttribute("href", u("a.js")); s.appendChild(sc); },
    "ping": function (h, u) {
      var a = add(document.createElement("a")); a.href = "blank.html?ping=" + h; a.target = sink(); a.ping = u("ping"); a.textContent = "p"; a.click();
    },
    "attributionsrc": function (h, u) {
      var i = document.createElement("img"); i.attributionSrc = u("a.gif"); i.src = "page.css?attribution=" + h; add(i);
      dom["attributionsrc/" + h] = !!i.attributes.getNamedItem("attributionsrc");
    },

    // HTML parsed by script.
    "innerhtml": function (h, u) { add(document.createElement("div")).innerHTML = '<img src="' + u("a.gif") + '">'; },
    "outerhtml": function (h, u) { add(document.createElement("div")).outerHTML = '<div><img src="' + u("a.gif") + '"></div>'; },
    "insertadjacenthtml": function (h, u) { stage.insertAdjacentHTML("beforeend", '<img src="' + u("a.gif") + '">'); },
    "document-write": function (h, u) { document.write('<img src="' + u("a.gif") + '">'); },
    "document-write-split": function (h, u) { document.write('<scr' + 'ipt src="'); document.write(u("a.js")); document.write('"></scr' + 'ipt>'); },
    "contextual-fragment": function (h, u) { add(document.createRange().createContextualFragment('<img src="' + u("a.gif") + '">')); },
    "sethtmlunsafe": function (h, u) { add(document.createElement("div")).setHTMLUnsafe('<img src="' + u("a.gif") + '">'); },
    "parsehtmlunsafe": function (h, u) { add(Document.parseHTMLUnsafe('<img src="' + u("a.gif") + '">').body.firstChild); },
    "domparser-adopt": function (h, u) { var d = new DOMParser().parseFromString('<img src="' + u("a.gif") + '">', "text/html"); add(document.adoptNode(d.body.firstChild)); },
    "template-import": function (h, u) { var t = document.createElement("template"); t.innerHTML = '<img src="' + u("a.gif") + '">'; add(document.importNode(t.content, true)); },
    "template-clone": function (h, u) { var t = document.createElement("template"); t.innerHTML = '<img src="' + u("a.gif") + '">'; add(t.content.cloneNode(true)); },
    "execcommand-inserthtml": function (h, u) {
      var ed = document.getElementById("editable"); ed.focus();
      document.execCommand("insertHTML", false, '<img src="' + u("a.gif") + '">');
    },

    // CSS added by script.
    "style-text": function (h, u) { var s = document.createElement("style"); s.textContent = "#bg-text-" + h + "{background-image:url(" + u("a.gif") + ")}"; document.head.appendChild(s); bgBox("bg-text-" + h); },
    "style-import": function (h, u) { var s = document.createElement("style"); s.textContent = '@import "' + u("a.css") + '";'; document.head.appendChild(s); },
    "style-append-text": function (h, u) { var s = document.head.appendChild(document.createElement("style")); s.appendChild(document.createTextNode('@import url("' + u("a.css") + '");')); },
    "style-font-face": function (h, u) {
      var s = document.createElement("style");
      s.textContent = "@font-face{font-family:f-" + h + ";src:url(" + u("a.woff") + ")}#font-" + h + "{font-family:f-" + h + "}";
      document.head.appendChild(s); var d = add(document.createElement("span")); d.id = "font-" + h; d.textContent = "x";
    },
    "css-insertrule": function (h, u) { var s = document.head.appendChild(document.createElement("style")); s.sheet.insertRule("#bg-rule-" + h + "{background-image:url(" + u("a.gif") + ")}", 0); bgBox("bg-rule-" + h); },
    "css-replacesync": function (h, u) { var sh = new CSSStyleSheet(); sh.replaceSync("#bg-sync-" + h + "{background-image:url(" + u("a.gif") + ")}"); document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sh]); bgBox("bg-sync-" + h); },
    "css-replace": function (h, u) { var sh = new CSSStyleSheet(); wait(sh.replace("#bg-async-" + h + "{background-image:url(" + u("a.gif") + ")}").then(function () { document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sh]); })); bgBox("bg-async-" + h); },
    "style-setproperty": function (h, u) { bgBox().style.setProperty("background-image", "url(" + u("a.gif") + ")"); },
    "style-csstext": function (h, u) { bgBox().style.cssText = "background-image:url(" + u("a.gif") + ")"; },
    "style-backgroundimage": function (h, u) { bgBox().style.backgroundImage = "url(" + u("a.gif") + ")"; },
    "style-image-set": function (h, u) { bgBox().style.backgroundImage = 'image-set("' + u("a.gif") + '" 1x)'; },
    "style-custom-property": function (h, u) { var b = bgBox(); b.style.setProperty("--bg", "url(" + u("a.gif") + ")"); b.style.backgroundImage = "var(--bg)"; },
    "style-attribute": function (h, u) { bgBox().setAttribute("style", "background-image:url(" + u("a.gif") + ")"); },
    "style-rule-style": function (h, u) { var s = document.head.appendChild(document.createElement("style")); s.textContent = "#bg-rs-" + h + "{color:red}"; s.sheet.cssRules[0].style.backgroundImage = "url(" + u("a.gif") + ")"; bgBox("bg-rs-" + h); },
    "typed-om": function (h, u) { bgBox().attributeStyleMap.set("background-image", CSSStyleValue.parse("background-image", "url(" + u("a.gif") + ")")); },
    "fontface": function (h, u) { var f = new FontFace("ff-" + h, "url(" + u("a.woff") + ")"); document.fonts.add(f); wait(f.load()); },
    "animate": function (h, u) { bgBox().animate([{ backgroundImage: "url(" + u("a.gif") + ")" }, { backgroundImage: "none" }], 1000); },

    // Network APIs.
    "fetch": function (h, u) { wait(fetch(u("fetch"))); },
    "fetch-request": function (h, u) { wait(fetch(new Request(u("fetch")))); },
    "xhr": function (h, u) { var x = new XMLHttpRequest(); x.open("GET", u("xhr")); wait(new Promise(function (r) { x.onloadend = r; })); x.send(); },
    "beacon": function (h, u) { if (navigator.sendBeacon(u("beacon"), "x") !== true) errors.push("beacon returned false for " + h); },
    "websocket": function (h) { var ws = new WebSocket("wss://" + HOSTS[h] + "/m/" + phase + "/websocket/ws"); wait(new Promise(function (r) { ws.onclose = r; })); },
    "eventsource": function (h, u) { var es = new EventSource(u("sse")); wait(new Promise(function (r) { es.onerror = function () { es.close(); r(); }; es.onopen = function () { es.close(); r(); }; })); },
    "speculation-rules": function (h, u) { var s = document.createElement("script"); s.type = "speculationrules"; s.textContent = JSON.stringify({ prefetch: [{ source: "list", urls: [u("a.html")] }] }); document.head.appendChild(s); },
    "form-submit": function (h, u) { var f = add(document.createElement("form")); f.method = "post"; f.action = u("form"); f.target = sink(); f.submit(); },
    "form-requestsubmit": function (h, u) { var f = add(document.createElement("form")); f.method = "post"; f.action = u("form"); f.target = sink(); f.requestSubmit(); },

    // Workers and frames.
    "worker": function (h, u) { var w = new Worker("worker.js?u=" + encodeURIComponent(u("fetch"))); wait(new Promise(function (r) { w.onmessage = r; w.onerror = r; })); },
    "worker-blob": function (h, u) { blobWorker("fetch(" + JSON.stringify(u("fetch")) + ").catch(function(){}).then(function(){postMessage(1)});"); },
    "worker-importscripts": function (h, u) { blobWorker("try{importScripts(" + JSON.stringify(u("a.js")) + ")}catch(e){}postMessage(1);"); },
    "shared-worker": function (h, u) { var w = new SharedWorker("worker.js?shared=1&u=" + encodeURIComponent(u("fetch"))); wait(new Promise(function (r) { w.port.onmessage = r; w.onerror = r; })); },
    "service-worker": function (h, u) {
      if (!navigator.serviceWorker) return;
      wait(navigator.serviceWorker.register("sw.js", { scope: "/runtime/" }).then(function () { return navigator.serviceWorker.ready; }).then(function (reg) {
        reg.active.postMessage({ fetch: u("fetch") });
        return new Promise(function (r) { setTimeout(r, 500); });
      }));
    },
    "iframe-blank-fetch": function (h, u) { var f = add(document.createElement("iframe")); f.contentWindow.fetch(u("fetch")).catch(function () {}); },
    "iframe-blank-index": function (h, u) { add(document.createElement("iframe")); window[window.length - 1].fetch(u("fetch")).catch(function () {}); },
    "iframe-blank-onload": function (h, u) { var f = document.createElement("iframe"); f.onload = function () { window.frames[window.length - 1].navigator.sendBeacon(u("beacon"), "x"); }; add(f); },
    "iframe-blank-write": function (h, u) { var f = add(document.createElement("iframe")); var d = f.contentDocument; d.open(); d.write('<img src="' + u("a.gif") + '">'); d.close(); },
    "iframe-blank-image": function (h, u) { var f = add(document.createElement("iframe")); var I = f.contentWindow.Image; new I().src = u("a.gif"); },
    "iframe-srcdoc-script": function (h, u) { var f = document.createElement("iframe"); f.srcdoc = "<script>fetch(" + JSON.stringify(u("fetch")) + ").catch(function(){})<\/script>"; add(f); },
    "iframe-srcdoc-markup": function (h, u) { var f = document.createElement("iframe"); f.srcdoc = '<img src="' + u("a.gif") + '">'; add(f); },

    // Cookies written by script are checked in the jar, not counted.
    "cookies": function (h) {
      if (h !== "tracker") return;
      // Each value names the phase that wrote it.
      document.cookie = "_ga=GA1.1." + phase + "; path=/; max-age=3600";
      document.cookie = "=_ga_" + phase + "; path=/; max-age=3600"; // nameless: read back as _ga_<phase>
      document.cookie = " _fbp =fb.1." + phase + "; path=/; max-age=3600";
      document.cookie = "site_pref=" + phase + "; path=/; max-age=3600";
      if (window.cookieStore) {
        wait(cookieStore.set({ name: "_gcl_au", value: phase, path: "/", expires: Date.now() + 3600e3 }));
        wait(cookieStore.set({ name: "site_cs", value: phase, path: "/", expires: Date.now() + 3600e3 }));
      }
    },

    // Not covered (see the guard's doc.go): counted, never asserted.
    "dynamic-import": function (h, u) { wait(import(u("a.js")).catch(function () {})); },

    // Server-side: a same-site redirect to the host.
    "redirect": function (h, u) { new Image().src = "/out?to=" + encodeURIComponent(u("a.gif")); }
  };

  // sink returns the name of a fresh hidden frame for a navigation.
  var sinks = 0;
  function sink() { var f = document.createElement("iframe"); f.name = "sink" + sinks++; f.hidden = true; document.body.appendChild(f); return f.name; }
  function svg() { var s = document.createElementNS("http://www.w3.org/2000/svg", "svg"); s.setAttribute("width", "8"); s.setAttribute("height", "8"); return add(s); }
  var boxes = 0;
  function bgBox(id) { var d = add(document.createElement("div")); d.id = id || "bg-" + boxes++; d.textContent = "\u00a0"; return d; }
  function blobWorker(code) {
    var w = new Worker(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
    wait(new Promise(function (r) { w.onmessage = r; w.onerror = r; }));
  }

  var names = Object.keys(M);
  window.mechanismNames = names;
  for (var i = 0; i < names.length; i++) {
    for (var h in HOSTS) {
      var name = names[i];
      try {
        M[name](h, (function (host, mech) { return function (file) { return url(host, mech, file); }; })(HOSTS[h], name));
      } catch (e) {
        errors.push(name + "/" + h + ": " + e);
      }
    }
  }
  started = true;
  pending++;
  setTimeout(done, 0);
})();
