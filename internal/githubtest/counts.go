package githubtest

import (
	"maps"
	"net/http"
)

// Counts tallies the requests the fake received, so tests can assert how
// much the app asked of GitHub (idempotency, caching, batching).
type Counts struct {
	// Requests is every request, whatever became of it.
	Requests int
	// Reads are GET and HEAD requests; Writes are all others.
	Reads, Writes int
	// ContentCreating counts requests to the routes the fake takes to be
	// content-creating for GitHub's secondary limit (creating issues,
	// comments, reactions and pull requests, and committing files; see
	// route.contentCreating), whatever became of them.
	ContentCreating int
	// NotModified counts 304 answers to conditional requests.
	NotModified int
	// RateLimited counts rate-limit errors, injected or enforced.
	RateLimited int
	// Invalid counts requests refused for not matching the OpenAPI
	// description.
	Invalid int
	// Dropped counts connections closed by DropAfterCreate.
	Dropped int
	// ByRoute counts requests per "METHOD /template" as GitHub's OpenAPI
	// description names it, e.g. "POST /repos/{owner}/{repo}/issues";
	// requests no route matched count under "METHOD (unmatched)".
	ByRoute map[string]int
}

// Counts returns a copy of the tallies so far.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.counts
	c.ByRoute = maps.Clone(s.counts.ByRoute)
	return c
}

// ResetCounts sets every tally back to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = Counts{ByRoute: map[string]int{}}
}

// countRequest tallies an incoming request. Callers hold s.mu.
func (s *Server) countRequest(c *call) {
	s.counts.Requests++
	if c.r.Method == http.MethodGet || c.r.Method == http.MethodHead {
		s.counts.Reads++
	} else {
		s.counts.Writes++
	}
	if c.route == nil {
		s.counts.ByRoute[c.r.Method+" (unmatched)"]++
		return
	}
	if c.route.contentCreating {
		s.counts.ContentCreating++
	}
	s.counts.ByRoute[c.route.key()]++
}

// tokenRoute mints installation tokens: a POST, but not a change anyone
// sees, and every new process makes one.
const tokenRoute = "POST /app/installations/{installation_id}/access_tokens"

// RepoWrites counts the writes that change something in a repository:
// every write except minting installation tokens.
func (c Counts) RepoWrites() int { return c.Writes - c.ByRoute[tokenRoute] }
