package store

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestTemplateCache(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)
	checked := time.Date(2026, 3, 4, 5, 6, 7, 890123456, time.UTC)

	if _, _, _, _, ok, err := s.TemplateCache(ctx, "main/Template-Email-IRTF.md"); err != nil || ok {
		t.Fatalf("TemplateCache on empty store: ok=%v err=%v", ok, err)
	}
	tests := []struct {
		name    string
		key     string
		content []byte
		sha     string
		etag    string
	}{
		{"markdown", "main/Template-Email-IRTF.md", []byte("Subject:   Re: {Liaison Title}\n\n{Insert From}\n"), "3b18e512dba79e4c8300dd08aeb37f8e728b8dad", `W/"abc"`},
		{"replaced", "main/Template-Email-IRTF.md", []byte("Subject: new wording\n"), "4c0", `"def"`},
		{"not UTF-8 and NUL", "main/odd", []byte{0x00, 0xff, 0xfe, 'a', 0x00}, "5d1", ""},
		{"empty", "main/empty.md", []byte{}, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", `"e"`},
		{"nil content", "main/nil.md", nil, "e69", `"n"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.PutTemplateCache(ctx, tt.key, tt.content, tt.sha, tt.etag, checked); err != nil {
				t.Fatal(err)
			}
			content, sha, etag, at, ok, err := s.TemplateCache(ctx, tt.key)
			if err != nil || !ok {
				t.Fatalf("TemplateCache: ok=%v err=%v", ok, err)
			}
			if !bytes.Equal(content, tt.content) || content == nil || sha != tt.sha || etag != tt.etag || !at.Equal(checked) {
				t.Errorf("TemplateCache = %q %q %q %v; want %q %q %q %v",
					content, sha, etag, at, tt.content, tt.sha, tt.etag, checked)
			}
		})
	}
	if err := s.PutTemplateCache(ctx, "", []byte("x"), "", "", checked); err == nil {
		t.Error("PutTemplateCache with an empty key succeeded")
	}

	s = reopen(t, s, path)
	content, sha, _, _, ok, err := s.TemplateCache(ctx, "main/Template-Email-IRTF.md")
	if err != nil || !ok || string(content) != "Subject: new wording\n" || sha != "4c0" {
		t.Errorf("after reopen: %q %q %v %v", content, sha, ok, err)
	}
}
