package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Break is the first broken link of a chain.
type Break struct {
	// TenantID is the chain's tenant ("" for the system chain).
	TenantID string
	// Seq and ID identify the first row that does not verify (ID 0 when the
	// row is missing).
	Seq, ID int64
	// Reason says what does not match.
	Reason string
}

func (b Break) String() string {
	return fmt.Sprintf("chain %s: row seq %d (id %d): %s", chainName(b.TenantID), b.Seq, b.ID, b.Reason)
}

func chainName(tenant string) string {
	if tenant == "" || tenant == noTenant {
		return "system"
	}
	return tenant
}

// ChainReport is what Verify found of one chain.
type ChainReport struct {
	// TenantID is the chain's tenant ("" for the system chain).
	TenantID string
	// Rows is the number of rows, LastSeq the last row's seq.
	Rows, LastSeq int64
	// Checkpoint is the last checkpoint verified (nil: none), and
	// Checkpoints how many were.
	Checkpoint  *Checkpoint
	Checkpoints int64
	// Signed reports that the last checkpoint verified carries a valid
	// signature under the checkpoint key.
	Signed bool
}

// Report is the outcome of Verify.
type Report struct {
	Chains int
	Rows   int64
	// Breaks holds the first broken link of each chain that has one.
	Breaks []Break
	// PerChain describes each chain, in chain order.
	PerChain []ChainReport
	// Unverifiable counts signed checkpoints that could not be checked for
	// want of the key.
	Unverifiable int64
}

// VerifyOptions say what Verify checks.
type VerifyOptions struct {
	// Tenant limits the walk to one tenant's chain ("" walks every chain).
	Tenant string
	// Anchors are chain heads recorded outside the database by an earlier
	// verify, by chain (tenant id, "" for the system chain): each chain must
	// still hold that seq with that hash, and not have been cut below it.
	Anchors map[string]Checkpoint
}

// Verify walks every chain (or opts.Tenant's) in seq order, with its
// checkpoints, and reports the first broken link of each: a missing or extra
// row (seq out of order), a previous hash that is not the previous row's, a
// hash that does not match the row's contents (an edited row), a row whose
// hash is not the one a checkpoint recorded for its seq (a rewritten
// chain), a checkpoint beyond the last row (rows deleted at the end), a
// checkpoint whose signature does not verify (a forged one), and a chain
// that no longer holds an anchor.
func (s *Store) Verify(ctx context.Context, opts VerifyOptions) (*Report, error) {
	// Checkpoints first: the rows' query then sees every row a checkpoint it
	// reads can name (rows appended in between only add rows beyond the
	// last checkpoint, which is fine), so a concurrent append is never
	// taken for a deletion.
	cps, err := s.queryCheckpoints(ctx, opts.Tenant)
	if err != nil {
		return nil, err
	}
	defer cps.close()
	rows, err := s.queryRows(ctx, opts.Tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	v := &verifier{s: s, rep: &Report{}, cps: cps, anchors: map[string]Checkpoint{}}
	only := orDefault(strings.ToLower(opts.Tenant), "")
	for chain, a := range opts.Anchors {
		if chain = strings.ToLower(chain); only == "" || chain == only {
			v.anchors[orDefault(chain, noTenant)] = a
		}
	}
	for rows.Next() {
		var r Row
		var chain, details string
		if err := rows.Scan(&chain, &r.ID, &r.TenantID, &r.Seq, &r.OccurredAt, &r.ActorType, &r.ActorID, &r.Action,
			&r.ResourceType, &r.ResourceID, &r.Outcome, &r.Severity, &r.ClientIP, &r.RequestID, &details,
			&r.PrevHash, &r.Hash); err != nil {
			return nil, fmt.Errorf("reading audit row: %w", err)
		}
		if err := v.row(chain, &r, details); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading audit logs: %w", err)
	}
	if err := v.finishAll(); err != nil {
		return nil, err
	}
	return v.rep, nil
}

func (s *Store) queryRows(ctx context.Context, tenant string) (pgx.Rows, error) {
	q := `SELECT coalesce(tenant_id, '` + noTenant + `'::uuid)::text, id, coalesce(tenant_id::text, ''), seq, occurred_at,
		actor_type, actor_id, action, resource_type, resource_id, outcome, severity, client_ip, request_id,
		details::text, prev_hash, hash
		FROM audit_logs`
	var args []any
	if tenant != "" {
		q += ` WHERE coalesce(tenant_id, '` + noTenant + `'::uuid) = $1::uuid`
		args = append(args, tenant)
	}
	q += ` ORDER BY coalesce(tenant_id, '` + noTenant + `'::uuid), seq`
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading audit logs: %w", err)
	}
	return rows, nil
}

// cpCursor reads checkpoints in chain and seq order, one ahead.
type cpCursor struct {
	rows pgx.Rows
	cur  *Checkpoint
	err  error
}

func (s *Store) queryCheckpoints(ctx context.Context, tenant string) (*cpCursor, error) {
	q := `SELECT chain_id::text, seq, hash, mac, created_at FROM audit_checkpoints`
	var args []any
	if tenant != "" {
		q += ` WHERE chain_id = $1::uuid`
		args = append(args, tenant)
	}
	// A second connection: the rows stream on the first.
	rows, err := s.pool.Query(ctx, q+` ORDER BY chain_id, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading audit checkpoints: %w", err)
	}
	return &cpCursor{rows: rows}, nil
}

// peek returns the next checkpoint, or nil at the end.
func (c *cpCursor) peek() *Checkpoint {
	if c.cur != nil || c.err != nil || c.rows == nil {
		return c.cur
	}
	if !c.rows.Next() {
		c.err = c.rows.Err()
		c.rows.Close()
		c.rows = nil
		return nil
	}
	var cp Checkpoint
	if c.err = c.rows.Scan(&cp.Chain, &cp.Seq, &cp.Hash, &cp.MAC, &cp.At); c.err != nil {
		return nil
	}
	c.cur = &cp
	return c.cur
}

func (c *cpCursor) next() { c.cur = nil }

func (c *cpCursor) close() {
	if c.rows != nil {
		c.rows.Close()
	}
}

// verifier walks rows and checkpoints together, one chain at a time.
type verifier struct {
	s       *Store
	rep     *Report
	cps     *cpCursor
	anchors map[string]Checkpoint

	chain  string // the chain being walked ("": none yet)
	cr     ChainReport
	prev   []byte
	broken bool
}

// row checks one row of chain.
func (v *verifier) row(chain string, r *Row, details string) error {
	if chain != v.chain {
		if err := v.finish(); err != nil {
			return err
		}
		if err := v.orphansBefore(chain); err != nil {
			return err
		}
		v.start(chain, r.TenantID)
	}
	v.cr.Rows++
	v.rep.Rows++
	if v.broken {
		return nil
	}
	if reason := checkRow(r, details, v.prev, v.cr.LastSeq+1); reason != "" {
		v.breakAt(r.Seq, r.ID, reason)
		return nil
	}
	v.prev, v.cr.LastSeq = r.Hash, r.Seq
	if a, ok := v.anchors[chain]; ok && a.Seq == r.Seq && !bytes.Equal(a.Hash, r.Hash) {
		v.breakAt(r.Seq, r.ID, "the row is not the one the anchor recorded: the chain was rewritten")
		return nil
	}
	for cp := v.cps.peek(); cp != nil && cp.Chain == chain && cp.Seq <= r.Seq; cp = v.cps.peek() {
		v.cps.next()
		if cp.Seq == r.Seq && !bytes.Equal(cp.Hash, r.Hash) {
			v.breakAt(r.Seq, r.ID, "the row's hash is not the one its checkpoint recorded: the chain was rewritten")
			return nil
		}
		if reason := v.checkSignature(cp); reason != "" {
			v.breakAt(cp.Seq, r.ID, reason)
			return nil
		}
	}
	return v.cps.err
}

// checkSignature checks a checkpoint's MAC and notes it as verified.
func (v *verifier) checkSignature(cp *Checkpoint) string {
	switch {
	case cp.MAC != nil && v.s.key == nil:
		v.rep.Unverifiable++
	case cp.MAC != nil && !hmac.Equal(cp.MAC, mac(v.s.key, cp.Chain, cp.Seq, cp.Hash)):
		return "the checkpoint's signature does not verify: it was forged or altered"
	case cp.MAC == nil && v.cr.Signed:
		return "an unsigned checkpoint follows signed ones: it was forged"
	}
	v.cr.Signed = cp.MAC != nil && v.s.key != nil
	v.cr.Checkpoint = cp
	v.cr.Checkpoints++
	return ""
}

func (v *verifier) start(chain, tenant string) {
	v.chain, v.prev, v.broken = chain, zeroHash, false
	v.cr = ChainReport{TenantID: tenant}
	v.rep.Chains++
}

func (v *verifier) breakAt(seq, id int64, reason string) {
	v.rep.Breaks = append(v.rep.Breaks, Break{TenantID: v.cr.TenantID, Seq: seq, ID: id, Reason: reason})
	v.broken = true
}

// finish ends the chain being walked: a checkpoint left beyond its last row
// means rows were deleted at the end; an anchor beyond it, that the chain
// was cut below what an earlier verify saw.
func (v *verifier) finish() error {
	if v.chain == "" {
		return nil
	}
	var beyond *Checkpoint // the last checkpoint past the last row
	for cp := v.cps.peek(); cp != nil && cp.Chain == v.chain; cp = v.cps.peek() {
		v.cps.next()
		beyond = cp
	}
	if beyond != nil && !v.broken {
		v.breakAt(v.cr.LastSeq+1, 0, fmt.Sprintf(
			"missing: a checkpoint of %s records the chain up to seq %d, the rows end at seq %d (rows were deleted at the end)",
			beyond.At.UTC().Format("2006-01-02 15:04:05Z"), beyond.Seq, v.cr.LastSeq))
	}
	if a, ok := v.anchors[v.chain]; ok {
		if a.Seq > v.cr.LastSeq && !v.broken {
			v.breakAt(v.cr.LastSeq+1, 0, fmt.Sprintf("missing: the anchor records the chain up to seq %d, the rows end at seq %d (the chain was cut)", a.Seq, v.cr.LastSeq))
		}
		delete(v.anchors, v.chain)
	}
	v.rep.PerChain = append(v.rep.PerChain, v.cr)
	v.chain = ""
	return v.cps.err
}

// orphansBefore reports chains, ordered before chain, that have checkpoints
// but no rows left at all.
func (v *verifier) orphansBefore(chain string) error {
	for cp := v.cps.peek(); cp != nil && (chain == "" || cp.Chain < chain); cp = v.cps.peek() {
		tenant := cp.Chain
		if tenant == noTenant {
			tenant = ""
		}
		v.start(cp.Chain, tenant)
		if err := v.finish(); err != nil {
			return err
		}
	}
	return v.cps.err
}

// finishAll ends the walk: the last chain, chains left with checkpoints
// only, and anchored chains that have disappeared altogether.
func (v *verifier) finishAll() error {
	if err := v.finish(); err != nil {
		return err
	}
	if err := v.orphansBefore(""); err != nil {
		return err
	}
	for chain, a := range v.anchors {
		tenant := chain
		if tenant == noTenant {
			tenant = ""
		}
		v.start(chain, tenant)
		v.breakAt(1, 0, fmt.Sprintf("missing: the anchor records the chain up to seq %d, it has no rows or checkpoints left", a.Seq))
		v.rep.PerChain = append(v.rep.PerChain, v.cr)
	}
	return nil
}

func checkRow(r *Row, details string, prev []byte, want int64) string {
	if r.Seq != want {
		return fmt.Sprintf("expected seq %d: rows are missing or were inserted", want)
	}
	if !bytes.Equal(r.PrevHash, prev) {
		return "prev_hash is not the previous row's hash"
	}
	d, err := decodeDetails(details)
	if err != nil {
		return "details are not a JSON object"
	}
	r.Details = d
	canon, err := canonicalDetails(nil, r.Details)
	var hs hasher
	if h := hs.hash(r.PrevHash, r.Seq, &r.Event, canon); err != nil || !bytes.Equal(h[:], r.Hash) {
		return "hash does not match the row's contents: the row was altered"
	}
	return ""
}

// decodeDetails reads stored details back into the values prepare produced.
func decodeDetails(s string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
