package middleware

import (
	"encoding/json"
	"net/http"

	"golang.org/x/time/rate"

	"github.com/consentgate/consentgate/rules"
)

// In report mode the run-time guard lets everything through and reports
// what it would have stopped: batches of up to 100 items a page, POSTed
// (navigator.sendBeacon) to <endpoint>/report as
//
//	{"v":1,"page":"/path","items":[{"kind":"fetch","url":"https://host/path","vendor":"google-analytics","missing":["analytics"]}]}
//
// Each item is logged ("guard would block") and passed to OnFinding with
// the kind prefixed "runtime-". Reports come from visitors' browsers, so
// they are bounded: 16 KiB a request, and at most guardReportRate items a
// second for the whole process (a burst of guardReportBurst), the rest
// dropped and counted.

const (
	guardReportRate  = 50
	guardReportBurst = 200
	maxReportItems   = 100
)

type guardReport struct {
	V     int    `json:"v"`
	Page  string `json:"page"`
	Items []struct {
		Kind    string   `json:"kind"`
		URL     string   `json:"url"`
		Vendor  string   `json:"vendor"`
		Missing []string `json:"missing"`
	} `json:"items"`
}

func newReportLimiter() *rate.Limiter { return rate.NewLimiter(guardReportRate, guardReportBurst) }

// serveGuardReport takes a report of the run-time guard.
func (m *Middleware) serveGuardReport(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		httpError(w, r, http.StatusMethodNotAllowed, "reports are POSTed")
		return
	}
	if err := sameOrigin(r); err != nil {
		httpError(w, r, http.StatusForbidden, err.Error())
		return
	}
	var rep guardReport
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxEndpointBody))
	if err := dec.Decode(&rep); err != nil || rep.V != 1 || len(rep.Items) > maxReportItems {
		httpError(w, r, http.StatusBadRequest, "want a guard report: {\"v\":1,\"page\":…,\"items\":[…]} with at most 100 items")
		return
	}
	dropped := 0
	for _, it := range rep.Items {
		if !m.reports.Allow() {
			dropped++
			continue
		}
		vendor, _ := m.rs.VendorByID(it.Vendor)
		var need rules.CategorySet
		for _, c := range it.Missing {
			if bit, ok := m.rs.Bit(rules.Category(c)); ok {
				need |= bit
			}
		}
		kind := "runtime-" + sanitise(it.Kind, 32)
		m.log.Info("guard would block", "kind", kind, "url", sanitise(it.URL, 512), "vendor", sanitise(it.Vendor, 64),
			"categories", m.rs.Join(need, " "), "path", sanitise(rep.Page, 512))
		m.find(r, Finding{Kind: kind, URL: sanitise(it.URL, 2048)}, need, 0, vendor)
	}
	if dropped > 0 {
		m.log.Warn("guard reports over the rate limit: dropped", "items", dropped, "per_second", guardReportRate)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
