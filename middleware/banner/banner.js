/* consentgate banner: applies a choice without reloading the page. The
   banner is a plain form; without this script it posts and the page
   reloads with the choice applied on the server. */
(function () {
  "use strict";
  var root = document.querySelector("[data-consent-banner]");
  if (!root) return;
  var form = root.querySelector("form");
  var reopen = document.querySelector("[data-consent-reopen]");
  var status = root.querySelector(".cg-status");
  var title = root.querySelector(".cg-title");
  var granted = (root.getAttribute("data-granted") || "").split(" ").filter(Boolean);
  var submitter = null;

  function show() {
    root.hidden = false;
    if (reopen) reopen.hidden = true;
    if (title) title.focus();
  }

  if (!root.hidden && title) title.focus();
  if (reopen) {
    reopen.addEventListener("click", function (e) {
      e.preventDefault();
      show();
    });
  }

  form.addEventListener("click", function (e) {
    if (e.target && e.target.name === "action") submitter = e.target;
  });

  form.addEventListener("submit", function (e) {
    var button = e.submitter || submitter;
    if (!button || !window.fetch || !window.JSON) return; // plain POST
    e.preventDefault();
    var cats = [];
    var boxes = form.querySelectorAll("input[name=category]");
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) cats.push(boxes[i].value);
    var ret = form.querySelector("input[name=return]");
    fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ action: button.value, categories: cats, return: ret ? ret.value : "/" })
    }).then(function (r) {
      if (!r.ok) throw new Error("consent endpoint answered " + r.status);
      return r.json();
    }).then(function (d) {
      apply(d.granted || []);
    }).catch(function () {
      // Fall back on the form post the banner works with anyway.
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "action";
      input.value = button.value;
      form.appendChild(input);
      form.submit();
    });
  });

  function has(list, x) {
    return list.indexOf(x) >= 0;
  }

  function apply(now) {
    for (var i = 0; i < granted.length; i++) {
      if (!has(now, granted[i])) {
        // Consent withdrawn: what already ran cannot be unrun; the reload
        // comes back without it (and the response expired its cookies).
        location.reload();
        return;
      }
    }
    var els = document.querySelectorAll("[data-consent],script[type='text/plain'][data-category]");
    if (writesDocument(els, now)) {
      // A script that writes into the document can do so only while the
      // page loads: run now, its document.write would replace the whole
      // page (and the scripts after it expect what it wrote to have run
      // already). The reload comes with it live, as the choice is saved.
      location.reload();
      return;
    }
    granted = now;
    root.setAttribute("data-granted", now.join(" "));
    consentMode(now);
    activate(els, now);
    root.hidden = true;
    if (reopen) {
      reopen.hidden = false;
      reopen.focus();
    }
    if (status) status.textContent = status.getAttribute("data-saved") || "";
  }

  // The attributes the server moved aside when it neutralised an element:
  // filled in from the element table when the file is served.
  var moved = /*restored*/[];

  function allowed(el, now) {
    var list = (el.getAttribute("data-consent") || el.getAttribute("data-category") || "").split(/[\s,]+/);
    var any = false;
    for (var i = 0; i < list.length; i++) {
      if (!list[i]) continue;
      if (!has(now, list[i])) return false;
      any = true;
    }
    return any;
  }

  // revive returns a live copy of a neutralised <script> or <style>: the
  // attributes the server added left out, its own type given back (a
  // script or sheet whose type changes in place would not run).
  function revive(el) {
    var n = document.createElement(el.tagName.toLowerCase());
    for (var j = 0; j < el.attributes.length; j++) {
      var a = el.attributes[j];
      if (a.name === "type" || a.name === "data-consent" || a.name === "data-category") continue;
      if (a.name.indexOf("data-consent-") === 0) continue;
      n.setAttribute(a.name, a.value);
    }
    var t = el.getAttribute("data-consent-type") || el.getAttribute("data-type");
    if (t) n.setAttribute("type", t);
    if (el.nonce) n.nonce = el.nonce;
    return n;
  }

  function writesDocument(els, now) {
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.tagName === "SCRIPT" && !el.hasAttribute("data-consent-src") && !el.hasAttribute("src") &&
          /document\s*\.\s*write/.test(el.text) && allowed(el, now)) return true;
    }
    return false;
  }

  function activate(els, now) {
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el === root || root.contains(el) || !allowed(el, now)) continue;
      if (el.tagName === "STYLE") {
        var st = revive(el);
        st.textContent = el.textContent;
        el.parentNode.replaceChild(st, el);
        continue;
      }
      if (el.tagName === "SCRIPT") {
        var s = revive(el);
        var src = el.getAttribute("data-consent-src") || el.getAttribute("src");
        if (src) {
          s.setAttribute("src", src);
          if (!el.hasAttribute("async")) s.async = false; // keep document order
        } else {
          s.text = el.text;
        }
        el.parentNode.replaceChild(s, el);
        continue;
      }
      for (var k = 0; k < moved.length; k++) {
        var from = "data-consent-" + moved[k];
        if (el.hasAttribute(from)) {
          el.setAttribute(moved[k], el.getAttribute(from));
          el.removeAttribute(from);
        }
      }
      el.removeAttribute("data-consent");
    }
  }

  function consentMode(now) {
    if (!root.hasAttribute("data-consent-mode") || typeof window.gtag !== "function") return;
    var g = function (c) { return has(now, c) ? "granted" : "denied"; };
    window.gtag("consent", "update", {
      ad_storage: g("marketing"),
      ad_user_data: g("marketing"),
      ad_personalization: g("marketing"),
      analytics_storage: g("analytics"),
      functionality_storage: g("preferences"),
      personalization_storage: g("preferences")
    });
  }
})();
