-- +goose Up
-- Response pull requests: one open at a time per issue. attempt counts
-- the issue's response pull requests (a new one after one was closed
-- unmerged gets a new branch); prev_state is the state label the issue had
-- before, restored when a pull request is closed unmerged.
CREATE TABLE responses (
    repo           TEXT    NOT NULL,
    issue          INTEGER NOT NULL,
    attempt        INTEGER NOT NULL,
    statement_id   INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    branch         TEXT    NOT NULL,
    path           TEXT    NOT NULL,
    pull           INTEGER NOT NULL,
    status         TEXT    NOT NULL,
    prev_state     TEXT    NOT NULL,
    approved_noted INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (repo, issue, attempt)
);
CREATE INDEX responses_by_pull ON responses (repo, pull);

-- People and teams /involve'd on an issue: requested on its response pull
-- requests, the open one and those to come.
CREATE TABLE involved (
    repo     TEXT    NOT NULL,
    issue    INTEGER NOT NULL,
    reviewer TEXT    NOT NULL,
    PRIMARY KEY (repo, issue, reviewer)
);

-- Replies to a tracked statement recorded on its issue, each once.
CREATE TABLE replies (
    repo        TEXT    NOT NULL,
    issue       INTEGER NOT NULL,
    reply_id    INTEGER NOT NULL,
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (repo, issue, reply_id)
);

-- +goose Down
DROP TABLE replies;
DROP TABLE involved;
DROP TABLE responses;
