// Package schedule runs liaisonbot's periodic work: the datatracker poller
// that copies statements into the store and the pass that decides, per
// tracking repository, which issues to create or update.
package schedule
