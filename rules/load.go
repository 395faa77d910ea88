package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// LoadFile reads vendors from a rule file, whose format is recognised from
// its content: the project's JSON format, an AdGuard companiesdb
// trackers.json, or an Open Cookie Database CSV.
func LoadFile(path string) ([]Vendor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading rules: %w", err)
	}
	return Load(data, path)
}

// Load reads vendors from the bytes of a rule file; see LoadFile.
func Load(data []byte, name string) ([]Vendor, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%s: empty rule file", name)
	}
	if trimmed[0] != '{' {
		return ParseOpenCookieDatabase(bytes.NewReader(data), name)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, jsonError(name, data, err)
	}
	if _, ok := probe["trackerDomains"]; ok {
		return ParseAdGuard(bytes.NewReader(data), name)
	}
	return ParseJSON(bytes.NewReader(data), name)
}
