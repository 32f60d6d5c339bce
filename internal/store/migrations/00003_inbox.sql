-- +goose Up
-- The webhook inbox. A delivery is recorded here, and committed, before
-- GitHub gets its 2xx, so a crash or restart loses nothing; workers then
-- process deliveries in order per ordering key (one issue of one
-- repository). guid is GitHub's X-GitHub-Delivery: the same delivery
-- arriving again is not recorded twice, except that a failed one is queued
-- again (GitHub's "Redeliver" reuses the guid).
CREATE TABLE deliveries (
    seq             INTEGER PRIMARY KEY,
    guid            TEXT    NOT NULL UNIQUE,
    event           TEXT    NOT NULL,
    ordering_key    TEXT    NOT NULL,
    payload         BYTEA   NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    last_error      TEXT    NOT NULL,
    next_attempt_at TEXT    NOT NULL,
    received_at     TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX deliveries_by_status ON deliveries (status, seq);
CREATE INDEX deliveries_by_key ON deliveries (ordering_key, seq);

-- +goose Down
DROP TABLE deliveries;
