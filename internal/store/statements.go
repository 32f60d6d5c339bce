package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// Hash is the sha256, in hex, of the statement's JSON. encoding/json writes a
// struct's fields in declaration order, so equal statements hash equal and a
// poll that sees nothing new can tell without writing. It is "" for a
// statement JSON cannot encode (a time outside years 0–9999), which
// PutStatement refuses.
func Hash(st liaison.Statement) string {
	_, h, err := encodeStatement(st)
	if err != nil {
		return ""
	}
	return h
}

func encodeStatement(st liaison.Statement) (data []byte, hash string, err error) {
	data, err = json.Marshal(st)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:]), nil
}

// PutStatement stores st, inserting it or replacing the copy with its id.
// changed is false when the stored copy hashes the same; then nothing is
// written, not even updated_at, so an idle pass leaves the database alone.
func (s *Store) PutStatement(ctx context.Context, st liaison.Statement) (changed bool, err error) {
	if st.ID <= 0 {
		return false, fmt.Errorf("failed to store statement: invalid id %d", st.ID)
	}
	data, hash, err := encodeStatement(st)
	if err != nil {
		return false, fmt.Errorf("failed to encode statement %d: %w", st.ID, err)
	}
	old, ok, err := s.StatementHash(ctx, st.ID)
	if err != nil {
		return false, err
	}
	if ok && old == hash {
		return false, nil
	}
	// The WHERE repeats the comparison inside the write, so that of two
	// concurrent writers of the same statement only one reports a change.
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO statements (id, data, hash, state, day, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET
			data = excluded.data,
			hash = excluded.hash,
			state = excluded.state,
			day = excluded.day,
			updated_at = excluded.updated_at
		WHERE statements.hash <> excluded.hash`,
		st.ID, string(data), hash, st.State, st.Day().String(), formatTime(s.now()))
	if err != nil {
		return false, fmt.Errorf("failed to store statement %d: %w", st.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("failed to store statement %d: %w", st.ID, err)
	}
	return n > 0, nil
}

// Statement is the stored statement with the id; ok is false when there is none.
func (s *Store) Statement(ctx context.Context, id int) (st liaison.Statement, ok bool, err error) {
	var data string
	err = s.db.QueryRowContext(ctx, `SELECT data FROM statements WHERE id = $1`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return liaison.Statement{}, false, nil
	}
	if err != nil {
		return liaison.Statement{}, false, fmt.Errorf("failed to read statement %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(data), &st); err != nil {
		return liaison.Statement{}, false, fmt.Errorf("failed to decode stored statement %d: %w", id, err)
	}
	return st, true, nil
}

// Statements is every stored statement in id order.
func (s *Store) Statements(ctx context.Context) ([]liaison.Statement, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, data FROM statements ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("failed to list statements: %w", err)
	}
	defer rows.Close()
	var out []liaison.Statement
	for rows.Next() {
		var (
			id   int
			data string
			st   liaison.Statement
		)
		if err := rows.Scan(&id, &data); err != nil {
			return nil, fmt.Errorf("failed to list statements: %w", err)
		}
		if err := json.Unmarshal([]byte(data), &st); err != nil {
			return nil, fmt.Errorf("failed to decode stored statement %d: %w", id, err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("failed to list statements: %w", err)
	}
	return out, nil
}

// MaxStatementID is the highest stored statement id, 0 when there is none.
func (s *Store) MaxStatementID(ctx context.Context) (int, error) {
	var id int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM statements`).Scan(&id); err != nil {
		return 0, fmt.Errorf("failed to read highest statement id: %w", err)
	}
	return id, nil
}

// StatementHash is the Hash of the stored statement with the id; ok is false
// when there is none.
func (s *Store) StatementHash(ctx context.Context, id int) (hash string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT hash FROM statements WHERE id = $1`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("failed to read hash of statement %d: %w", id, err)
	}
	return hash, true, nil
}
