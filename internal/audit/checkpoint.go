package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Checkpoint is the head of one chain as an append left it, kept in the
// append-only audit_checkpoints table: the writer continues the chain from
// it (so deleting the newest rows frees no sequence number) and Verify
// checks the rows against it (so deleting them does not go unnoticed).
type Checkpoint struct {
	// Chain is the chain's tenant id, or the zero UUID for the system chain.
	Chain string
	// Seq and Hash are the chain's last row when the checkpoint was written.
	Seq  int64
	Hash []byte
	// MAC is HMAC-SHA256(key, chain | seq | hash) under the checkpoint key
	// (AIGW_AUDIT_KEY), or nil when no key was set.
	MAC []byte
	// At is when it was written.
	At time.Time
}

// EnvAuditKey names the environment variable holding the key that signs
// checkpoints: a secret of at least 32 bytes (say `openssl rand -hex 32`)
// given to every gateway and admin API process and never to the database.
const EnvAuditKey = "AIGW_AUDIT_KEY"

// envKey reads the checkpoint key from the environment once per process.
var envKey = sync.OnceValue(func() []byte {
	if k := os.Getenv(EnvAuditKey); k != "" {
		return []byte(k)
	}
	return nil
})

// WithCheckpointKey sets the key that signs (and verifies) checkpoints,
// instead of AIGW_AUDIT_KEY; nil writes them unsigned.
func WithCheckpointKey(key []byte) Option { return func(st *Store) { st.key = key } }

// mac signs a chain's head.
func mac(key []byte, chain string, seq int64, hash []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(chain))
	var b [9]byte
	b[0] = '|'
	binary.BigEndian.PutUint64(b[1:], uint64(seq))
	m.Write(b[:])
	m.Write(hash)
	return m.Sum(nil)
}

// chainHead returns the head a chain continues from: its last row or its
// last checkpoint, whichever is later. Rows beyond the last checkpoint come
// from a writer that did not checkpoint (one older than the table); a
// checkpoint beyond the last row means rows were deleted, whose sequence
// numbers stay used.
func chainHead(ctx context.Context, tx pgx.Tx, chain string) (int64, []byte, error) {
	seq := int64(0)
	prev := append([]byte(nil), zeroHash...)
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM (
		(SELECT seq, hash FROM audit_logs WHERE coalesce(tenant_id, '`+noTenant+`'::uuid) = $1::uuid ORDER BY seq DESC LIMIT 1)
		UNION ALL
		(SELECT seq, hash FROM audit_checkpoints WHERE chain_id = $1::uuid ORDER BY seq DESC LIMIT 1)
	) h ORDER BY seq DESC LIMIT 1`, chain).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, fmt.Errorf("reading audit chain head: %w", err)
	}
	return seq, prev, nil
}

// checkpoint writes the heads of the chains an append extended, in its
// transaction, in one statement.
func (s *Store) checkpoint(ctx context.Context, tx pgx.Tx, cps []Checkpoint) error {
	chains := make([]pgtype.UUID, len(cps))
	seqs := make([]int64, len(cps))
	hashes := make([][]byte, len(cps))
	macs := make([][]byte, len(cps))
	for i, cp := range cps {
		if err := chains[i].Scan(cp.Chain); err != nil {
			return fmt.Errorf("audit checkpoint chain %q: %w", cp.Chain, err)
		}
		seqs[i], hashes[i] = cp.Seq, cp.Hash
		if s.key != nil {
			macs[i] = mac(s.key, cp.Chain, cp.Seq, cp.Hash)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_checkpoints (chain_id, seq, hash, mac)
		SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bytea[], $4::bytea[])`, chains, seqs, hashes, macs)
	if err != nil {
		return fmt.Errorf("writing audit checkpoints: %w", err)
	}
	return nil
}
