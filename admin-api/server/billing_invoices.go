package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/aigw/aigw/internal/billing"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	addRoutes(
		Route{Method: "POST", Path: "/billing/invoice", Perm: PermBillingIssue, Handle: issueInvoice,
			Doc: Doc{Tag: "billing", Summary: "Issue the invoice of a finished month, for the tenant or one user",
				Description: "201 with the new invoice, numbered next in the tenant's sequence (INV-000001, INV-000002 ... without gaps). " +
					"When the month (for that user, or for the tenant) has an invoice already that no credit note cancels, 200 with that invoice: issuing is idempotent. " +
					"Lines: input, cached input and output tokens per model, usage at other prices per model, seats, and a rounding line when the rounded lines do not add up to the rounded total. " +
					"Issued invoices never change; correct one with a credit note.",
				Request: invoiceRequest{}, Response: InvoiceView{}, Status: http.StatusCreated, Errors: []int{404, 422}}},
		Route{Method: "GET", Path: "/billing/invoices", Perm: PermBillingRead, Handle: listInvoices,
			Doc: Doc{Tag: "billing", Summary: "Invoices and credit notes, newest first", Query: invoiceListQuery{}, Response: List[InvoiceView]{}}},
		Route{Method: "GET", Path: "/billing/invoices/{invoice_id}", Perm: PermBillingRead, Handle: getInvoice,
			Doc: Doc{Tag: "billing", Summary: "One invoice or credit note", Response: InvoiceView{}, Errors: []int{404}}},
		Route{Method: "POST", Path: "/billing/invoices/{invoice_id}/credit-note", Perm: PermBillingWrite, Handle: creditInvoice,
			Doc: Doc{Tag: "billing", Summary: "Cancel an invoice with a credit note",
				Description: "The credit note (CN-000001 ...) negates every line of the invoice and refers to it; the month can then be invoiced again. An invoice has at most one credit note (409).",
				Request:     creditRequest{}, Response: InvoiceView{}, Status: http.StatusCreated, Errors: []int{404, 409, 422}}},
	)
}

type invoiceRequest struct {
	Month  string `json:"month" required:"true" doc:"YYYY-MM (UTC); the month must be over"`
	UserID string `json:"user_id,omitempty" format:"uuid" doc:"bill one user (their seat and usage); omit for the whole tenant"`
}

type creditRequest struct {
	Reason string `json:"reason" required:"true" doc:"why the invoice is cancelled, 1 to 500 characters"`
}

type invoiceListQuery struct {
	PageQuery
	Month  string `query:"month" doc:"YYYY-MM: only this period"`
	Kind   string `query:"kind" enum:"invoice,credit_note" doc:"only invoices or only credit notes"`
	UserID string `query:"user_id" doc:"only this user's"`
}

// InvoiceView is an invoice or credit note.
type InvoiceView struct {
	ID              string      `json:"id" format:"uuid"`
	Number          string      `json:"number" doc:"INV-000042 or CN-000003: sequential per tenant and kind, without gaps"`
	Kind            string      `json:"kind" enum:"invoice,credit_note"`
	Status          string      `json:"status" enum:"issued"`
	UserID          *string     `json:"user_id" format:"uuid" doc:"the user billed; null for the whole tenant"`
	RefersTo        *string     `json:"refers_to" format:"uuid" doc:"a credit note's invoice"`
	CreditedBy      *string     `json:"credited_by" format:"uuid" doc:"the credit note that cancels this invoice"`
	Period          Period      `json:"period"`
	IssuedAt        time.Time   `json:"issued_at"`
	Reason          string      `json:"reason,omitempty"`
	Currency        string      `json:"currency"`
	LineItems       []LineItem  `json:"line_items"`
	Subtotal        string      `json:"subtotal" format:"decimal" doc:"sum of the lines' amounts"`
	Tax             string      `json:"tax" format:"decimal"`
	Total           string      `json:"total" format:"decimal" doc:"subtotal + tax: exact_total rounded half to even"`
	ExactTotal      string      `json:"exact_total" format:"decimal" doc:"sum of the lines' exact amounts"`
	RoundingResidue string      `json:"rounding_residue" format:"decimal" doc:"total − exact_total"`
	ActiveUsers     int64       `json:"active_users" doc:"seats billed"`
	TokenCostUSD    string      `json:"token_cost_usd" format:"decimal" doc:"recorded token cost covered, in US dollars"`
	Plan            BillingPlan `json:"plan" doc:"the plan the invoice was built with"`
}

// Period is a billing month.
type Period struct {
	Month string `json:"month" doc:"YYYY-MM"`
	Start string `json:"start" format:"date" doc:"first day"`
	End   string `json:"end" format:"date" doc:"last day (inclusive)"`
}

// LineItem is one invoice line.
type LineItem struct {
	Description string `json:"description"`
	Quantity    string `json:"quantity" format:"decimal"`
	Unit        string `json:"unit" doc:"1M tokens, user-month, lot (usage at other prices) or adjustment"`
	UnitPrice   string `json:"unit_price" format:"decimal" doc:"in the invoice's currency, exact"`
	Amount      string `json:"amount" format:"decimal" doc:"quantity × unit_price rounded half to even to the currency's minor unit"`
	ExactAmount string `json:"exact_amount" format:"decimal" doc:"quantity × unit_price"`
	Kind        string `json:"kind" enum:"input,cached_input,output,other_prices,seats,rounding"`
	Model       string `json:"model,omitempty"`
	Provider    string `json:"provider,omitempty"`
}

func invoiceView(inv *store.Invoice) InvoiceView {
	b, minor := inv.Bill, inv.Plan.MinorUnits()
	v := InvoiceView{ID: inv.ID, Number: inv.Number, Kind: inv.Kind, Status: inv.Status, UserID: strOrNil(inv.UserID),
		RefersTo: strOrNil(inv.RefersTo), CreditedBy: strOrNil(inv.CreditedBy), IssuedAt: inv.IssuedAt.UTC(), Reason: inv.Reason,
		Period: Period{Month: inv.Month.String(), Start: inv.Month.Start().Format(time.DateOnly),
			End: inv.Month.End().AddDate(0, 0, -1).Format(time.DateOnly)},
		Currency: b.Currency, LineItems: []LineItem{}, Subtotal: b.Subtotal.Fixed(minor), Tax: billing.Zero.Fixed(minor),
		Total: b.Total.Fixed(minor), ExactTotal: b.ExactTotal.String(), RoundingResidue: b.RoundingResidue.String(),
		ActiveUsers: b.ActiveUsers, TokenCostUSD: b.TokenCostUSD.String(), Plan: planView(&store.PlanRow{Plan: inv.Plan, Stored: true})}
	v.Plan.UpdatedAt, v.Plan.Default = nil, false
	for _, l := range b.Lines {
		v.LineItems = append(v.LineItems, LineItem{Description: l.Description, Quantity: l.Quantity.String(), Unit: l.Unit,
			UnitPrice: l.UnitPrice.String(), Amount: l.Amount.Fixed(minor), ExactAmount: l.ExactAmount.String(), Kind: l.Kind,
			Model: l.Model, Provider: l.Provider})
	}
	return v
}

func issueInvoice(c *Call) error {
	var req invoiceRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	m, err := billing.ParseMonth(req.Month)
	if err != nil {
		return badField("month", "want YYYY-MM, such as 2026-10")
	}
	now := c.srv.now()
	if m.End().After(now) {
		return unprocessable("month", "%s is not over yet; a month is invoiced once it has ended (UTC)", m)
	}
	ctx, db := c.R.Context(), c.Store()
	if req.UserID != "" {
		if !store.ValidUUID(req.UserID) {
			return badField("user_id", "want a UUID")
		}
		req.UserID = strings.ToLower(req.UserID)
		if _, err := db.GetUser(ctx, req.UserID); err != nil {
			return err
		}
	}
	// Answer an existing invoice without building a new one; IssueInvoice
	// checks again under the tenant's numbering lock.
	if inv, err := db.CurrentInvoice(ctx, req.UserID, m); err == nil {
		return c.JSON(http.StatusOK, invoiceView(inv))
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	plan, err := db.BillingPlan(ctx)
	if err != nil {
		return err
	}
	mb, err := c.srv.loadMonth(ctx, db, plan.Plan, m, req.UserID)
	if err != nil {
		return err
	}
	inv, created, err := db.IssueInvoice(ctx, m, req.UserID, plan.Plan, billing.Build(plan.Plan, mb.usage, mb.active), now)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, invoiceView(inv))
}

func listInvoices(c *Call) error {
	var q invoiceListQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	pg, err := q.page()
	if err != nil {
		return err
	}
	f := store.InvoiceFilter{Kind: q.Kind, Limit: pg.Limit, Offset: pg.Offset}
	if q.Kind != "" && q.Kind != store.KindInvoice && q.Kind != store.KindCreditNote {
		return badField("kind", "want invoice or credit_note")
	}
	if q.Month != "" {
		m, err := billing.ParseMonth(q.Month)
		if err != nil {
			return badField("month", "want YYYY-MM")
		}
		f.Month = &m
	}
	if q.UserID != "" {
		if !store.ValidUUID(q.UserID) {
			return badField("user_id", "want a UUID")
		}
		f.UserID = strings.ToLower(q.UserID)
	}
	invs, total, err := c.Store().Invoices(c.R.Context(), f)
	if err != nil {
		return err
	}
	out := List[InvoiceView]{Data: []InvoiceView{}, Total: total}
	for i := range invs {
		out.Data = append(out.Data, invoiceView(&invs[i]))
	}
	return c.JSON(http.StatusOK, out)
}

func getInvoice(c *Call) error {
	id, err := c.ID("invoice_id")
	if err != nil {
		return err
	}
	inv, err := c.Store().Invoice(c.R.Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, invoiceView(inv))
}

func creditInvoice(c *Call) error {
	id, err := c.ID("invoice_id")
	if err != nil {
		return err
	}
	var req creditRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	if err := tenantdb.CheckName("reason", req.Reason, 500); err != nil {
		return err
	}
	cn, err := c.Store().CreditInvoice(c.R.Context(), id, req.Reason, c.srv.now())
	if errors.Is(err, tenantdb.ErrNotCreditable) {
		return unprocessable("", "a credit note cannot be credited; only an invoice can")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, invoiceView(cn))
}
