package templates

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/rs/zerolog"
)

// DefaultRefresh is how long a cached template is used without asking GitHub.
// Anonymous clients have 60 requests an hour and pay for 304s too, so the
// templates, which change rarely, are not revalidated on every use.
const DefaultRefresh = time.Hour

// Cached is a template file as last read from GitHub.
type Cached struct {
	Content []byte
	SHA     string // blob SHA
	ETag    string // for If-None-Match; empty when GitHub sent none
	// CheckedAt is when GitHub last confirmed Content (a 200 or a 304).
	CheckedAt time.Time
}

// Cache keeps template files between reads, and across restarts when it is
// backed by the store. Keys look like
// "intarchboard/liaison-templates@main:Template-Email-IRTF.md".
type Cache interface {
	Get(ctx context.Context, key string) (Cached, bool, error)
	Put(ctx context.Context, key string, c Cached) error
}

// MemoryCache is a Cache in memory, for tests and dry runs. The zero value is
// ready to use.
type MemoryCache struct {
	mu sync.Mutex
	m  map[string]Cached
}

// NewMemoryCache returns an empty MemoryCache.
func NewMemoryCache() *MemoryCache { return &MemoryCache{} }

// Get returns a copy of the entry for key.
func (m *MemoryCache) Get(_ context.Context, key string) (Cached, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.m[key]
	c.Content = bytes.Clone(c.Content)
	return c, ok, nil
}

// Put stores a copy of c under key.
func (m *MemoryCache) Put(_ context.Context, key string, c Cached) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = make(map[string]Cached)
	}
	c.Content = bytes.Clone(c.Content)
	m.m[key] = c
	return nil
}

// Source reads templates from one repository and ref through the GitHub
// contents API, keeping them in a Cache.
type Source struct {
	client      *github.Client
	owner, name string
	ref         string
	cache       Cache
	refresh     time.Duration
	now         func() time.Time
}

// Option configures a Source.
type Option func(*Source)

// WithRefresh sets how long a cached template is used without asking GitHub
// (default DefaultRefresh). Zero or less revalidates on every Get.
func WithRefresh(d time.Duration) Option {
	return func(s *Source) {
		if d < 0 {
			d = 0
		}
		s.refresh = d
	}
}

// NewSource returns a Source for repo ("owner/name") at ref (a branch, tag or
// commit; empty means the repository's default branch). The client may be
// anonymous — the repository is public — or installation-authenticated; the
// caller decides. A nil cache means a new MemoryCache.
func NewSource(client *github.Client, repo, ref string, cache Cache, opts ...Option) (*Source, error) {
	if client == nil {
		return nil, errors.New("failed to create template source: no GitHub client")
	}
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("failed to create template source: repository %q is not owner/name", repo)
	}
	if cache == nil {
		cache = NewMemoryCache()
	}
	s := &Source{
		client:  client,
		owner:   owner,
		name:    name,
		ref:     ref,
		cache:   cache,
		refresh: DefaultRefresh,
		now:     time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Repo is the repository the Source reads, "owner/name".
func (s *Source) Repo() string { return s.owner + "/" + s.name }

func (s *Source) where() string {
	if s.ref == "" {
		return s.Repo() + " (default branch)"
	}
	return s.Repo() + " at ref " + s.ref
}

func (s *Source) key(name string) string {
	ref := s.ref
	if ref == "" {
		ref = "HEAD"
	}
	return s.Repo() + "@" + ref + ":" + name
}

// Get returns the template file name (a path in the repository).
//
// A copy checked less than the refresh interval ago is returned without a
// request. Otherwise Get asks GitHub with If-None-Match; a 304 keeps the copy.
// When GitHub cannot be reached or answers with an error (including a rate
// limit, a 404 or a malformed answer) and a copy is cached, Get returns the
// stale copy with Template.Warning saying why, and logs it: an
// acknowledgement in the last known wording is better than none. Without a
// copy the error names the repository, ref and file.
func (s *Source) Get(ctx context.Context, name string) (Template, error) {
	if err := checkPath(name); err != nil {
		return Template{}, fmt.Errorf("failed to read template %q from %s: %w", name, s.where(), err)
	}
	logger := zerolog.Ctx(ctx)
	key := s.key(name)
	cached, ok, err := s.cache.Get(ctx, key)
	if err != nil {
		// Reading GitHub still works without the cache; the cache only
		// saves requests.
		logger.Warn().Err(err).Str("template", name).Msg("Failed to read cached template; fetching it")
		ok = false
	}
	now := s.now()
	if ok {
		if age := now.Sub(cached.CheckedAt); age >= 0 && age < s.refresh {
			return cached.template(name), nil
		}
	}

	etag := ""
	if ok {
		etag = cached.ETag
	}
	fresh, notModified, err := s.fetch(ctx, name, etag)
	switch {
	case err != nil && ctx.Err() != nil:
		return Template{}, fmt.Errorf("failed to read template %s from %s: %w", name, s.where(), ctx.Err())
	case err != nil && !ok:
		return Template{}, fmt.Errorf("failed to read template %s from %s: %w", name, s.where(), err)
	case err != nil:
		t := cached.template(name)
		t.Warning = fmt.Sprintf("could not revalidate %s from %s, using the copy of blob %s last checked %s: %v",
			name, s.where(), shortSHA(cached.SHA), cached.CheckedAt.UTC().Format(time.RFC3339), err)
		logger.Warn().Err(err).Str("template", name).Str("sha", cached.SHA).Time("checked_at", cached.CheckedAt).
			Msg("Failed to revalidate template; using the cached copy")
		return t, nil
	case notModified:
		cached.CheckedAt = now
		s.put(ctx, key, cached)
		return cached.template(name), nil
	}
	fresh.CheckedAt = now
	s.put(ctx, key, fresh)
	return fresh.template(name), nil
}

// All reads the five templates. The map holds every template that could be
// read; the error joins the failures of the others.
func (s *Source) All(ctx context.Context) (map[string]Template, error) {
	out := make(map[string]Template, len(Names))
	var errs []error
	for _, name := range Names {
		t, err := s.Get(ctx, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[name] = t
	}
	return out, errors.Join(errs...)
}

func (s *Source) put(ctx context.Context, key string, c Cached) {
	if err := s.cache.Put(ctx, key, c); err != nil {
		zerolog.Ctx(ctx).Warn().Err(err).Str("key", key).Msg("Failed to cache template")
	}
}

func (c Cached) template(name string) Template {
	return Template{Name: name, SHA: c.SHA, Text: string(c.Content)}
}

// fetch asks GitHub for the file; notModified reports a 304 to If-None-Match.
func (s *Source) fetch(ctx context.Context, name, etag string) (c Cached, notModified bool, err error) {
	segments := strings.Split(name, "/")
	for i, seg := range segments {
		segments[i] = url.PathEscape(seg)
	}
	u := fmt.Sprintf("repos/%s/%s/contents/%s", url.PathEscape(s.owner), url.PathEscape(s.name), strings.Join(segments, "/"))
	if s.ref != "" {
		u += "?ref=" + url.QueryEscape(s.ref)
	}
	req, err := s.client.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return Cached{}, false, fmt.Errorf("failed to build contents request: %w", err)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}

	var raw json.RawMessage
	resp, err := s.client.Do(ctx, req, &raw)
	// go-github reports a 304 as an *ErrorResponse; it is the answer we hoped for.
	if resp != nil && resp.StatusCode == http.StatusNotModified {
		if etag == "" {
			return Cached{}, false, errors.New("GitHub answered 304 Not Modified to a request without If-None-Match")
		}
		return Cached{}, true, nil
	}
	if err != nil {
		return Cached{}, false, err
	}

	c, err = decodeContent(raw)
	if err != nil {
		return Cached{}, false, err
	}
	c.ETag = resp.Header.Get("ETag")
	return c, false, nil
}

// decodeContent reads a contents API answer, which must describe one file
// with base64 content.
func decodeContent(raw json.RawMessage) (Cached, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return Cached{}, errors.New("GitHub returned an empty contents response")
	}
	if trimmed[0] == '[' {
		return Cached{}, errors.New("path is a directory, not a file")
	}
	var rc github.RepositoryContent
	if err := json.Unmarshal(trimmed, &rc); err != nil {
		return Cached{}, fmt.Errorf("failed to decode contents response: %w", err)
	}
	if typ := rc.GetType(); typ != "file" {
		return Cached{}, fmt.Errorf("path is of type %q, not a file", typ)
	}
	if enc := rc.GetEncoding(); enc != "base64" {
		return Cached{}, fmt.Errorf("file content has encoding %q, not base64 (GitHub sends \"none\" for files over 1 MB)", enc)
	}
	if rc.Content == nil {
		return Cached{}, errors.New("file has no content in the contents response")
	}
	if rc.GetSHA() == "" {
		return Cached{}, errors.New("file has no sha in the contents response")
	}
	// StdEncoding skips the newlines GitHub wraps the content with.
	content, err := base64.StdEncoding.DecodeString(*rc.Content)
	if err != nil {
		return Cached{}, fmt.Errorf("failed to decode base64 file content: %w", err)
	}
	return Cached{Content: content, SHA: rc.GetSHA()}, nil
}

func checkPath(name string) error {
	if name == "" {
		return errors.New("empty file name")
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return errors.New("file name must be a relative path without empty, . or .. segments")
		}
	}
	return nil
}
