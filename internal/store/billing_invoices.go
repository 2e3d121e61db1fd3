package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/billing"
)

// Invoice kinds.
const (
	KindInvoice    = "invoice"
	KindCreditNote = "credit_note"
)

// Invoice is an issued invoice or credit note.
type Invoice struct {
	ID, TenantID string
	// Kind is KindInvoice or KindCreditNote; Seq its number in the
	// tenant's sequence of that kind, Number the number as printed
	// (INV-000042, CN-000003).
	Kind   string
	Seq    int64
	Number string
	// UserID is the one user billed, or "" for the whole tenant.
	UserID string
	// RefersTo is, for a credit note, the invoice it corrects.
	RefersTo string
	// Month is the period billed.
	Month billing.Month
	// Status is "issued".
	Status   string
	IssuedAt time.Time
	IssuedBy string
	// Reason is a credit note's reason.
	Reason string
	// Plan is the pricing plan as it was at issue.
	Plan billing.Plan
	// Bill is the content: lines and totals.
	Bill billing.Bill
	// CreditedBy is the id of the credit note that cancels this invoice, if any.
	CreditedBy string
}

// invoicePrefix is what numbers of each kind start with.
var invoicePrefix = map[string]string{KindInvoice: "INV-", KindCreditNote: "CN-"}

// LockInvoiceSequence locks tenantID's sequence of kind for the rest of tx
// and returns its last number: the issuers of a tenant take turns, so the
// next number is last+1 and no other transaction can take it.
func LockInvoiceSequence(ctx context.Context, tx pgx.Tx, tenantID, kind string) (int64, error) {
	if _, err := tx.Exec(ctx, `INSERT INTO invoice_sequences (tenant_id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING`, tenantID, kind); err != nil {
		return 0, fmt.Errorf("locking invoice numbers: %w", err)
	}
	var last int64
	err := tx.QueryRow(ctx, `SELECT last_seq FROM invoice_sequences WHERE tenant_id = $1 AND kind = $2 FOR UPDATE`, tenantID, kind).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("locking invoice numbers: %w", err)
	}
	return last, nil
}

// InsertInvoice stores inv with number last+1 of its kind (last as
// LockInvoiceSequence returned it, in the same tx) and fills in its id,
// number and sequence.
func InsertInvoice(ctx context.Context, tx pgx.Tx, inv *Invoice, last int64) error {
	inv.Seq = last + 1
	inv.Number = fmt.Sprintf("%s%06d", invoicePrefix[inv.Kind], inv.Seq)
	lines, err := json.Marshal(inv.Bill.Lines)
	if err != nil {
		return err
	}
	plan, err := json.Marshal(inv.Plan)
	if err != nil {
		return err
	}
	err = tx.QueryRow(ctx, `INSERT INTO invoices (tenant_id, kind, seq, number, user_id, refers_to, period_start, period_end,
    currency, subtotal, tax, total, exact_total, rounding_residue, status, line_items, plan, reason, issued_at, issued_by,
    token_cost_usd, active_users)
VALUES ($1, $2, $3, $4, nullif($5, '')::uuid, nullif($6, '')::uuid, $7, $8, $9, $10::numeric, 0, $11::numeric,
    $12::numeric, $13::numeric, 'issued', $14, $15, $16, $17, nullif($18, '')::uuid, $19::numeric, $20)
RETURNING id::text`, inv.TenantID, inv.Kind, inv.Seq, inv.Number, inv.UserID, inv.RefersTo, inv.Month.Start(), inv.Month.End(),
		inv.Bill.Currency, inv.Bill.Subtotal.String(), inv.Bill.Total.String(), inv.Bill.ExactTotal.String(),
		inv.Bill.RoundingResidue.String(), lines, plan, inv.Reason, inv.IssuedAt, inv.IssuedBy,
		inv.Bill.TokenCostUSD.String(), inv.Bill.ActiveUsers).Scan(&inv.ID)
	if err != nil {
		return fmt.Errorf("storing invoice: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE invoice_sequences SET last_seq = $3 WHERE tenant_id = $1 AND kind = $2`, inv.TenantID, inv.Kind, inv.Seq); err != nil {
		return fmt.Errorf("advancing invoice numbers: %w", err)
	}
	inv.Status = "issued"
	return nil
}

const invoiceColumns = `i.id::text, i.tenant_id::text, i.kind, i.seq, i.number, coalesce(i.user_id::text, ''),
coalesce(i.refers_to::text, ''), i.period_start, i.status, i.issued_at, coalesce(i.issued_by::text, ''), i.reason,
i.plan, i.line_items, i.currency, i.subtotal::text, i.total::text, i.exact_total::text, i.rounding_residue::text,
i.token_cost_usd::text, i.active_users,
coalesce((SELECT c.id::text FROM invoices c WHERE c.refers_to = i.id), '')`

func scanInvoice(row pgx.Row) (*Invoice, error) {
	var inv Invoice
	var start time.Time
	var plan, lines []byte
	var sub, total, exact, residue, tokens string
	b := &inv.Bill
	err := row.Scan(&inv.ID, &inv.TenantID, &inv.Kind, &inv.Seq, &inv.Number, &inv.UserID, &inv.RefersTo, &start,
		&inv.Status, &inv.IssuedAt, &inv.IssuedBy, &inv.Reason, &plan, &lines, &b.Currency, &sub, &total, &exact, &residue,
		&tokens, &b.ActiveUsers, &inv.CreditedBy)
	if err != nil {
		return nil, notFound(err)
	}
	inv.Month = billing.MonthOf(start)
	if err := json.Unmarshal(plan, &inv.Plan); err != nil {
		return nil, fmt.Errorf("reading invoice plan: %w", err)
	}
	if err := json.Unmarshal(lines, &b.Lines); err != nil {
		return nil, fmt.Errorf("reading invoice lines: %w", err)
	}
	b.Subtotal, b.Total, b.ExactTotal, b.RoundingResidue = billing.MustDec(sub), billing.MustDec(total), billing.MustDec(exact), billing.MustDec(residue)
	b.TokenCostUSD = billing.MustDec(tokens)
	return &inv, nil
}

// FindInvoice returns tenantID's invoice of month m for userID ("" for the
// whole tenant) that no credit note cancels, or ErrNotFound.
func FindInvoice(ctx context.Context, q Querier, tenantID, userID string, m billing.Month) (*Invoice, error) {
	return scanInvoice(q.QueryRow(ctx, `SELECT `+invoiceColumns+` FROM invoices i
WHERE i.tenant_id = $1 AND i.kind = 'invoice' AND i.period_start = $2 AND i.user_id IS NOT DISTINCT FROM nullif($3, '')::uuid
  AND NOT EXISTS (SELECT 1 FROM invoices c WHERE c.refers_to = i.id)
ORDER BY i.seq DESC LIMIT 1`, tenantID, m.Start(), userID))
}

// GetInvoice returns tenantID's invoice or credit note id, or ErrNotFound.
func GetInvoice(ctx context.Context, q Querier, tenantID, id string) (*Invoice, error) {
	if !ValidUUID(id) {
		return nil, ErrNotFound
	}
	return scanInvoice(q.QueryRow(ctx, `SELECT `+invoiceColumns+` FROM invoices i WHERE i.tenant_id = $1 AND i.id = $2`, tenantID, id))
}

// InvoiceFilter narrows a list of invoices.
type InvoiceFilter struct {
	// Kind, Month and UserID, when set, must match.
	Kind, UserID string
	Month        *billing.Month
	Limit        int
	Offset       int
}

// ListInvoices returns a page of tenantID's invoices and credit notes,
// newest first, and how many match.
func ListInvoices(ctx context.Context, q Querier, tenantID string, f InvoiceFilter) ([]Invoice, int, error) {
	var month any
	if f.Month != nil {
		month = f.Month.Start()
	}
	where := `i.tenant_id = $1 AND ($2 = '' OR i.kind = $2) AND ($3::date IS NULL OR i.period_start = $3::date)
  AND ($4 = '' OR i.user_id = nullif($4, '')::uuid)`
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM invoices i WHERE `+where, tenantID, f.Kind, month, f.UserID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting invoices: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT `+invoiceColumns+` FROM invoices i WHERE `+where+`
ORDER BY i.issued_at DESC, i.kind, i.seq DESC LIMIT $5 OFFSET $6`, tenantID, f.Kind, month, f.UserID, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("listing invoices: %w", err)
	}
	defer rows.Close()
	out := []Invoice{}
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *inv)
	}
	return out, total, rows.Err()
}

// ErrAlreadyCredited is returned when an invoice has a credit note already.
var ErrAlreadyCredited = &ConflictError{Message: "this invoice has a credit note already"}
