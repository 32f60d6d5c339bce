package config

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// FuzzParse checks that no input makes the parsers panic: a repository
// config is written by whoever can push to a tracking repository.
func FuzzParse(f *testing.F) {
	for _, path := range []string{serverExample, repoExample} {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"", "~", "- a\n", "a: &x [*x]\n", "from: [\"[\"]\nsince: 2026-13-40\n",
		"assignees:\n  rules:\n    - {from: [a], users: [\"@o/t\"]}\n",
		"routes:\n  \"a.b[0]\": [x]\n", "ack: {within: -1d}\n", "datatracker: {page_size: 1e99}\n",
		"github:\n  app:\n    private_key: \"-----BEGIN RSA PRIVATE KEY-----\\nAAAA\\n-----END RSA PRIVATE KEY-----\\n\"\n    integration_id: 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				panic(fmt.Sprintf("parsing %q takes more than 3s", data))
			}
		}()
		if c, err := ParseRepo("liaison.yml", data); err == nil {
			if verr := c.Validate(); verr != nil {
				t.Errorf("ParseRepo accepted a config Validate refuses: %v", verr)
			}
			_ = MergeRepo(c, c)
		}
		if c, err := Parse("config.yml", data, nil); err == nil {
			if verr := c.Validate(); verr != nil {
				t.Errorf("Parse accepted a config Validate refuses: %v", verr)
			}
		}
		_ = Kind("x.yml", data)
	})
}
