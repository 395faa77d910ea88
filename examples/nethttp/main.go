// Command nethttp serves the demo site with plain net/http behind the
// consentgate middleware:
//
//	go run ./examples/nethttp -addr :8080 -root examples/site
package main

import (
	"flag"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/consentgate/consentgate/middleware"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	root := flag.String("root", "examples/site", "folder to serve")
	flag.Parse()

	// Operational logs and consent records as JSON on standard error;
	// records carry logger=consentgate.records.
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	mw, err := middleware.New(middleware.Config{
		PolicyURL: "/privacy.html",
		Logger:    logger,
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Addr:              *addr,
		Handler:           mw.Handler(http.FileServer(http.Dir(*root))),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Printf("serving %s on %s", *root, *addr)
	log.Fatal(srv.ListenAndServe())
}
