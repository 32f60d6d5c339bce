-- +goose Up
-- One holder at a time for work that must not run twice at once, such as
-- a sync pass: `liaisonbot serve` and a `liaisonbot sync` run by hand
-- against the same store would otherwise both create the issue of a new
-- statement. A lease that is not renewed expires, so a crashed holder
-- does not block the others for long.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE leases;
