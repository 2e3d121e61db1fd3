-- Billing (#11): a pricing plan per tenant, the months in which each user
-- signed in (one half of "active user"; the other is a usage row), and
-- invoices that are per tenant or per user, numbered without gaps, immutable
-- once issued, corrected only by credit notes.

-- The tenant's pricing plan. A tenant without a row has the default plan:
-- USD, no seat fee, no adjustments.
CREATE TABLE billing_plans (
    tenant_id       uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    -- ISO 4217 code the tenant is invoiced in.
    currency        char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    -- Units of currency per US dollar, applied to token costs (recorded in
    -- USD); exactly 1 for USD.
    usd_rate        numeric(24, 10) NOT NULL DEFAULT 1 CHECK (usd_rate > 0),
    -- Fee per active user per month, in currency.
    seat_fee        numeric(20, 6) NOT NULL DEFAULT 0 CHECK (seat_fee >= 0),
    -- Markups (positive) and discounts (negative) on token cost:
    -- [{"model": "gpt-4o", "percent": "-10"}, {"provider": "anthropic", "percent": "5"}].
    adjustments     jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(adjustments) = 'array'),
    updated_by      uuid,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (currency <> 'USD' OR usd_rate = 1)
);

-- The months (UTC) in which a user signed in to the admin API, by password or
-- SSO. Written by a trigger on admin_sessions, so every sign-in path records
-- it; kept when the user or the session is deleted, since a past month's
-- bill must not change.
CREATE TABLE user_activity_months (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    month           date NOT NULL CHECK (extract(day FROM month) = 1),
    user_id         uuid NOT NULL,
    first_login_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, month, user_id)
);

CREATE FUNCTION aigw_record_login_month() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_activity_months (tenant_id, month, user_id, first_login_at)
    VALUES (NEW.tenant_id, date_trunc('month', NEW.created_at AT TIME ZONE 'UTC')::date, NEW.user_id, NEW.created_at)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER admin_sessions_activity AFTER INSERT ON admin_sessions
    FOR EACH ROW EXECUTE FUNCTION aigw_record_login_month();

INSERT INTO user_activity_months (tenant_id, month, user_id, first_login_at)
SELECT tenant_id, date_trunc('month', created_at AT TIME ZONE 'UTC')::date, user_id, min(created_at)
FROM admin_sessions GROUP BY 1, 2, 3
ON CONFLICT DO NOTHING;

-- Invoices become per tenant or per user, with credit notes, sequence numbers
-- per tenant and kind, and amounts in the plan's currency.
ALTER TABLE invoices DROP CONSTRAINT invoices_tenant_id_period_start_key;
ALTER TABLE invoices DROP CONSTRAINT invoices_number_key;
ALTER TABLE invoices DROP CONSTRAINT invoices_subtotal_usd_check;
-- total_usd's check spans columns, so PostgreSQL named it by position.
DO $$
DECLARE
    c text;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'invoices'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%total_usd =%'
    LOOP
        EXECUTE format('ALTER TABLE invoices DROP CONSTRAINT %I', c);
    END LOOP;
END
$$;
ALTER TABLE invoices DROP CONSTRAINT invoices_tax_usd_check;
ALTER TABLE invoices RENAME COLUMN subtotal_usd TO subtotal;
ALTER TABLE invoices RENAME COLUMN tax_usd TO tax;
ALTER TABLE invoices RENAME COLUMN total_usd TO total;
ALTER TABLE invoices ALTER COLUMN subtotal TYPE numeric(20, 2);
ALTER TABLE invoices ALTER COLUMN tax TYPE numeric(20, 2);
ALTER TABLE invoices ALTER COLUMN total TYPE numeric(20, 2);
ALTER TABLE invoices
    -- 'invoice' or 'credit_note' (negative amounts, refers_to the invoice it corrects).
    ADD COLUMN kind text NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'credit_note')),
    -- 1, 2, 3 ... per tenant and kind, without gaps.
    ADD COLUMN seq bigint NOT NULL CHECK (seq > 0),
    -- NULL: the whole tenant; otherwise the one user billed.
    ADD COLUMN user_id uuid,
    ADD COLUMN refers_to uuid REFERENCES invoices (id) ON DELETE RESTRICT,
    -- Sum of the lines before rounding (exact), and total minus it.
    ADD COLUMN exact_total numeric NOT NULL,
    ADD COLUMN rounding_residue numeric NOT NULL,
    -- What the invoice covers: recorded token cost (USD) and seats.
    ADD COLUMN token_cost_usd numeric NOT NULL DEFAULT 0,
    ADD COLUMN active_users bigint NOT NULL DEFAULT 0,
    -- The plan the invoice was built with, as it was then.
    ADD COLUMN plan jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    ADD COLUMN issued_by uuid,
    ADD CONSTRAINT invoices_total_check CHECK (total = subtotal + tax),
    ADD CONSTRAINT invoices_sign_check CHECK (
        (kind = 'invoice' AND subtotal >= 0 AND tax >= 0 AND refers_to IS NULL) OR
        (kind = 'credit_note' AND subtotal <= 0 AND tax <= 0 AND refers_to IS NOT NULL)),
    ADD CONSTRAINT invoices_issued_check CHECK (status <> 'issued' OR issued_at IS NOT NULL);
ALTER TABLE invoices ALTER COLUMN status SET DEFAULT 'issued';
CREATE UNIQUE INDEX invoices_tenant_number_key ON invoices (tenant_id, number);
CREATE UNIQUE INDEX invoices_tenant_kind_seq_key ON invoices (tenant_id, kind, seq);
-- At most one credit note per invoice.
CREATE UNIQUE INDEX invoices_refers_to_key ON invoices (refers_to) WHERE refers_to IS NOT NULL;
CREATE INDEX invoices_tenant_period_subject_idx ON invoices (tenant_id, period_start, user_id);

-- The last number given per tenant and kind. Issuing locks the row, takes the
-- next number and inserts the invoice in one transaction: a rollback returns
-- the number, so numbers have no gaps, and the lock makes issuers of a tenant
-- take turns, so they have no duplicates.
CREATE TABLE invoice_sequences (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    last_seq        bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    PRIMARY KEY (tenant_id, kind)
);

-- An issued invoice or credit note never changes and is never removed; a new
-- one must take the next number of its tenant and kind.
CREATE FUNCTION aigw_invoice_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT coalesce(max(seq), 0) INTO last FROM invoices WHERE tenant_id = NEW.tenant_id AND kind = NEW.kind;
        IF NEW.seq <> last + 1 THEN
            RAISE EXCEPTION 'invoice number % of tenant % would leave a gap or repeat (last is %)', NEW.seq, NEW.tenant_id, last
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'TRUNCATE' OR OLD.status <> 'draft' THEN
        RAISE EXCEPTION 'invoices are immutable once issued; issue a credit note instead'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER invoices_guard BEFORE INSERT OR UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION aigw_invoice_guard();
CREATE TRIGGER invoices_guard_truncate BEFORE TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION aigw_invoice_guard();
