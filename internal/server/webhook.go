package server

import (
	"net/http"

	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/inbox"
)

// MaxPayload is GitHub's cap on a webhook payload; go-github's
// ValidatePayload reads the body without a limit of its own.
const MaxPayload = 25 << 20

// WebhookRoute is where GitHub delivers webhooks.
const WebhookRoute = githubapp.DefaultWebhookRoute

// webhookHandler verifies and records deliveries: go-githubapp's
// dispatcher checks the signature and the inbox (its scheduler) commits the
// delivery before GitHub gets its 2xx. Events without a handler get 202 and
// are not recorded.
func webhookHandler(secret string, in *inbox.Inbox, handlers []githubapp.EventHandler, onError githubapp.ErrorCallback) http.Handler {
	opts := []githubapp.DispatcherOption{githubapp.WithScheduler(in)}
	if onError != nil {
		opts = append(opts, githubapp.WithErrorCallback(onError))
	}
	d := githubapp.NewEventDispatcher(handlers, secret, opts...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-GitHub-Delivery") == "" {
			http.Error(w, "missing X-GitHub-Delivery header", http.StatusBadRequest)
			return
		}
		if r.ContentLength > MaxPayload {
			http.Error(w, "payload over GitHub's 25 MB cap", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxPayload)
		d.ServeHTTP(w, r)
	})
}
