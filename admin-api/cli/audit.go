package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"

	"github.com/aigw/aigw/internal/audit"
)

func init() {
	register("audit", "audit trail: verify the tamper-evident hash chains", auditCmd)
}

const auditUsage = `usage:
  aigw-admin audit verify [--tenant SLUG_OR_ID]

verify walks every tenant's chain of audit_logs (or one tenant's) in order and
names the first broken link of each: an altered, removed or inserted row.
Exit status 0: every chain verifies; 1: a chain is broken.`

var tenantIDShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func auditCmd(ctx context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{auditUsage}
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "verify only this tenant's chain (slug or id)")
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
	rep, err := audit.NewStore(s.Pool()).Verify(ctx, id)
	if err != nil {
		return err
	}
	for _, b := range rep.Breaks {
		fmt.Fprintf(stdout, "BROKEN %s\n", b)
	}
	if len(rep.Breaks) > 0 {
		return fmt.Errorf("audit verify: %d of %d chains broken", len(rep.Breaks), rep.Chains)
	}
	fmt.Fprintf(stdout, "ok: %d chains, %d rows verified\n", rep.Chains, rep.Rows)
	return nil
}
