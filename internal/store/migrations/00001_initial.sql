-- The first schema of liaisonbot's durable state.
--
-- The SQL is written to run unchanged on SQLite and PostgreSQL: plain types,
-- ON CONFLICT upserts in the queries, timestamps as UTC RFC 3339 text (which
-- sorts in time order because the store writes them at a fixed width).

-- +goose Up

-- statements holds the datatracker's statements as last seen. data is the
-- JSON of liaison.Statement; hash is the sha256 of that JSON, compared before
-- writing so that an idle poll writes nothing. state and day are copied out of
-- data so that queries can select on them.
CREATE TABLE statements (
    id         INTEGER PRIMARY KEY,
    data       TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE INDEX statements_day ON statements (day);

-- cursors holds named positions and small settings, such as the last
-- datatracker event id the poller has read.
CREATE TABLE cursors (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- repos holds the repositories the app has seen tracking statements, with the
-- installation that reaches them. first_seen is set once and never changes.
CREATE TABLE repos (
    full_name       TEXT   PRIMARY KEY,
    installation_id BIGINT NOT NULL,
    first_seen      TEXT   NOT NULL,
    updated_at      TEXT   NOT NULL
);

-- issues holds the issues the app created, one per statement per repository.
-- A row in status 'creating' is written before the create request, so after a
-- crash the next pass knows the outcome of that request is unknown and looks
-- for the issue before creating another.
CREATE TABLE issues (
    repo         TEXT    NOT NULL,
    statement_id INTEGER NOT NULL,
    number       INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL CHECK (status IN ('creating', 'created')),
    hash         TEXT    NOT NULL DEFAULT '',
    template_sha TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (repo, statement_id)
);

-- template_cache holds fetched liaison templates with their ETag, so that a
-- re-check is a conditional request. content is BYTEA, PostgreSQL's byte
-- string type: SQLite accepts the name too, and as the store always binds a
-- []byte (a BLOB) the bytes are kept unchanged.
CREATE TABLE template_cache (
    key        TEXT  PRIMARY KEY,
    content    BYTEA NOT NULL,
    sha        TEXT  NOT NULL,
    etag       TEXT  NOT NULL,
    checked_at TEXT  NOT NULL
);

-- +goose Down
DROP TABLE template_cache;
DROP TABLE issues;
DROP TABLE repos;
DROP TABLE cursors;
DROP INDEX statements_day;
DROP TABLE statements;
