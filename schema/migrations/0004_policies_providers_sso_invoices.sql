-- Guardrail policies, provider credentials, SSO configuration and invoices.

CREATE TABLE policies (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- The guardrails.yaml template this policy extends (bfsi-strict, ...).
    template        text NOT NULL,
    -- Per-detector overrides: {"pii.ssn": {"action": "block", "threshold": 0.5}, ...}.
    rules           jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Tenant-defined confidential terms (code names, client names).
    terms           text[] NOT NULL DEFAULT '{}',
    shadow          boolean NOT NULL DEFAULT false,
    is_active       boolean NOT NULL DEFAULT true,
    version         integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);
CREATE UNIQUE INDEX policies_one_active_per_tenant ON policies (tenant_id) WHERE is_active;

CREATE TABLE provider_configs (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- NULL for a gateway-wide provider; otherwise the tenant's own credentials.
    tenant_id           uuid REFERENCES tenants (id) ON DELETE CASCADE,
    provider            text NOT NULL,
    type                text NOT NULL CHECK (type IN ('openai', 'azure', 'anthropic', 'gemini', 'openai-compatible', 'mock')),
    base_url            text NOT NULL DEFAULT '',
    -- AES-256-GCM ciphertext of the provider key; the nonce is stored beside it.
    api_key_ciphertext  bytea,
    api_key_nonce       bytea,
    -- Which encryption key sealed the secret, for rotation.
    encryption_key_id   text NOT NULL DEFAULT '',
    settings            jsonb NOT NULL DEFAULT '{}'::jsonb,
    enabled             boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((api_key_ciphertext IS NULL) = (api_key_nonce IS NULL))
);
CREATE UNIQUE INDEX provider_configs_scope_key
    ON provider_configs (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), provider);

CREATE TABLE sso_configs (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    protocol                text NOT NULL DEFAULT 'oidc' CHECK (protocol IN ('oidc')),
    display_name            text NOT NULL DEFAULT '',
    issuer_url              text NOT NULL,
    client_id               text NOT NULL,
    client_secret_ciphertext bytea,
    client_secret_nonce     bytea,
    encryption_key_id       text NOT NULL DEFAULT '',
    scopes                  text[] NOT NULL DEFAULT '{openid,email,profile}',
    -- Only users whose e-mail domain is listed may sign in; empty means any.
    allowed_domains         text[] NOT NULL DEFAULT '{}',
    default_role            text NOT NULL DEFAULT 'viewer' CHECK (default_role IN ('admin', 'manager', 'user', 'viewer')),
    enabled                 boolean NOT NULL DEFAULT true,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, issuer_url),
    CHECK ((client_secret_ciphertext IS NULL) = (client_secret_nonce IS NULL))
);

CREATE TABLE invoices (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
    number          text NOT NULL UNIQUE,
    period_start    date NOT NULL,
    period_end      date NOT NULL CHECK (period_end > period_start),
    currency        char(3) NOT NULL DEFAULT 'USD',
    subtotal_usd    numeric(18, 6) NOT NULL CHECK (subtotal_usd >= 0),
    tax_usd         numeric(18, 6) NOT NULL DEFAULT 0 CHECK (tax_usd >= 0),
    total_usd       numeric(18, 6) NOT NULL CHECK (total_usd = subtotal_usd + tax_usd),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'paid', 'void')),
    -- [{"model": ..., "prompt_tokens": ..., "completion_tokens": ..., "amount_usd": "..."}]
    line_items      jsonb NOT NULL DEFAULT '[]'::jsonb,
    issued_at       timestamptz,
    due_at          timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, period_start)
);
CREATE INDEX invoices_tenant_period_idx ON invoices (tenant_id, period_start DESC);
