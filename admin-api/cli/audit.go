package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"

	"github.com/aigw/aigw/internal/audit"
)

func init() {
	register("audit", "audit trail: verify the tamper-evident hash chains", auditCmd)
}

const auditUsage = `usage:
  aigw-admin audit verify [--tenant SLUG_OR_ID] [--anchors FILE]

verify walks every tenant's chain of audit_logs (or one tenant's) in order,
with the checkpoints every append records, and names the first broken link of
each: an altered, removed or inserted row, rows deleted at the end, a chain
rewritten under its checkpoints, a forged checkpoint signature. It prints each
chain's last verified checkpoint (seq, time, signed or not).

Checkpoints are signed with AIGW_AUDIT_KEY when the gateway and the admin API
have it; verify needs the same key to check the signatures.

--anchors FILE keeps the last verified checkpoint of every chain in FILE,
outside the database: each run checks that the chains still hold them (a
superuser who cut a chain's newest rows and checkpoints alike is caught), then
records the new ones. Keep FILE where the database's administrators cannot
write.

Exit status 0: every chain verifies; 1: a chain is broken.`

var tenantIDShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func auditCmd(ctx context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{auditUsage}
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "verify only this tenant's chain (slug or id)")
	anchorsPath := fs.String("anchors", "", "file of anchors: checked, then updated")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	id := *tenant
	if id != "" && !tenantIDShape.MatchString(id) {
		t, err := s.TenantBySlug(ctx, id)
		if err != nil {
			return fmt.Errorf("finding tenant %q: %w", id, err)
		}
		id = t.ID
	}
	anchors, err := readAnchors(*anchorsPath)
	if err != nil {
		return err
	}
	rep, err := audit.NewStore(s.Pool()).Verify(ctx, audit.VerifyOptions{Tenant: id, Anchors: anchors})
	if err != nil {
		return err
	}
	printChains(stdout, rep)
	for _, b := range rep.Breaks {
		fmt.Fprintf(stdout, "BROKEN %s\n", b)
	}
	if len(rep.Breaks) > 0 {
		return fmt.Errorf("audit verify: %d of %d chains broken", len(rep.Breaks), rep.Chains)
	}
	if *anchorsPath != "" {
		if err := writeAnchors(*anchorsPath, anchors, rep); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "ok: %d chains, %d rows verified\n", rep.Chains, rep.Rows)
	return nil
}

// printChains prints one line per chain: rows and the last checkpoint verified.
func printChains(w io.Writer, rep *audit.Report) {
	for _, c := range rep.PerChain {
		name := c.TenantID
		if name == "" {
			name = "system"
		}
		cp := "no checkpoint"
		if c.Checkpoint != nil {
			sig := "unsigned"
			switch {
			case c.Signed:
				sig = "signed"
			case c.Checkpoint.MAC != nil:
				sig = "signed, signature not checked: " + audit.EnvAuditKey + " is not set"
			}
			cp = fmt.Sprintf("last checkpoint seq %d of %s (%s, hash %s)", c.Checkpoint.Seq,
				c.Checkpoint.At.UTC().Format("2006-01-02 15:04:05Z"), sig, hex.EncodeToString(c.Checkpoint.Hash)[:16])
		}
		fmt.Fprintf(w, "chain %s: %d rows, last seq %d; %s\n", name, c.Rows, c.LastSeq, cp)
	}
}

// anchorFile is the JSON of --anchors: chain (tenant id, "" for the system
// chain) to its last verified checkpoint.
type anchorFile map[string]anchor

// anchor is one chain's head in the anchors file.
type anchor struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

func readAnchors(path string) (map[string]audit.Checkpoint, error) {
	out := map[string]audit.Checkpoint{}
	if path == "" {
		return out, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil // the first run records them
	}
	if err != nil {
		return nil, fmt.Errorf("reading anchors: %w", err)
	}
	var f anchorFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("anchors file %s: %w", path, err)
	}
	for chain, a := range f {
		h, err := hex.DecodeString(a.Hash)
		if err != nil || len(h) != 32 || a.Seq < 1 {
			return nil, fmt.Errorf("anchors file %s: chain %q: want a seq and a 64-digit hex hash", path, chain)
		}
		out[chain] = audit.Checkpoint{Chain: chain, Seq: a.Seq, Hash: h}
	}
	return out, nil
}

// writeAnchors records the last verified checkpoint of each chain verified,
// keeping the anchors of chains this run did not walk.
func writeAnchors(path string, old map[string]audit.Checkpoint, rep *audit.Report) error {
	f := anchorFile{}
	for chain, a := range old {
		f[chain] = anchor{a.Seq, hex.EncodeToString(a.Hash)}
	}
	for _, c := range rep.PerChain {
		if c.Checkpoint != nil {
			f[c.TenantID] = anchor{c.Checkpoint.Seq, hex.EncodeToString(c.Checkpoint.Hash)}
		}
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("writing anchors: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing anchors: %w", err)
	}
	return nil
}
