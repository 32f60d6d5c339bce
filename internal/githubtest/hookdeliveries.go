package githubtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The App's delivery log, which the app reads to find deliveries it missed
// and redeliver them: GitHub never retries a failed delivery by itself.

// cursorPrefix starts the opaque cursors of the delivery log's Link
// header; what follows is the id the next page starts below.
const cursorPrefix = "v1_"

// hookDeliveryItem renders a log entry as hook-delivery-item.
func hookDeliveryItem(d *delivery) map[string]any {
	action := any(nil)
	if d.Action != "" {
		action = d.Action
	}
	return map[string]any{
		"id":              d.ID,
		"guid":            d.GUID,
		"delivered_at":    timestamp(d.DeliveredAt),
		"redelivery":      d.Redelivery,
		"duration":        math.Round(d.Duration.Seconds()*1000) / 1000,
		"status":          d.Status,
		"status_code":     d.StatusCode,
		"event":           d.Event,
		"action":          action,
		"installation_id": d.InstallationID,
		"repository_id":   d.RepositoryID,
		"throttled_at":    nil,
	}
}

// statusClass applies the status filter as the description defines it:
// success is a status code from 200 to 399, failure from 400 to 599. A
// delivery that got no answer (status code 0) is in neither.
func statusClass(code int) string {
	switch {
	case code >= 200 && code <= 399:
		return "success"
	case code >= 400 && code <= 599:
		return "failure"
	}
	return ""
}

// GET /app/hook/deliveries: attempted deliveries, newest first, filtered
// by status, paginated with per_page (default 30, at most 100) and an
// opaque cursor that the Link header's rel="next" carries, as GitHub does.
func (c *call) listHookDeliveries() {
	q := c.r.URL.Query()
	perPage := c.pagination().perPage
	below := int64(math.MaxInt64)
	if cur := q.Get("cursor"); cur != "" {
		id, err := strconv.ParseInt(strings.TrimPrefix(cur, cursorPrefix), 10, 64)
		if !strings.HasPrefix(cur, cursorPrefix) || err != nil {
			c.unprocessable(fieldError{Resource: "HookDelivery", Field: "cursor", Code: "invalid", Value: cur})
			return
		}
		below = id
	}
	status := q.Get("status")
	var matched []*delivery
	log := c.s.hooks.log
	for i := len(log) - 1; i >= 0; i-- {
		d := log[i]
		if d.Attempted && d.ID < below && (status == "" || statusClass(d.StatusCode) == status) {
			matched = append(matched, d)
		}
	}
	page := matched[:min(perPage, len(matched))]
	if len(matched) > perPage {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("cursor", fmt.Sprintf("%s%d", cursorPrefix, page[len(page)-1].ID))
		c.resp.header.Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, c.s.apiURL("app/hook/deliveries"), next.Encode()))
	}
	out := make([]map[string]any, 0, len(page))
	for _, d := range page {
		out = append(out, hookDeliveryItem(d))
	}
	c.json(http.StatusOK, out)
}

// findDelivery looks up {delivery_id} in the log. The description lists no
// 404 for these operations, but an unknown id can only be answered with
// one; the response is exempt from validation.
func (c *call) findDelivery() (*delivery, bool) {
	id, _ := strconv.ParseInt(c.params["delivery_id"], 10, 64)
	for _, d := range c.s.hooks.log {
		if d.ID == id && d.Attempted {
			return d, true
		}
	}
	c.notFound()
	c.resp.skipValidation = true
	return nil, false
}

// flatHeader renders headers as the delivery log shows them: one value
// per name.
func flatHeader(h http.Header) map[string]any {
	out := map[string]any{}
	for k := range h {
		out[k] = h.Get(k)
	}
	return out
}

// GET /app/hook/deliveries/{delivery_id}: the entry with the request sent
// and the app's answer.
func (c *call) getHookDelivery() {
	d, ok := c.findDelivery()
	if !ok {
		return
	}
	m := hookDeliveryItem(d)
	var payload any
	if err := json.Unmarshal(d.Payload, &payload); err != nil {
		payload = nil
	}
	m["url"] = d.url
	m["request"] = map[string]any{"headers": flatHeader(d.Header), "payload": payload}
	var respHeaders, respBody any
	if d.StatusCode != 0 {
		respHeaders, respBody = flatHeader(d.response), string(d.respBody)
	}
	m["response"] = map[string]any{"headers": respHeaders, "payload": respBody}
	c.json(http.StatusOK, m)
}

// POST /app/hook/deliveries/{delivery_id}/attempts: 202, and the same
// payload goes out again under the same X-GitHub-Delivery GUID, marked as
// a redelivery and logged as a new delivery. go-github v62 reports the 202
// as an *github.AcceptedError.
func (c *call) redeliverHookDelivery() {
	d, ok := c.findDelivery()
	if !ok {
		return
	}
	c.s.redeliver(d)
	c.json(http.StatusAccepted, map[string]any{})
}
