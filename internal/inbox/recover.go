package inbox

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v62/github"
)

// RecoverWindow is how far back Recover looks: GitHub keeps an app's
// deliveries for three days.
const RecoverWindow = 72 * time.Hour

// maxAsks is how often one delivery is asked for again: one the app
// refuses each time (a bad signature, say) is not asked for forever.
const maxAsks = 3

// maxRedeliveries bounds one recovery, so a long outage is recovered over
// a few runs rather than in one burst against GitHub.
const maxRedeliveries = 100

// RecoverResult counts what a recovery saw and did.
type RecoverResult struct {
	Seen, Redelivered int
}

// Recover asks GitHub to redeliver the deliveries that failed on GitHub's
// side (no 2xx reached GitHub) and that the inbox never recorded. GitHub
// never retries by itself. app must authenticate as the app (JWT).
func (in *Inbox) Recover(ctx context.Context, app *github.Client, now time.Time) (RecoverResult, error) {
	var res RecoverResult
	type attempt struct {
		id         int64
		ok         bool
		redelivery bool
	}
	byGUID := map[string][]attempt{}
	var order []string
	opt := &github.ListCursorOptions{PerPage: 100}
	for {
		page, resp, err := app.Apps.ListHookDeliveries(ctx, opt)
		if err != nil {
			return res, fmt.Errorf("failed to list the app's webhook deliveries: %w", err)
		}
		old := false
		for _, d := range page {
			if now.Sub(d.GetDeliveredAt().Time) > RecoverWindow {
				old = true
				continue
			}
			res.Seen++
			g := d.GetGUID()
			if _, seen := byGUID[g]; !seen {
				order = append(order, g)
			}
			code := d.GetStatusCode()
			byGUID[g] = append(byGUID[g], attempt{id: d.GetID(), ok: code >= 200 && code < 300, redelivery: d.GetRedelivery()})
		}
		if old || resp.Cursor == "" {
			break
		}
		opt.Cursor = resp.Cursor
	}
	for _, g := range order {
		attempts := byGUID[g]
		delivered, original, redeliveries := false, false, 0
		for _, a := range attempts {
			delivered = delivered || a.ok
			if a.redelivery {
				redeliveries++
			} else {
				original = true
			}
		}
		// Ask again only for deliveries whose first attempt is in the
		// window (each redelivery is a fresh attempt, so a delivery the app
		// always refuses would otherwise never age out), and at most
		// maxAsks times.
		if delivered || !original || redeliveries >= maxAsks {
			continue
		}
		if _, recorded, err := in.store.DeliveryStatus(ctx, g); err != nil {
			return res, err
		} else if recorded {
			continue // ours to retry, not GitHub's
		}
		if res.Redelivered == maxRedeliveries {
			in.log.Warn().Int("limit", maxRedeliveries).Msg("more failed webhook deliveries than one recovery redelivers: the rest next time")
			break
		}
		// The newest attempt comes first in GitHub's list.
		_, resp, err := app.Apps.RedeliverHookDelivery(ctx, attempts[0].id)
		if err != nil && (resp == nil || resp.StatusCode != http.StatusAccepted) {
			return res, fmt.Errorf("failed to redeliver webhook delivery %s: %w", g, err)
		}
		res.Redelivered++
		in.log.Info().Str("guid", g).Msg("asked GitHub to redeliver a webhook delivery it failed to make")
	}
	return res, nil
}
