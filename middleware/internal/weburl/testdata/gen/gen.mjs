// gen.mjs resolves every URL reference in urls.txt against two document
// bases with Node's WHATWG URL implementation (the global URL) and writes
// the results to testdata/whatwg.json, which weburl_test.go's
// TestAgainstWHATWG compares weburl.Parse with.
//
// Regenerate (Node 20 or later) from the package directory
// middleware/internal/weburl:
//
//	node testdata/gen/gen.mjs
//
// urls.txt holds one JSON string literal per line (so control characters
// are written as escapes); blank lines and lines starting with '#' are
// skipped.
//
// Each entry is {input, base, ok, host, pathQuery}:
//   - ok is false when new URL(input, base) throws or the resulting
//     protocol is not http:, https:, ws:, wss: or ftp: (host and pathQuery
//     are then empty);
//   - host is url.hostname, lower case, with one trailing dot removed (IPv6
//     literals keep the brackets Node gives them);
//   - pathQuery is url.pathname + url.search, plus a lone "?" when the URL
//     has an empty query: url.search is "" for both "/x" and "/x?", but the
//     browser requests "/x?" for the latter, and that is what weburl reports.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bases = [
  "https://www.example.com/dir/page.html",
  "http://shop.example.org/a/b/",
];
const network = new Set(["http:", "https:", "ws:", "wss:", "ftp:"]);

const inputs = [];
const lines = readFileSync(join(here, "urls.txt"), "utf8").split("\n");
lines.forEach((line, i) => {
  if (line.trim() === "" || line.startsWith("#")) return;
  let s;
  try {
    s = JSON.parse(line);
  } catch (e) {
    throw new Error(`urls.txt:${i + 1}: not a JSON string literal: ${e.message}`);
  }
  if (typeof s !== "string") {
    throw new Error(`urls.txt:${i + 1}: not a JSON string literal`);
  }
  inputs.push(s);
});

const out = [];
for (const input of inputs) {
  for (const base of bases) {
    const e = { input, base, ok: false, host: "", pathQuery: "" };
    let u = null;
    try {
      u = new URL(input, base);
    } catch {
      u = null;
    }
    if (u !== null && network.has(u.protocol)) {
      e.ok = true;
      e.host = u.hostname.toLowerCase().replace(/\.$/, "");
      let pq = u.pathname + u.search;
      if (u.search === "" && u.href.split("#")[0].endsWith("?")) pq += "?";
      e.pathQuery = pq;
    }
    out.push(e);
  }
}

const json = "[\n" + out.map((e) => "  " + JSON.stringify(e)).join(",\n") + "\n]\n";
writeFileSync(join(here, "..", "whatwg.json"), json);
console.log(`wrote ${out.length} entries (${inputs.length} inputs x ${bases.length} bases) to testdata/whatwg.json`);
