package middleware

import (
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestShown: an id of what a visitor was shown reads back, at
// /shown/<id>, into those texts in their language with the vendors
// offered; a decision posted with it records it; a forged or stale id
// is refused and not recorded.
func TestShown(t *testing.T) {
	logs := &recordedLogs{}
	m := newTestMiddleware(t, Config{PolicyURL: "/privacy", Revision: "2026-12", RecordLogger: slog.New(logs)})
	id := m.shownID(shownBanner, "sv", []string{"youtube", "google-analytics"})
	if id == "" || !strings.HasPrefix(id, "b.sv.") {
		t.Fatalf("banner id %q", id)
	}
	if again := m.shownID(shownBanner, "sv", []string{"google-analytics", "youtube", "youtube"}); again != id {
		t.Errorf("the same content has two ids: %s and %s", id, again)
	}
	get := func(id string) (int, map[string]any) {
		resp := serve(t, m, nil, httptest.NewRequest("GET", "https://shop.example.com/.well-known/consent/shown/"+id, nil))
		var c map[string]any
		json.Unmarshal([]byte(body(t, resp)), &c)
		return resp.StatusCode, c
	}
	status, c := get(id)
	if status != 200 || c["kind"] != "banner" || c["language"] != "sv" || c["policy_url"] != "/privacy" || c["revision"] != "2026-12" {
		t.Fatalf("shown %s: %d %v", id, status, c)
	}
	texts, _ := c["texts"].(map[string]any)
	if texts["accept_all"] != m.banner.texts["sv"]["accept_all"] || texts["title"] == "" {
		t.Errorf("the Swedish texts are not what was shown: %v", texts)
	}
	vendors, _ := c["vendors_offered"].([]any)
	if len(vendors) != 2 || !strings.Contains(body2json(vendors), `"id":"google-analytics"`) || !strings.Contains(body2json(vendors), `"id":"youtube"`) {
		t.Errorf("vendors offered: %v", vendors)
	}
	if cats, _ := c["categories"].([]any); len(cats) != 4 {
		t.Errorf("categories shown: %v", c["categories"])
	}
	p := m.shownID(shownPlaceholder, "de", []string{"youtube"})
	if status, c := get(p); status != 200 || c["kind"] != "placeholder" || c["language"] != "de" {
		t.Errorf("placeholder %s: %d %v", p, status, c)
	}
	forged := id[:len(id)-3] + "AAA"
	if status, _ := get(forged); status != 404 {
		t.Errorf("a forged digest: status %d", status)
	}
	other := newTestMiddleware(t, Config{PolicyURL: "/privacy-v2", Revision: "2026-12"})
	if _, ok := other.parseShownID(id); ok {
		t.Error("an id of another configuration (another policy URL) reads back")
	}

	post(t, m, url.Values{"action": {"reject_all"}, "shown": {id}}, map[string]string{"Origin": "https://shop.example.com"})
	post(t, m, url.Values{"action": {"reject_all"}, "shown": {forged}}, map[string]string{"Origin": "https://shop.example.com"})
	rec := logs.all()
	if len(rec) != 2 || rec[0]["shown"] != id || rec[1]["shown"] != nil {
		t.Errorf("records: %v", rec)
	}
}

func body2json(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
