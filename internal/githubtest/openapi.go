package githubtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/liaisonbot/liaisonbot/internal/realworld"
)

// specRel is GitHub's OpenAPI description under ../shared/realworld.
const specRel = "github-openapi/api.github.com.json"

// spec is the description, loaded once per test binary: loading takes about
// 2.5 s and 70 MB, far too much to repeat for every Server.
var spec struct {
	once sync.Once
	path string
	// ops maps each of the fake's routes to its operation in the description.
	ops map[*route]*routers.Route
	// webhooks maps "<event>-<action>" (x-webhooks' keys, such as
	// "issue-comment-created") to the schema of that payload.
	webhooks map[string]*openapi3.Schema
	err      error
}

func loadSpec() (string, map[*route]*routers.Route, error) {
	spec.once.Do(func() {
		spec.path = realworld.Path(specRel)
		if spec.path == "" {
			return
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(spec.path)
		if err != nil {
			spec.err = fmt.Errorf("failed to load GitHub's OpenAPI description %s: %w", spec.path, err)
			return
		}
		spec.ops, spec.err = operations(doc)
		if spec.err == nil {
			spec.webhooks, spec.err = webhookSchemas(doc)
		}
	})
	return spec.path, spec.ops, spec.err
}

// webhookSchemas reads the payload schemas of GitHub's webhooks. OpenAPI
// 3.0 has no webhooks section, so GitHub lists them under x-webhooks, each
// as a POST whose JSON request body refers to a component schema named
// webhook-<event>-<action>. The reference is followed rather than the name
// guessed, so an event the description does not list is reported as such.
func webhookSchemas(doc *openapi3.T) (map[string]*openapi3.Schema, error) {
	hooks, ok := doc.Extensions["x-webhooks"].(map[string]any)
	if !ok {
		return nil, errors.New("failed to find x-webhooks in GitHub's OpenAPI description")
	}
	out := make(map[string]*openapi3.Schema, len(hooks))
	for key, item := range hooks {
		ref, _ := dig(item, "post", "requestBody", "content", "application/json", "schema", "$ref").(string)
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		if !ok {
			continue
		}
		if sr := doc.Components.Schemas[name]; sr != nil && sr.Value != nil {
			out[key] = sr.Value
		}
	}
	if len(out) == 0 {
		return nil, errors.New("failed to find any webhook payload schema under x-webhooks")
	}
	return out, nil
}

// dig walks nested JSON objects by key, returning nil where one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// operations finds each route's operation by its path template. The fake
// does its own routing, so there is no need for kin's routers, nor for their
// workarounds (servers pointing at api.github.com, slashes inside
// x-multi-segment parameters such as a contents path): the route already
// knows its template and has unescaped its parameters.
func operations(doc *openapi3.T) (map[*route]*routers.Route, error) {
	ops := map[*route]*routers.Route{}
	var missing []string
	for _, rt := range routes {
		item := doc.Paths.Value(rt.pattern)
		var op *openapi3.Operation
		if item != nil {
			op = item.GetOperation(rt.method)
		}
		if op == nil {
			missing = append(missing, rt.key())
			continue
		}
		ops[rt] = &routers.Route{Spec: doc, Path: rt.pattern, PathItem: item, Method: rt.method, Operation: op}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("failed to find the fake's routes in GitHub's OpenAPI description: %s", strings.Join(missing, ", "))
	}
	return ops, nil
}

// validator checks requests and responses against the description. kin's
// validation only reads the shared document, so concurrent handlers (and
// parallel tests sharing the document) may use it at once.
type validator struct {
	ops      map[*route]*routers.Route
	webhooks map[string]*openapi3.Schema
}

// newValidator loads the description, or returns nil (logging why) when it
// is absent; under CI its absence fails the test, because CI has it and a
// silent skip would hide broken requests.
func newValidator(tb testing.TB) *validator {
	tb.Helper()
	path, ops, err := loadSpec()
	if err != nil {
		tb.Fatalf("githubtest: %v", err)
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			tb.Fatalf("githubtest: ../shared/realworld/%s is absent but CI is set: CI must validate against GitHub's OpenAPI description", specRel)
		}
		tb.Logf("githubtest: ../shared/realworld/%s is absent; requests and responses are not validated against GitHub's OpenAPI description", specRel)
		return nil
	}
	return &validator{ops: ops, webhooks: spec.webhooks}
}

// shortError keeps kin's one-line verdict and drops the schema and value
// dumps that follow it, which for an issue body run to pages.
func shortError(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\nSchema:")
	return strings.TrimSpace(msg)
}

func options() *openapi3filter.Options {
	return &openapi3filter.Options{
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		// Defaults would be written into the request copy; the handlers read
		// the original body, and GitHub applies its own defaults.
		SkipSettingDefaults: true,
	}
}

// requestInput builds kin's view of the request with the given body.
func (v *validator) requestInput(c *call, body []byte) *openapi3filter.RequestValidationInput {
	r := c.r.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return &openapi3filter.RequestValidationInput{
		Request: r, PathParams: c.params, Route: v.ops[c.route], Options: options(),
	}
}

// validateRequest checks the request against its operation. Two documented
// mismatches between the description and GitHub are bridged:
//   - ghinstallation sends the body null when minting a token, which the
//     description's non-nullable object refuses and GitHub takes as {};
//   - PUT …/issues/{n}/labels with [] (or {"labels": []}) is documented to
//     clear the labels, but every alternative in the description has
//     minItems 1.
func (v *validator) validateRequest(c *call) error {
	body := c.body
	trimmed := string(bytes.TrimSpace(body))
	opts := options()
	switch c.route.key() {
	case "POST /app/installations/{installation_id}/access_tokens":
		if trimmed == "null" {
			body = []byte("{}")
		}
	case "PUT /repos/{owner}/{repo}/issues/{issue_number}/labels":
		if trimmed == "[]" || strings.ReplaceAll(trimmed, " ", "") == `{"labels":[]}` {
			opts.ExcludeRequestBody = true
		}
	}
	in := v.requestInput(c, body)
	in.Options = opts
	return openapi3filter.ValidateRequest(context.Background(), in)
}

// validateResponse checks the fake's own response against its operation:
// a wrong shape here is a bug in the fake, which the app would otherwise
// be tested against. One documented mismatch is bridged: the 409 of PUT
// …/contents/{path} is a oneOf of basic-error and
// repository-rule-violation-error, two schemas without required keys that
// every error body matches both of, so no body can satisfy the oneOf; its
// body is not checked.
func (v *validator) validateResponse(c *call) error {
	resp := c.resp
	if resp.drop || resp.status == http.StatusNotModified {
		return nil
	}
	opts := options()
	if c.route.key() == "PUT /repos/{owner}/{repo}/contents/{path}" && resp.status == http.StatusConflict {
		opts.ExcludeResponseBody = true
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: v.requestInput(c, c.body),
		Status:                 resp.status,
		Header:                 resp.header,
		Body:                   io.NopCloser(bytes.NewReader(resp.body)),
		Options:                opts,
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// webhookKey is the x-webhooks key of an event and action: underscores
// become hyphens ("issue_comment", "created" → "issue-comment-created";
// "pull_request", "review_requested" → "pull-request-review-requested").
func webhookKey(event, action string) string {
	return strings.ReplaceAll(event+"-"+action, "_", "-")
}

// validateWebhook checks a payload the fake is about to send against the
// schema GitHub documents for that event and action. A payload GitHub would
// never send would let the app pass tests against a GitHub that does not
// exist.
func (v *validator) validateWebhook(event, action string, payload []byte) error {
	schema, ok := v.webhooks[webhookKey(event, action)]
	if !ok {
		return fmt.Errorf("GitHub's OpenAPI description lists no webhook %q", webhookKey(event, action))
	}
	var value any
	if err := json.Unmarshal(payload, &value); err != nil {
		return fmt.Errorf("failed to decode the payload: %w", err)
	}
	return schema.VisitJSON(value)
}
