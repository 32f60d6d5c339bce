package githubtest

import (
	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"
)

// InstallationClient is a go-github client authenticated as the App's
// installation id, the way the app authenticates: ghinstallation through
// go-githubapp's ClientCreator, against this fake.
func (s *Server) InstallationClient(id int64) *github.Client {
	s.tb.Helper()
	c, err := githubapp.NewClientCreator(s.URL(), s.URL(), s.AppID(), s.PrivateKeyPEM()).NewInstallationClient(id)
	if err != nil {
		s.tb.Fatalf("githubtest: failed to create a client for installation %d: %v", id, err)
	}
	return c
}
