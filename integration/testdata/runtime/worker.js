// A same-origin worker of the site: it requests the URL it is given.
var q = new URLSearchParams(self.location.search);
var u = q.get("u");
function go() { fetch(u).catch(function () {}); }
if (q.get("shared")) {
  self.onconnect = function (e) { go(); e.ports[0].postMessage("done"); };
} else {
  go();
  postMessage("done");
}
