-- +goose Up
-- The outbox of outside mail (acknowledgements, reminders). A mail is
-- recorded here, and committed, before any SMTP conversation, and its
-- status records how far sending got, so that a message is never sent
-- twice:
--
--   queued  -> sending (set before the SMTP DATA command) -> sent
--   queued  -> queued again, attempts+1, later next_attempt_at, when a
--              try failed before DATA (the server has no copy)
--   queued  -> failed after too many such tries, or a permanent refusal
--   sending -> unknown when the try failed during or after the data, or the
--              sender stopped while sending: the server may have the
--              message, so it is never retried automatically
--
-- mail_key is the caller's idempotency key ("ack:owner/repo#12"): the same
-- key enqueued again returns the existing mail. message_id is generated at
-- enqueue and kept across tries. to_addrs and cc_addrs are JSON arrays of
-- RFC 5322 addresses. reported_at is set once the final outcome was
-- reported on the issue.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    mail_key        TEXT    NOT NULL UNIQUE,
    repo            TEXT    NOT NULL,
    issue           INTEGER NOT NULL,
    from_addr       TEXT    NOT NULL,
    reply_to        TEXT    NOT NULL,
    to_addrs        TEXT    NOT NULL,
    cc_addrs        TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    message_id      TEXT    NOT NULL UNIQUE,
    status          TEXT    NOT NULL
        CHECK (status IN ('queued', 'sending', 'sent', 'unknown', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    server_reply    TEXT    NOT NULL DEFAULT '',
    next_attempt_at TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    sent_at         TEXT    NOT NULL DEFAULT '',
    reported_at     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_issue ON outbox (repo, issue);

-- +goose Down
DROP TABLE outbox;
