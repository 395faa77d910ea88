/* consentgate banner: applies a choice without reloading the page. The
   banner is a plain form; without this script it posts and the page
   reloads with the choice applied on the server. The same goes for the
   placeholders of blocked embeds: each holds a form that allows its
   vendor, which this script sends as JSON and answers by starting the
   embed in place. */
(function () {
  "use strict";
  var root = document.querySelector("[data-consent-banner]");
  var reopen = document.querySelector("[data-consent-reopen]");
  var form = root && root.querySelector("form");
  var status = root && root.querySelector(".cg-status");
  var title = root && root.querySelector(".cg-title");
  var granted = words(root && root.getAttribute("data-granted"));
  var submitter = null;

  if (form) banner();
  placeholders();

  function words(s) {
    return (s || "").split(/[\s,]+/).filter(Boolean);
  }

  function has(list, x) {
    return list.indexOf(x) >= 0;
  }

  // send posts a decision as JSON; the promise gives the decision the
  // endpoint answers.
  function send(action, body) {
    return fetch(action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (!r.ok) throw new Error("consent endpoint answered " + r.status);
      return r.json();
    });
  }

  // withShown adds what the visitor was shown, when the form says.
  function withShown(scope, body) {
    var s = scope.querySelector("input[name=shown]");
    if (s && s.value) body.shown = s.value;
    return body;
  }

  // postPlain falls back on the form post the page works with anyway.
  function postPlain(f, button) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = button.name;
    input.value = button.value;
    f.appendChild(input);
    f.submit();
  }

  function banner() {
    if (!root.hidden && title) title.focus();
    if (reopen) {
      reopen.addEventListener("click", function (e) {
        e.preventDefault();
        root.hidden = false;
        reopen.hidden = true;
        if (title) title.focus();
      });
    }

    form.addEventListener("click", function (e) {
      if (e.target && e.target.name === "action") submitter = e.target;
    });

    // A category's switch sets its vendors' switches with it; a vendor's
    // own switch then decides for that vendor.
    form.addEventListener("change", function (e) {
      var box = e.target;
      if (!box || box.name !== "category") return;
      var cat = box.closest(".cg-cat");
      var vendors = cat ? cat.querySelectorAll("input[name=vendor]") : [];
      for (var i = 0; i < vendors.length; i++) vendors[i].checked = box.checked;
    });

    form.addEventListener("submit", function (e) {
      var button = e.submitter || submitter;
      if (!button || !window.fetch || !window.JSON) return; // plain POST
      e.preventDefault();
      var ret = form.querySelector("input[name=return]");
      var body = { action: button.value, categories: ticked("category"), return: ret ? ret.value : "/" };
      if (button.value === "save") {
        body.vendors = ticked("vendor");
        var offered = form.querySelector("input[name=offered]");
        body.offered = words(offered && offered.value);
      }
      send(form.getAttribute("action"), withShown(form, body)).then(apply).catch(function () {
        postPlain(form, button);
      });
    });
  }

  function ticked(name) {
    var out = [];
    var boxes = form.querySelectorAll("input[name=" + name + "]");
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) out.push(boxes[i].value);
    return out;
  }

  // vendorAllowed reports whether a decision d allows a vendor that needs
  // the categories needs: by the visitor's choice about it, or else by
  // its categories.
  function vendorAllowed(d, id, needs) {
    if (has(d.vendors_granted || [], id)) return true;
    if (has(d.vendors_refused || [], id)) return false;
    if (!needs.length) return false;
    for (var i = 0; i < needs.length; i++) if (!has(d.granted || [], needs[i])) return false;
    return true;
  }

  function apply(d) {
    var now = d.granted || [];
    for (var i = 0; i < granted.length; i++) {
      if (!has(now, granted[i])) {
        // Consent withdrawn: what already ran cannot be unrun; the reload
        // comes back without it (and the response expired its cookies).
        location.reload();
        return;
      }
    }
    // The same for a vendor the page came with allowed (its switch was
    // ticked) and that is refused now. A vendor allowed on its own, beyond
    // its categories, starts in place only as a placeholder's embed: its
    // other elements do not say whose they are, and come live with the
    // reload.
    var vendors = form.querySelectorAll("input[name=vendor]");
    for (var v = 0; v < vendors.length; v++) {
      var id = vendors[v].value;
      var on = vendorAllowed(d, id, words(vendors[v].getAttribute("data-needs")));
      if (vendors[v].defaultChecked ? !on : on && has(d.vendors_granted || [], id) && !placeholderOf(id)) {
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
    if ((d.vendors_refused || []).length && activates(els, now)) {
      // A vendor refused within a category now granted: the elements do
      // not say whose they are, so activating them by category could
      // start it. The reload comes back with exactly what is allowed.
      location.reload();
      return;
    }
    granted = now;
    root.setAttribute("data-granted", now.join(" "));
    guardUpdate(d);
    consentMode(now);
    activate(els, now);
    startEmbeds(d);
    settle(d);
    root.hidden = true;
    if (reopen) {
      reopen.hidden = false;
      reopen.focus();
    }
    if (status) status.textContent = status.getAttribute("data-saved") || "";
  }

  // settle ticks the vendors' switches as decision d has them, which is
  // where a later choice starts from.
  function settle(d) {
    if (!form) return;
    var vendors = form.querySelectorAll("input[name=vendor]");
    for (var i = 0; i < vendors.length; i++) {
      var on = vendorAllowed(d, vendors[i].value, words(vendors[i].getAttribute("data-needs")));
      vendors[i].checked = on;
      vendors[i].defaultChecked = on;
    }
    var cats = form.querySelectorAll("input[name=category]");
    for (var j = 0; j < cats.length; j++) {
      cats[j].checked = has(d.granted || [], cats[j].value);
      cats[j].defaultChecked = cats[j].checked;
    }
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

  // activates reports whether activate would start any of els.
  function activates(els, now) {
    for (var i = 0; i < els.length; i++) {
      if (!(root && (els[i] === root || root.contains(els[i]))) && allowed(els[i], now)) return true;
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
      restore(el);
    }
  }

  // restore moves an element's attributes back from where the server set
  // them aside, which starts what they load.
  function restore(el) {
    for (var k = 0; k < moved.length; k++) {
      var from = "data-consent-" + moved[k];
      if (el.hasAttribute(from)) {
        el.setAttribute(moved[k], el.getAttribute(from));
        el.removeAttribute(from);
      }
    }
    el.removeAttribute("data-consent");
  }

  // guardUpdate tells the run-time guard (first in the page, when the
  // visitor had refused something) the new decision before anything is
  // activated, so that what it held is released and what is restored is
  // let through.
  function guardUpdate(d) {
    var g = window.__consentgate;
    if (g && typeof g.update === "function") {
      try { g.update(d); } catch (e) { /* the guard judges by the old decision */ }
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

  // Placeholders of blocked embeds: each stands right before its frame.

  function placeholderOf(id) {
    var list = document.querySelectorAll("[data-consent-placeholder]");
    for (var i = 0; i < list.length; i++) if (list[i].getAttribute("data-consent-placeholder") === id) return list[i];
    return null;
  }

  function embedOf(ph) {
    var el = ph.nextElementSibling;
    return el && el.tagName === "IFRAME" ? el : null;
  }

  // fit lays a placeholder's box over its frame's, wherever the page's
  // style sheets put it and however large they make it.
  function fit(ph) {
    var box = ph.querySelector(".cg-ph-box");
    var el = embedOf(ph);
    if (!box || !el) return;
    var r = el.getBoundingClientRect();
    var c = ph.getBoundingClientRect();
    box.hidden = !(r.width && r.height); // a frame the page hides
    if (box.hidden) return;
    box.style.top = (r.top - c.top) + "px";
    box.style.left = (r.left - c.left) + "px";
    box.style.width = r.width + "px";
    box.style.height = r.height + "px";
    ph.classList.add("cg-ph-fit");
  }

  function placeholders() {
    var list = document.querySelectorAll("[data-consent-placeholder]");
    if (!list.length) return;
    var fitAll = function () {
      var now = document.querySelectorAll("[data-consent-placeholder]");
      for (var i = 0; i < now.length; i++) fit(now[i]);
    };
    fitAll();
    window.addEventListener("resize", fitAll);
    window.addEventListener("load", fitAll);
    if (window.ResizeObserver) {
      var ro = new ResizeObserver(fitAll);
      for (var i = 0; i < list.length; i++) if (embedOf(list[i])) ro.observe(embedOf(list[i]));
    }
    document.addEventListener("submit", function (e) {
      var f = e.target;
      var button = e.submitter;
      var ph = (button && button.closest("[data-consent-placeholder]")) || (f.closest && f.closest("[data-consent-placeholder]"));
      if (!ph || !button || !window.fetch || !window.JSON) return; // plain POST
      e.preventDefault();
      var id = ph.getAttribute("data-consent-placeholder");
      var ret = ph.querySelector("input[name=return]");
      var body = { action: "grant", vendors: [id], return: ret ? ret.value : "/" };
      send(f.getAttribute("action"), withShown(ph, body)).then(function (d) {
        afterGrant(d, ph);
      }).catch(function () {
        postPlain(f, button);
      });
    });
  }

  // afterGrant answers a placeholder's grant: its embed (and any other
  // now allowed) starts in place, and the banner learns the decision,
  // which an undecided visitor has now made.
  function afterGrant(d, ph) {
    var el = embedOf(ph);
    guardUpdate(d);
    startEmbeds(d);
    if (form) {
      settle(d);
      granted = d.granted || [];
      root.setAttribute("data-granted", granted.join(" "));
      if (!root.hidden) {
        root.hidden = true;
        if (reopen) reopen.hidden = false;
      }
      if (status) status.textContent = status.getAttribute("data-saved") || "";
    }
    if (el) el.focus(); // where the button was
  }

  // startEmbeds starts the frames of the placeholders whose vendor
  // decision d allows, and takes away the placeholders of frames already
  // started.
  function startEmbeds(d) {
    var list = document.querySelectorAll("[data-consent-placeholder]");
    for (var i = 0; i < list.length; i++) {
      var ph = list[i];
      var el = embedOf(ph);
      if (!el) continue;
      if (el.hasAttribute("data-consent")) {
        if (!vendorAllowed(d, ph.getAttribute("data-consent-placeholder"), words(el.getAttribute("data-consent")))) continue;
        restore(el);
      }
      ph.parentNode.removeChild(ph);
    }
  }
})();
