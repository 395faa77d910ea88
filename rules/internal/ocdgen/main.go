// Command ocdgen writes the built-in catalogue's cookie declaration data,
// catalogue/cookie-details.json: for every cookie name and pattern of
// catalogue/vendors.json that the Open Cookie Database describes, its
// purpose, lifetime and whether it is a first- or third-party cookie.
//
// It runs from the rules package directory through go generate:
//
//	go generate ./rules/
//
// and reads the database from the test corpora folder: -ocd, else
// $CONSENTGATE_CORPORA/open-cookie-database, else
// ../../shared/corpora/open-cookie-database (the folder beside a checkout).
// The output is checked in, so a clone without the corpora builds and
// embeds it as it is.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/consentgate/consentgate/internal/corpus"
)

func main() {
	catalogue := flag.String("catalogue", "catalogue/vendors.json", "the built-in catalogue")
	ocd := flag.String("ocd", defaultOCDDir(), "the Open Cookie Database folder (open-cookie-database.csv, SOURCE.md)")
	out := flag.String("out", "catalogue/cookie-details.json", "the file to write")
	flag.Parse()
	if err := run(*catalogue, *ocd, *out); err != nil {
		fmt.Fprintln(os.Stderr, "ocdgen:", err)
		os.Exit(1)
	}
}

// defaultOCDDir is where the corpora keep the Open Cookie Database.
func defaultOCDDir() string {
	dir := os.Getenv(corpus.EnvVar)
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpora")
	}
	return filepath.Join(dir, ocdFolder)
}

func run(cataloguePath, ocdDir, outPath string) error {
	in, err := readInputs(cataloguePath, ocdDir)
	if err != nil {
		return err
	}
	data, stats, err := generate(in)
	if err != nil {
		return err
	}
	if err := os.WriteFile(outPath, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", outPath, err)
	}
	fmt.Fprintf(os.Stderr, "ocdgen: %s: %d of %d cookie patterns of %d vendors described\n",
		outPath, stats.described, stats.patterns, stats.vendors)
	return nil
}
