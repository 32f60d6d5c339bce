-- +goose Up
-- The inbox keeps only a count per issue in memory and starts the oldest
-- pending delivery of an issue from here, so a backlog costs no memory.
DROP INDEX deliveries_by_key;
CREATE INDEX deliveries_pending_by_key ON deliveries (ordering_key, status, seq);

-- +goose Down
DROP INDEX deliveries_pending_by_key;
CREATE INDEX deliveries_by_key ON deliveries (ordering_key, seq);
