package tenantdb

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/billing"
	"github.com/aigw/aigw/internal/store"
)

// Billing: the tenant's plan, usage read for bills, invoices and credit
// notes (each issued in one transaction with its audit event), exports.
// The queries are in internal/store (billing*.go); this binds them to the
// tenant.

// BillingPlan returns the tenant's plan (the default when none is set).
func (d *DB) BillingPlan(ctx context.Context) (*store.PlanRow, error) {
	return store.BillingPlan(ctx, d.pool, d.tenantID)
}

// SetBillingPlan stores the tenant's plan, recording billing.plan_update.
func (d *DB) SetBillingPlan(ctx context.Context, p billing.Plan) error {
	ev := audit.Event{Action: "billing.plan_update", ResourceType: "billing_plan", ResourceID: d.tenantID,
		Details: map[string]any{"currency": p.Currency, "usd_rate": p.USDRate.String(), "seat_fee": p.SeatFee.String(),
			"adjustments": len(p.Adjustments)}}
	return d.change(ctx, ev, func(tx pgx.Tx, _ *audit.Event) error {
		return store.PutBillingPlan(ctx, tx, d.tenantID, d.actor.UserID, p)
	})
}

// Usage returns the scope of the tenant's usage in [from, to), of one user
// when userID is set.
func (d *DB) Usage(from, to time.Time, userID string) store.UsageScope {
	return store.UsageScope{TenantID: d.tenantID, UserID: userID, From: from, To: to}
}

// UsageByModel is store.UsageByModel on scope s (made by Usage).
func (d *DB) UsageByModel(ctx context.Context, s store.UsageScope, rates []store.ModelRate) ([]billing.ModelUsage, error) {
	s.TenantID = d.tenantID
	return store.UsageByModel(ctx, d.pool, s, rates)
}

// UsageByDay is store.UsageByDay on scope s.
func (d *DB) UsageByDay(ctx context.Context, s store.UsageScope) ([]store.DaySpend, error) {
	s.TenantID = d.tenantID
	return store.UsageByDay(ctx, d.pool, s)
}

// UsageTotal is store.UsageTotal on scope s.
func (d *DB) UsageTotal(ctx context.Context, s store.UsageScope) (billing.Dec, error) {
	s.TenantID = d.tenantID
	return store.UsageTotal(ctx, d.pool, s)
}

// ActiveUsers counts the tenant's active users in month m (see store.ActiveUsers).
func (d *DB) ActiveUsers(ctx context.Context, m billing.Month) (int64, error) {
	return store.ActiveUsers(ctx, d.pool, d.tenantID, m)
}

// UserActive reports whether the tenant's user userID was active in month m.
func (d *DB) UserActive(ctx context.Context, userID string, m billing.Month) (bool, error) {
	return store.UserActive(ctx, d.pool, d.tenantID, userID, m)
}

// ExportUsage streams the tenant's usage in scope s, grouped by groupBy,
// to row (see store.ExportUsage).
func (d *DB) ExportUsage(ctx context.Context, s store.UsageScope, groupBy string, row func([]string) error) error {
	s.TenantID = d.tenantID
	return store.ExportUsage(ctx, d.st, s, groupBy, row)
}

// Invoice returns the tenant's invoice or credit note id.
func (d *DB) Invoice(ctx context.Context, id string) (*store.Invoice, error) {
	return store.GetInvoice(ctx, d.pool, d.tenantID, id)
}

// Invoices lists the tenant's invoices and credit notes, newest first.
func (d *DB) Invoices(ctx context.Context, f store.InvoiceFilter) ([]store.Invoice, int, error) {
	return store.ListInvoices(ctx, d.pool, d.tenantID, f)
}

// CurrentInvoice returns the invoice of month m for userID ("" for the
// tenant) that no credit note cancels, or store.ErrNotFound.
func (d *DB) CurrentInvoice(ctx context.Context, userID string, m billing.Month) (*store.Invoice, error) {
	return store.FindInvoice(ctx, d.pool, d.tenantID, userID, m)
}

// existingInvoice carries an invoice found inside the issuing transaction
// out of it (the transaction rolls back: nothing was issued).
type existingInvoice struct{ inv *store.Invoice }

func (e *existingInvoice) Error() string { return "invoice exists" }

// IssueInvoice issues the invoice of month m for userID ("" for the whole
// tenant) with plan and bill, numbered next in the tenant's sequence, and
// records billing.invoice_issue in the same transaction. When the month
// has an invoice already (one that no credit note cancels), it returns
// that one and created false: issuing is idempotent.
func (d *DB) IssueInvoice(ctx context.Context, m billing.Month, userID string, plan billing.Plan, bill billing.Bill, now time.Time) (*store.Invoice, bool, error) {
	inv := &store.Invoice{TenantID: d.tenantID, Kind: store.KindInvoice, UserID: userID, Month: m, IssuedAt: now.UTC(),
		IssuedBy: d.actor.UserID, Plan: plan, Bill: bill}
	ev := audit.Event{Action: "billing.invoice_issue", ResourceType: "invoice"}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		last, err := store.LockInvoiceSequence(ctx, tx, d.tenantID, store.KindInvoice)
		if err != nil {
			return err
		}
		if old, err := store.FindInvoice(ctx, tx, d.tenantID, userID, m); err == nil {
			return &existingInvoice{old}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := store.InsertInvoice(ctx, tx, inv, last); err != nil {
			return err
		}
		ev.ResourceID, ev.Details = inv.ID, invoiceDetails(inv)
		return nil
	})
	var ex *existingInvoice
	if errors.As(err, &ex) {
		return ex.inv, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return inv, true, nil
}

func invoiceDetails(inv *store.Invoice) map[string]any {
	det := map[string]any{"number": inv.Number, "kind": inv.Kind, "month": inv.Month.String(),
		"total": inv.Bill.Total.String(), "currency": inv.Bill.Currency, "lines": len(inv.Bill.Lines)}
	if inv.UserID != "" {
		det["user_id"] = inv.UserID
	}
	if inv.RefersTo != "" {
		det["refers_to"] = inv.RefersTo
	}
	return det
}

// ErrNotCreditable refuses a credit note of a credit note.
var ErrNotCreditable = errors.New("only an invoice can be credited")

// CreditInvoice issues the credit note that cancels invoice id in full,
// numbered next in the tenant's credit note sequence, recording
// billing.credit_note_issue in the same transaction. An invoice has at
// most one credit note (store.ErrAlreadyCredited); once credited, its
// month can be invoiced again.
func (d *DB) CreditInvoice(ctx context.Context, id, reason string, now time.Time) (*store.Invoice, error) {
	var cn *store.Invoice
	ev := audit.Event{Action: "billing.credit_note_issue", ResourceType: "invoice"}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		last, err := store.LockInvoiceSequence(ctx, tx, d.tenantID, store.KindCreditNote)
		if err != nil {
			return err
		}
		inv, err := store.GetInvoice(ctx, tx, d.tenantID, id)
		switch {
		case err != nil:
			return err
		case inv.Kind != store.KindInvoice:
			return ErrNotCreditable
		case inv.CreditedBy != "":
			return store.ErrAlreadyCredited
		}
		cn = &store.Invoice{TenantID: d.tenantID, Kind: store.KindCreditNote, UserID: inv.UserID, RefersTo: inv.ID,
			Month: inv.Month, IssuedAt: now.UTC(), IssuedBy: d.actor.UserID, Reason: reason, Plan: inv.Plan, Bill: inv.Bill.Credit()}
		if err := store.InsertInvoice(ctx, tx, cn, last); err != nil {
			return err
		}
		ev.ResourceID, ev.Details = cn.ID, invoiceDetails(cn)
		ev.Details["invoice_number"] = inv.Number
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cn, nil
}

// RecordExport records billing.export: who exported which period, how.
func (d *DB) RecordExport(ctx context.Context, s store.UsageScope, groupBy string) error {
	return d.Record(ctx, audit.Event{Action: "billing.export", ResourceType: "usage_logs", ResourceID: d.tenantID,
		Details: map[string]any{"format": "csv", "group_by": groupBy,
			"from": s.From.UTC().Format(time.RFC3339), "to": s.To.UTC().Format(time.RFC3339)}})
}
