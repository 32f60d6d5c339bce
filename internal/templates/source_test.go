package templates

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

const contentsPrefix = "/repos/intarchboard/liaison-templates/contents/"

// fakeContents serves the contents API for one repository at ref "main" the
// way GitHub does: base64 content wrapped at 60 characters, the blob sha, an
// ETag, and 304 to a matching If-None-Match.
type fakeContents struct {
	mu          sync.Mutex
	files       map[string]string
	override    map[string]string // path → raw JSON answered instead of the file
	status      int               // when non-zero, every request gets this status
	header      http.Header       // extra headers with status
	requests    int
	conditional int
	notModified int
}

func (f *fakeContents) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if f.status != 0 {
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.WriteHeader(f.status)
		fmt.Fprintf(w, `{"message":%q,"documentation_url":"https://docs.github.com/rest"}`, http.StatusText(f.status))
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, contentsPrefix)
	if !ok || r.Method != http.MethodGet {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
		return
	}
	if ref := r.URL.Query().Get("ref"); ref != "main" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"message":"No commit found for the ref %s"}`, ref)
		return
	}
	if raw, ok := f.override[name]; ok {
		fmt.Fprint(w, raw)
		return
	}
	content, ok := f.files[name]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
		return
	}
	sha := blobSHA([]byte(content))
	etag := `W/"` + sha + `"`
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		f.conditional++
		if inm == etag {
			f.notModified++
			w.Header().Set("ETag", etag)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	enc := base64.StdEncoding.EncodeToString([]byte(content))
	var wrapped strings.Builder
	for len(enc) > 60 {
		wrapped.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	wrapped.WriteString(enc + "\n")
	w.Header().Set("ETag", etag)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "file", "encoding": "base64", "content": wrapped.String(),
		"sha": sha, "name": name, "path": name, "size": len(content),
	})
}

func (f *fakeContents) set(fn func(f *fakeContents)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeContents) counts() (requests, conditional, notModified int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, f.conditional, f.notModified
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestSource(t *testing.T, f *fakeContents, cache Cache, opts ...Option) (*Source, *clock) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	client := github.NewClient(nil)
	u, err := url.Parse(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	client.BaseURL = u
	s, err := NewSource(client, DefaultRepo, DefaultRef, cache, opts...)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2025, 5, 24, 12, 0, 0, 0, time.UTC)}
	s.now = c.now
	return s, c
}

const (
	irtfV1 = "Subject:  Receipt of **{Liaison Title}**\n\n**{Insert From}**\n\nThank you for **{insert title}**, logged at **{insert link}**. A line long enough to wrap the base64 content over several lines.\n"
	irtfV2 = "Subject: Receipt of {Liaison Title}\n\n{Insert From}\n\nThanks for {insert title} ({insert link}).\n"
)

func TestSourceCachesAndRevalidates(t *testing.T) {
	f := &fakeContents{files: map[string]string{EmailIRTF: irtfV1}}
	cache := NewMemoryCache()
	s, clk := newTestSource(t, f, cache)
	ctx := context.Background()

	step := func(name string, wantRequests, wantConditional, wantNotModified int, wantText string) Template {
		t.Helper()
		tmpl, err := s.Get(ctx, EmailIRTF)
		if err != nil {
			t.Fatalf("%s: Get: %v", name, err)
		}
		if r, c, n := f.counts(); r != wantRequests || c != wantConditional || n != wantNotModified {
			t.Fatalf("%s: requests/conditional/304 = %d/%d/%d, want %d/%d/%d", name, r, c, n, wantRequests, wantConditional, wantNotModified)
		}
		if tmpl.Name != EmailIRTF || tmpl.Text != wantText || tmpl.SHA != blobSHA([]byte(wantText)) || tmpl.Warning != "" {
			t.Fatalf("%s: template = %+v", name, tmpl)
		}
		return tmpl
	}

	step("first read", 1, 0, 0, irtfV1)
	cached, ok, _ := cache.Get(ctx, "intarchboard/liaison-templates@main:"+EmailIRTF)
	if !ok || cached.ETag != `W/"`+blobSHA([]byte(irtfV1))+`"` || string(cached.Content) != irtfV1 || !cached.CheckedAt.Equal(clk.t) {
		t.Fatalf("cache entry = %+v, %v", cached, ok)
	}

	clk.advance(59 * time.Minute)
	step("within the refresh window", 1, 0, 0, irtfV1)

	clk.advance(2 * time.Minute)
	step("after the window: 304", 2, 1, 1, irtfV1)
	cached, _, _ = cache.Get(ctx, "intarchboard/liaison-templates@main:"+EmailIRTF)
	if !cached.CheckedAt.Equal(clk.t) {
		t.Fatalf("a 304 did not renew CheckedAt: %v, want %v", cached.CheckedAt, clk.t)
	}

	clk.advance(30 * time.Minute)
	step("the 304 renewed the window", 2, 1, 1, irtfV1)

	f.set(func(f *fakeContents) { f.files[EmailIRTF] = irtfV2 })
	clk.advance(31 * time.Minute)
	step("changed upstream", 3, 2, 1, irtfV2)

	clk.advance(time.Minute)
	step("new copy cached", 3, 2, 1, irtfV2)
}

func TestSourceRefreshZeroRevalidatesEveryTime(t *testing.T) {
	f := &fakeContents{files: map[string]string{EmailIRTF: irtfV1}}
	s, _ := newTestSource(t, f, nil, WithRefresh(0))
	for i := 0; i < 3; i++ {
		if _, err := s.Get(context.Background(), EmailIRTF); err != nil {
			t.Fatal(err)
		}
	}
	if r, c, n := f.counts(); r != 3 || c != 2 || n != 2 {
		t.Errorf("requests/conditional/304 = %d/%d/%d, want 3/2/2", r, c, n)
	}
}

func TestSourceFutureCheckedAtIsRevalidated(t *testing.T) {
	f := &fakeContents{files: map[string]string{EmailIRTF: irtfV1}}
	cache := NewMemoryCache()
	s, clk := newTestSource(t, f, cache)
	key := "intarchboard/liaison-templates@main:" + EmailIRTF
	// A copy stamped by a clock far ahead must not be trusted for ever.
	_ = cache.Put(context.Background(), key, Cached{Content: []byte(irtfV2), SHA: "old", CheckedAt: clk.t.Add(24 * time.Hour)})
	tmpl, err := s.Get(context.Background(), EmailIRTF)
	if err != nil || tmpl.Text != irtfV1 {
		t.Fatalf("Get = %+v, %v; want the fresh copy", tmpl, err)
	}
}

func TestSourceFallsBackToStaleCopy(t *testing.T) {
	resetAt := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	tests := []struct {
		name   string
		break_ func(f *fakeContents)
		reason string // in Warning
		// requests made by a second Get after the first fell back; go-github
		// stops asking once it has seen the limit exhausted.
		second int
	}{
		{name: "server error", break_: func(f *fakeContents) { f.status = 500 }, reason: "500", second: 1},
		{name: "bad gateway", break_: func(f *fakeContents) { f.status = 502 }, reason: "502", second: 1},
		{name: "file removed", break_: func(f *fakeContents) { delete(f.files, EmailIRTF) }, reason: "404", second: 1},
		{name: "malformed answer", break_: func(f *fakeContents) {
			f.override = map[string]string{EmailIRTF: `{"type":"file","encoding":"none","content":"","sha":"x"}`}
		},
			reason: `encoding "none"`, second: 1},
		{name: "rate limited", break_: func(f *fakeContents) {
			f.status = 403
			f.header = http.Header{"X-Ratelimit-Limit": {"60"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {resetAt}}
		}, reason: "rate reset", second: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeContents{files: map[string]string{EmailIRTF: irtfV1}}
			s, clk := newTestSource(t, f, nil)
			ctx := context.Background()
			if _, err := s.Get(ctx, EmailIRTF); err != nil {
				t.Fatal(err)
			}
			f.set(tc.break_)
			clk.advance(2 * time.Hour)
			for i, wantRequests := range []int{2, 2 + tc.second} {
				tmpl, err := s.Get(ctx, EmailIRTF)
				if err != nil {
					t.Fatalf("Get %d with a cached copy: %v", i+2, err)
				}
				if tmpl.Text != irtfV1 || tmpl.SHA != blobSHA([]byte(irtfV1)) {
					t.Errorf("Get %d = %+v, want the cached copy", i+2, tmpl)
				}
				if !strings.Contains(tmpl.Warning, tc.reason) || !strings.Contains(tmpl.Warning, EmailIRTF) {
					t.Errorf("Warning = %q, want the file and %q", tmpl.Warning, tc.reason)
				}
				if r, _, _ := f.counts(); r != wantRequests {
					t.Errorf("after Get %d: %d requests, want %d", i+2, r, wantRequests)
				}
			}
		})
	}
}

func TestSourceErrorsWithoutCache(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(f *fakeContents)
		get    string
		reason string
	}{
		{name: "server error", break_: func(f *fakeContents) { f.status = 500 }, reason: "500"},
		{name: "missing file", get: EmailIETFInfo, reason: "404"},
		{name: "directory", break_: func(f *fakeContents) { f.override = map[string]string{EmailIRTF: `[{"type":"file","name":"a"}]`} }, reason: "directory"},
		{name: "symlink", break_: func(f *fakeContents) {
			f.override = map[string]string{EmailIRTF: `{"type":"symlink","target":"x","sha":"abc","encoding":"base64","content":""}`}
		}, reason: `type "symlink"`},
		{name: "encoding none", break_: func(f *fakeContents) {
			f.override = map[string]string{EmailIRTF: `{"type":"file","encoding":"none","content":"","sha":"abc"}`}
		}, reason: `encoding "none"`},
		{name: "bad base64", break_: func(f *fakeContents) {
			f.override = map[string]string{EmailIRTF: `{"type":"file","encoding":"base64","content":"!!!","sha":"abc"}`}
		}, reason: "base64"},
		{name: "no sha", break_: func(f *fakeContents) {
			f.override = map[string]string{EmailIRTF: `{"type":"file","encoding":"base64","content":"YQ=="}`}
		}, reason: "no sha"},
		{name: "empty answer", break_: func(f *fakeContents) { f.override = map[string]string{EmailIRTF: ``} }, reason: "empty"},
		{name: "path with dot-dot", get: "../secrets", reason: ".."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeContents{files: map[string]string{EmailIRTF: irtfV1}}
			if tc.break_ != nil {
				f.set(tc.break_)
			}
			s, _ := newTestSource(t, f, nil)
			name := tc.get
			if name == "" {
				name = EmailIRTF
			}
			tmpl, err := s.Get(context.Background(), name)
			if err == nil {
				t.Fatalf("Get = %+v, want an error", tmpl)
			}
			for _, want := range []string{name, "intarchboard/liaison-templates", "ref main", tc.reason} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestSourceCancelledContextIsAnErrorEvenWithCache(t *testing.T) {
	f := &fakeContents{files: map[string]string{EmailIRTF: irtfV1}}
	s, clk := newTestSource(t, f, nil)
	if _, err := s.Get(context.Background(), EmailIRTF); err != nil {
		t.Fatal(err)
	}
	clk.advance(2 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Get(ctx, EmailIRTF); !errors.Is(err, context.Canceled) {
		t.Errorf("Get = %v, want context.Canceled", err)
	}
}

func TestSourceAll(t *testing.T) {
	f := &fakeContents{files: map[string]string{}}
	for _, n := range Names {
		f.files[n] = "Subject: " + n + "\n\nbody\n"
	}
	delete(f.files, ResponseIRTFAction)
	s, _ := newTestSource(t, f, nil)
	got, err := s.All(context.Background())
	if err == nil || !strings.Contains(err.Error(), ResponseIRTFAction) {
		t.Errorf("All error = %v, want one naming %s", err, ResponseIRTFAction)
	}
	if len(got) != len(Names)-1 {
		t.Errorf("All returned %d templates, want %d", len(got), len(Names)-1)
	}
	for n, tmpl := range got {
		if tmpl.Name != n || tmpl.Text != f.files[n] {
			t.Errorf("All[%s] = %+v", n, tmpl)
		}
	}
}

// failingCache fails every call; reading GitHub must still work.
type failingCache struct{ gets, puts int }

func (c *failingCache) Get(context.Context, string) (Cached, bool, error) {
	c.gets++
	return Cached{}, false, errors.New("store is down")
}

func (c *failingCache) Put(context.Context, string, Cached) error {
	c.puts++
	return errors.New("store is down")
}

func TestSourceWorksWithAFailingCache(t *testing.T) {
	f := &fakeContents{files: map[string]string{EmailIRTF: irtfV1}}
	cache := &failingCache{}
	s, _ := newTestSource(t, f, cache)
	tmpl, err := s.Get(context.Background(), EmailIRTF)
	if err != nil || tmpl.Text != irtfV1 {
		t.Fatalf("Get = %+v, %v", tmpl, err)
	}
	if cache.gets != 1 || cache.puts != 1 {
		t.Errorf("cache gets/puts = %d/%d, want 1/1", cache.gets, cache.puts)
	}
}

func TestNewSourceValidates(t *testing.T) {
	client := github.NewClient(nil)
	for _, repo := range []string{"", "liaison-templates", "/x", "x/", "a/b/c"} {
		if _, err := NewSource(client, repo, "main", nil); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", repo)) {
			t.Errorf("NewSource(%q) error = %v, want one naming it", repo, err)
		}
	}
	if _, err := NewSource(nil, DefaultRepo, "main", nil); err == nil {
		t.Error("NewSource without a client succeeded")
	}
}

func TestMemoryCacheCopies(t *testing.T) {
	var c MemoryCache // the zero value is usable
	ctx := context.Background()
	content := []byte("abc")
	if err := c.Put(ctx, "k", Cached{Content: content, SHA: "s"}); err != nil {
		t.Fatal(err)
	}
	content[0] = 'X'
	got, ok, _ := c.Get(ctx, "k")
	if !ok || string(got.Content) != "abc" {
		t.Fatalf("Get = %+v, %v", got, ok)
	}
	got.Content[0] = 'Y'
	again, _, _ := c.Get(ctx, "k")
	if string(again.Content) != "abc" {
		t.Errorf("cache shares memory with its callers: %q", again.Content)
	}
	if _, ok, _ := c.Get(ctx, "missing"); ok {
		t.Error("Get of a missing key reports ok")
	}
}
