-- +goose Up
-- Deadlines people set with /deadline, which win over the statement's own
-- (deadline '' means "no deadline"). Kept per issue, because an issue
-- entered by hand has no statement yet.
CREATE TABLE deadlines (
    repo       TEXT    NOT NULL,
    number     INTEGER NOT NULL,
    deadline   TEXT    NOT NULL,
    set_by     TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (repo, number)
);

-- +goose Down
DROP TABLE deadlines;
