package server

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/aigw/aigw/internal/billing"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

// Billing: the tenant's pricing plan, the month's summary and one user's
// month. Invoices are in billing_invoices.go, the CSV export in
// billing_export.go, the forecast in billing_forecast.go. Amounts are
// plain decimals in JSON strings, exact; a user is active in a month when
// a request was made with their key in it or they signed in to the admin
// API in it (UTC months).

func init() {
	addRoutes(
		Route{Method: "GET", Path: "/billing/plan", Perm: PermBillingRead, Handle: getBillingPlan,
			Doc: Doc{Tag: "billing", Summary: "The tenant's pricing plan (the default plan when none is set)", Response: BillingPlan{}}},
		Route{Method: "PUT", Path: "/billing/plan", Perm: PermBillingWrite, Handle: putBillingPlan,
			Doc: Doc{Tag: "billing", Summary: "Set the tenant's pricing plan",
				Description: "Applies to invoices issued from now on; issued invoices keep the plan they were built with.",
				Request:     billing.PlanInput{}, Response: BillingPlan{}}},
		Route{Method: "GET", Path: "/billing/summary", Perm: PermBillingRead, Handle: getBillingSummary,
			Doc: Doc{Tag: "billing", Summary: "A month's bill so far: active users, seat fees, token cost by model and provider, total",
				Description: "With the same figures for the month before and the same month a year before. Token costs are as usage_logs recorded them (USD); charges apply the plan's adjustments and currency.",
				Query:       monthQuery{}, Response: BillingSummary{}}},
		Route{Method: "GET", Path: "/billing/user/{user_id}", Perm: PermBillingRead, Handle: getBillingUser,
			Doc: Doc{Tag: "billing", Summary: "One user's month: requests, tokens and cost by model and by day",
				Query: monthQuery{}, Response: UserBilling{}, Errors: []int{404}}},
	)
}

type monthQuery struct {
	Month string `query:"month" doc:"YYYY-MM (UTC); default the current month"`
}

// month parses q.Month, defaulting to now's month.
func (q monthQuery) month(now time.Time) (billing.Month, error) {
	if q.Month == "" {
		return billing.MonthOf(now), nil
	}
	m, err := billing.ParseMonth(q.Month)
	if err != nil {
		return m, badField("month", "want YYYY-MM, such as 2026-11")
	}
	return m, nil
}

// BillingPlan is the tenant's pricing plan.
type BillingPlan struct {
	Currency    string           `json:"currency" doc:"ISO 4217 code of invoices"`
	USDRate     string           `json:"usd_rate" format:"decimal" doc:"units of currency per US dollar of token cost"`
	SeatFee     string           `json:"seat_fee" format:"decimal" doc:"fee per active user per month, in the currency"`
	Adjustments []PlanAdjustment `json:"adjustments"`
	Default     bool             `json:"default" doc:"true when the tenant has not set a plan"`
	UpdatedAt   *time.Time       `json:"updated_at"`
}

// PlanAdjustment is a markup or discount on one model's or provider's token cost.
type PlanAdjustment struct {
	Model    string `json:"model,omitempty"`
	Provider string `json:"provider,omitempty"`
	Percent  string `json:"percent" format:"decimal" doc:"positive: markup, negative: discount"`
}

func planView(p *store.PlanRow) BillingPlan {
	out := BillingPlan{Currency: p.Currency, USDRate: p.USDRate.String(), SeatFee: p.SeatFee.String(),
		Adjustments: []PlanAdjustment{}, Default: !p.Stored}
	for _, a := range p.Adjustments {
		out.Adjustments = append(out.Adjustments, PlanAdjustment{Model: a.Model, Provider: a.Provider, Percent: a.Percent.String()})
	}
	if p.Stored {
		out.UpdatedAt = timeOrNil(p.UpdatedAt)
	}
	return out
}

func getBillingPlan(c *Call) error {
	if err := c.Query(&struct{}{}); err != nil {
		return err
	}
	p, err := c.Store().BillingPlan(c.R.Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, planView(p))
}

func putBillingPlan(c *Call) error {
	var in billing.PlanInput
	if err := c.Decode(&in); err != nil {
		return err
	}
	plan, err := in.Plan()
	if err != nil {
		return fieldErr(err)
	}
	if err := c.Store().SetBillingPlan(c.R.Context(), plan); err != nil {
		return err
	}
	return getBillingPlan(c)
}

// fieldErr turns billing's input errors into 400s naming the field.
func fieldErr(err error) error {
	if fe, ok := err.(*billing.FieldError); ok {
		return badField(fe.Field, "%s", fe.Reason)
	}
	return err
}

// modelRates are the catalog's prices, which a usage row's recorded cost
// is checked against before it is split into input and output.
func (s *Server) modelRates() []store.ModelRate {
	var out []store.ModelRate
	for _, m := range s.res.catalog.Models() {
		out = append(out, store.ModelRate{Model: m.ID, Input: int64(m.InputRate), Cached: int64(m.CachedInputRate), Output: int64(m.OutputRate)})
	}
	return out
}

// BillingSummary is a month's bill so far.
type BillingSummary struct {
	MonthTotals
	SeatFee    string          `json:"seat_fee" format:"decimal" doc:"the plan's fee per active user"`
	ByModel    []ModelCost     `json:"by_model"`
	ByProvider []ProviderCost  `json:"by_provider"`
	Compare    SummaryCompared `json:"comparison"`
}

// SummaryCompared holds the months a summary is compared with.
type SummaryCompared struct {
	LastMonth MonthTotals `json:"last_month"`
	LastYear  MonthTotals `json:"last_year" doc:"the same month a year before"`
}

// MonthTotals are a month's headline figures under the current plan.
type MonthTotals struct {
	Month        string `json:"month" doc:"YYYY-MM"`
	Currency     string `json:"currency"`
	ActiveUsers  int64  `json:"active_users" doc:"users with a request or an admin sign-in in the month"`
	Requests     int64  `json:"requests"`
	SeatFees     string `json:"seat_fees" format:"decimal" doc:"active_users × seat_fee"`
	TokenCostUSD string `json:"token_cost_usd" format:"decimal" doc:"recorded token cost in US dollars (usage_logs), exact"`
	TokenCharges string `json:"token_charges" format:"decimal" doc:"token cost with the plan's adjustments, in the currency, exact"`
	Total        string `json:"total" format:"decimal" doc:"seat_fees + token_charges, exact (an invoice rounds it)"`
}

// ModelCost is one model's usage and cost.
type ModelCost struct {
	Model            string `json:"model"`
	Provider         string `json:"provider"`
	Requests         int64  `json:"requests"`
	PromptTokens     int64  `json:"prompt_tokens" doc:"cached tokens included"`
	CachedTokens     int64  `json:"cached_tokens" doc:"prompt tokens billed at the cached rate"`
	CompletionTokens int64  `json:"completion_tokens"`
	CostUSD          string `json:"cost_usd" format:"decimal"`
	Charge           string `json:"charge" format:"decimal" doc:"cost_usd with the plan's adjustment, in the currency"`
}

// ProviderCost is one provider's usage and cost.
type ProviderCost struct {
	Provider         string `json:"provider"`
	Requests         int64  `json:"requests"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
	CostUSD          string `json:"cost_usd" format:"decimal"`
	Charge           string `json:"charge" format:"decimal"`
}

// monthBill is what a month's summary and invoice are made of.
type monthBill struct {
	month  billing.Month
	plan   billing.Plan
	usage  []billing.ModelUsage
	active int64
}

func (s *Server) loadMonth(ctx context.Context, db *tenantdb.DB, plan billing.Plan, m billing.Month, userID string) (*monthBill, error) {
	usage, err := db.UsageByModel(ctx, db.Usage(m.Start(), m.End(), userID), s.modelRates())
	if err != nil {
		return nil, err
	}
	mb := &monthBill{month: m, plan: plan, usage: usage}
	if userID == "" {
		mb.active, err = db.ActiveUsers(ctx, m)
	} else {
		var ok bool
		if ok, err = db.UserActive(ctx, userID, m); ok {
			mb.active = 1
		}
	}
	return mb, err
}

func (mb *monthBill) totals() MonthTotals {
	t := MonthTotals{Month: mb.month.String(), Currency: mb.plan.Currency, ActiveUsers: mb.active}
	cost, charges := billing.Zero, billing.Zero
	for _, u := range mb.usage {
		t.Requests += u.Requests
		cost = cost.Add(u.Cost)
		charges = charges.Add(u.Cost.Mul(mb.plan.Factor(u.Model, u.Provider)))
	}
	seats := mb.plan.SeatFee.MulInt(mb.active)
	t.SeatFees, t.TokenCostUSD, t.TokenCharges, t.Total = seats.String(), cost.String(), charges.String(), seats.Add(charges).String()
	return t
}

func (mb *monthBill) byModel() []ModelCost {
	out := []ModelCost{}
	for _, u := range mb.usage {
		out = append(out, ModelCost{Model: u.Model, Provider: u.Provider, Requests: u.Requests, PromptTokens: u.PromptTokens(),
			CachedTokens: u.CachedTokens, CompletionTokens: u.CompletionTokens(), CostUSD: u.Cost.String(),
			Charge: u.Cost.Mul(mb.plan.Factor(u.Model, u.Provider)).String()})
	}
	return out
}

func (mb *monthBill) byProvider() []ProviderCost {
	type acc struct {
		ProviderCost
		cost, charge billing.Dec
	}
	m := map[string]*acc{}
	for _, u := range mb.usage {
		a := m[u.Provider]
		if a == nil {
			a = &acc{ProviderCost: ProviderCost{Provider: u.Provider}}
			m[u.Provider] = a
		}
		a.Requests += u.Requests
		a.PromptTokens += u.PromptTokens()
		a.CompletionTokens += u.CompletionTokens()
		a.cost, a.charge = a.cost.Add(u.Cost), a.charge.Add(u.Cost.Mul(mb.plan.Factor(u.Model, u.Provider)))
	}
	out := []ProviderCost{}
	for _, a := range m {
		a.CostUSD, a.Charge = a.cost.String(), a.charge.String()
		out = append(out, a.ProviderCost)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Provider < out[j].Provider })
	return out
}

func getBillingSummary(c *Call) error {
	var q monthQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	m, err := q.month(c.srv.now())
	if err != nil {
		return err
	}
	ctx, db := c.R.Context(), c.Store()
	plan, err := db.BillingPlan(ctx)
	if err != nil {
		return err
	}
	var bills [3]*monthBill
	for i, mm := range []billing.Month{m, m.Add(-1), m.Add(-12)} {
		if bills[i], err = c.srv.loadMonth(ctx, db, plan.Plan, mm, ""); err != nil {
			return err
		}
	}
	cur := bills[0]
	return c.JSON(http.StatusOK, BillingSummary{MonthTotals: cur.totals(), SeatFee: plan.SeatFee.String(),
		ByModel: cur.byModel(), ByProvider: cur.byProvider(),
		Compare: SummaryCompared{LastMonth: bills[1].totals(), LastYear: bills[2].totals()}})
}

// UserBilling is one user's month.
type UserBilling struct {
	MonthTotals
	User    BilledUser  `json:"user"`
	Active  bool        `json:"active" doc:"the user is billed a seat this month"`
	ByModel []ModelCost `json:"by_model"`
	ByDay   []DayCost   `json:"by_day" doc:"UTC days with usage"`
}

// BilledUser names a billed user.
type BilledUser struct {
	ID    string `json:"id" format:"uuid"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// DayCost is one day's usage.
type DayCost struct {
	Date             string `json:"date" format:"date"`
	Requests         int64  `json:"requests"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
	CostUSD          string `json:"cost_usd" format:"decimal"`
}

func getBillingUser(c *Call) error {
	id, err := c.ID("user_id")
	if err != nil {
		return err
	}
	var q monthQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	m, err := q.month(c.srv.now())
	if err != nil {
		return err
	}
	ctx, db := c.R.Context(), c.Store()
	u, err := db.GetUser(ctx, id)
	if err != nil {
		return err
	}
	plan, err := db.BillingPlan(ctx)
	if err != nil {
		return err
	}
	mb, err := c.srv.loadMonth(ctx, db, plan.Plan, m, id)
	if err != nil {
		return err
	}
	days, err := db.UsageByDay(ctx, db.Usage(m.Start(), m.End(), id))
	if err != nil {
		return err
	}
	out := UserBilling{MonthTotals: mb.totals(), User: BilledUser{ID: u.ID, Email: u.Email, Name: u.DisplayName},
		Active: mb.active == 1, ByModel: mb.byModel(), ByDay: []DayCost{}}
	for _, d := range days {
		out.ByDay = append(out.ByDay, DayCost{Date: d.Day.Format(time.DateOnly), Requests: d.Requests,
			PromptTokens: d.PromptTokens, CompletionTokens: d.CompletionTokens, CostUSD: d.Cost.String()})
	}
	return c.JSON(http.StatusOK, out)
}
