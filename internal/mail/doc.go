// Package mail sends liaisonbot's outside mail (acknowledgements, reminders)
// from the store's outbox over SMTP, so that a message goes out at most once.
//
// A mail is recorded in the outbox first (store.EnqueueMail) and sent after
// by a Sender. The Sender drives the SMTP conversation itself, through
// go-mail's low-level client, because the one thing that decides whether a
// failed attempt may be retried is how far it got:
//
//   - Before the DATA command (connect, STARTTLS, AUTH, MAIL FROM, RCPT TO)
//     the server has no copy: a failure is retried with backoff (1m, 2m,
//     4m… up to 1h; the 8th failed attempt fails the mail), except that a
//     permanent refusal of MAIL FROM or RCPT TO (5xx) fails it at once, as
//     asking again gets the same answer. A failed AUTH or TLS handshake is
//     retried: it is usually a setting someone fixes.
//   - Right before the DATA command the mail is marked sending in the store,
//     and that is committed. A refused DATA command still leaves the server
//     without a copy.
//   - From the accepted DATA command on (writing the message, the reply to
//     its final ".", a dropped connection) the server may have the message:
//     the outcome is unknown and the mail is never retried automatically; the
//     caller reports it on the issue for a person to check. Only a permanent
//     refusal of the data (5xx) is a known failure.
//
// A mail found sending with no live sender (a crash, or a store write that
// failed after the send) becomes unknown, never queued: Sender.Recover does
// that at start-up, and every round for mails sending longer than a send
// can take. Final outcomes are handed to Sender.OnResult until it accepts
// them, also across restarts, so the issue always learns the Message-ID or
// why there is none.
//
// go-mail's own Client.Send runs MAIL FROM through the final "." in one call
// with no hook before DATA, so it cannot mark sending at the right moment.
package mail
