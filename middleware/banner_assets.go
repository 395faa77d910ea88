package middleware

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/consentgate/consentgate/middleware/internal/elements"
)

// asset is a banner file served from the endpoint under a content-hashed
// name, so it can be cached for good.
type asset struct {
	name        string // e.g. "banner.3f2a9c1b0d.css"
	contentType string
	body, gz    []byte
}

func newAsset(file, contentType string) asset {
	body, err := bannerFS.ReadFile("banner/" + file)
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	if file == "banner.js" {
		body = withRestored(body)
	}
	sum := sha256.Sum256(body)
	ext := path.Ext(file)
	return newAssetOf(strings.TrimSuffix(file, ext)+"."+hex.EncodeToString(sum[:5])+ext, contentType, body)
}

// newAssetOf makes an endpoint file of a body that already has its final,
// content-hashed name.
func newAssetOf(name, contentType string, body []byte) asset {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	return asset{name: name, contentType: contentType, body: body, gz: gz.Bytes()}
}

var bannerAssets = sync.OnceValue(func() [2]asset {
	return [2]asset{newAsset("banner.css", "text/css; charset=utf-8"), newAsset("banner.js", "text/javascript; charset=utf-8")}
})

// withRestored fills the banner script's list of the attributes to move
// back on consent from the element table.
func withRestored(js []byte) []byte {
	list, _ := json.Marshal(elements.Restored())
	const slot = "/*restored*/[]"
	if !bytes.Contains(js, []byte(slot)) {
		panic("banner.js: no " + slot) // embedded: a test sees it
	}
	return bytes.Replace(js, []byte(slot), list, 1)
}

// serve writes the asset with a year-long, immutable cache lifetime.
func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	body := a.body
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
			return true
		}
	}
	return false
}
