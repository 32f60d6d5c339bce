package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/inbox"
)

// MaxPayload is GitHub's cap on a webhook payload.
const MaxPayload = 25 << 20

// WebhookRoute is where GitHub delivers webhooks.
const WebhookRoute = githubapp.DefaultWebhookRoute

// webhook verifies deliveries and records them in the inbox before GitHub
// gets its 2xx; events without a handler get 202 and are not recorded.
// It does what go-githubapp's dispatcher does on the way in, but reads the
// body once into a recycled buffer of the announced size (the dispatcher's
// ValidatePayload grows a fresh one, without a limit, for every delivery)
// and accepts only the SHA-256 signature.
type webhook struct {
	secret  []byte
	in      *inbox.Inbox
	handled map[string]bool
	// refused counts deliveries refused or not recorded, by status.
	refused func(code int)
}

func webhookHandler(secret string, in *inbox.Inbox, handlers []githubapp.EventHandler, refused func(code int)) http.Handler {
	h := &webhook{secret: []byte(secret), in: in, handled: map[string]bool{}, refused: refused}
	for _, hd := range handlers {
		for _, ev := range hd.Handles() {
			h.handled[ev] = true
		}
	}
	return h
}

var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (h *webhook) fail(w http.ResponseWriter, code int, format string, args ...any) {
	if h.refused != nil {
		h.refused(code)
	}
	http.Error(w, fmt.Sprintf(format, args...), code)
}

func (h *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	event, id := r.Header.Get("X-GitHub-Event"), r.Header.Get("X-GitHub-Delivery")
	switch {
	case event == "":
		h.fail(w, http.StatusBadRequest, "missing X-GitHub-Event header")
		return
	case id == "":
		h.fail(w, http.StatusBadRequest, "missing X-GitHub-Delivery header")
		return
	case r.ContentLength > MaxPayload:
		h.fail(w, http.StatusRequestEntityTooLarge, "payload over GitHub's 25 MB cap")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		h.fail(w, http.StatusBadRequest, "content type %q: want application/json (set the app's webhook to JSON)", r.Header.Get("Content-Type"))
		return
	}
	p, code, err := h.prepare(w, r, event, id)
	if err != nil {
		h.fail(w, code, "%v", err)
		return
	}
	if p == nil {
		// ping, or an event the app does not handle: nothing to record.
		if event == "ping" {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if err := h.in.Commit(r.Context(), *p); err != nil {
		h.fail(w, http.StatusInternalServerError, "failed to record the delivery; GitHub can redeliver it")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// prepare reads and verifies the body and hands it to the inbox to
// prepare. The body's buffer goes back to the pool before the commit waits
// for the disk, so a burst needs as many buffers as requests being read,
// not as many as are waiting. A nil result with no error is a delivery
// the app does not record.
func (h *webhook) prepare(w http.ResponseWriter, r *http.Request, event, id string) (*inbox.Prepared, int, error) {
	buf := bodies.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // keep the pool's buffers small
			buf.Reset()
			bodies.Put(buf)
		}
	}()
	buf.Reset()
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxPayload)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, errors.New("payload over GitHub's 25 MB cap")
		}
		return nil, http.StatusBadRequest, fmt.Errorf("failed to read the payload: %w", err)
	}
	payload := buf.Bytes()
	if !h.signed(payload, r.Header.Get("X-Hub-Signature-256")) {
		return nil, http.StatusBadRequest, errors.New("missing or wrong X-Hub-Signature-256")
	}
	if !h.handled[event] {
		return nil, 0, nil
	}
	p, err := h.in.Prepare(githubapp.Dispatch{EventType: event, DeliveryID: id, Payload: payload})
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	return &p, 0, nil
}

// signed checks GitHub's HMAC-SHA256 of the payload in constant time.
func (h *webhook) signed(payload []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	sig, err := hex.DecodeString(hexSig)
	if err != nil || len(sig) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, h.secret)
	m.Write(payload)
	return hmac.Equal(m.Sum(nil), sig)
}
