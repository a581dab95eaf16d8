package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// wranglerConfig is the part of a wrangler configuration dynworker reads.
type wranglerConfig struct {
	Name               string         `json:"name" toml:"name"`
	Main               string         `json:"main" toml:"main"`
	CompatibilityDate  string         `json:"compatibility_date" toml:"compatibility_date"`
	CompatibilityFlags []string       `json:"compatibility_flags" toml:"compatibility_flags"`
	Vars               map[string]any `json:"vars" toml:"vars"`
	WorkerLoaders      []struct {
		Binding string `json:"binding" toml:"binding"`
	} `json:"worker_loaders" toml:"worker_loaders"`
}

func readWranglerConfig(dir string) (*wranglerConfig, error) {
	cfg := &wranglerConfig{}
	for _, name := range []string{"wrangler.jsonc", "wrangler.json", "wrangler.toml"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if strings.HasSuffix(name, ".toml") {
			err = toml.Unmarshal(data, cfg)
		} else {
			err = json.Unmarshal(stripJSONComments(data), cfg)
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", filepath.Join(dir, name), err)
		}
		if cfg.Main == "" {
			return nil, fmt.Errorf("parse %s: main is missing: set it to the entry module, for example \"src/index.js\"", filepath.Join(dir, name))
		}
		if cfg.CompatibilityDate == "" {
			return nil, fmt.Errorf("parse %s: compatibility_date is missing: set it, for example \"%s\"", filepath.Join(dir, name), defaultCompatibilityDate)
		}
		return cfg, nil
	}
	return nil, fmt.Errorf("read %s: no wrangler.jsonc, wrangler.json or wrangler.toml in the directory", dir)
}

// stripJSONComments removes // and /* */ comments and trailing commas
// outside strings, turning JSONC into JSON.
func stripJSONComments(in []byte) []byte {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '"':
			i, out = copyString(in, i, out)
		case c == '/' && i+1 < len(in) && in[i+1] == '/':
			for i < len(in) && in[i] != '\n' {
				i++
			}
			out = append(out, '\n')
		case c == '/' && i+1 < len(in) && in[i+1] == '*':
			i += 2
			for i+1 < len(in) && !(in[i] == '*' && in[i+1] == '/') {
				i++
			}
			i++
		default:
			out = append(out, c)
		}
	}
	return removeTrailingCommas(out)
}

func removeTrailingCommas(in []byte) []byte {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c == '"' {
			i, out = copyString(in, i, out)
			continue
		}
		if c == ',' {
			j := i + 1
			for j < len(in) && strings.ContainsRune(" \t\r\n", rune(in[j])) {
				j++
			}
			if j < len(in) && (in[j] == '}' || in[j] == ']') {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// copyString appends the JSON string that starts with the quote at in[i]
// to out, escapes included, and returns the index of its closing quote.
func copyString(in []byte, i int, out []byte) (int, []byte) {
	out = append(out, in[i])
	for i++; i < len(in); i++ {
		out = append(out, in[i])
		switch {
		case in[i] == '\\' && i+1 < len(in):
			i++
			out = append(out, in[i])
		case in[i] == '"':
			return i, out
		}
	}
	return i, out
}
