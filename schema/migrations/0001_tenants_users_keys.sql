-- Tenants, users and API keys: who may call the gateway and who administers it.

CREATE TABLE tenants (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                  text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status                text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    -- Limits and budget; NULL means "use the gateway default".
    rpm_limit             integer CHECK (rpm_limit > 0),
    tpm_limit             integer CHECK (tpm_limit > 0),
    monthly_budget_usd    numeric(18, 6) CHECK (monthly_budget_usd >= 0),
    settings              jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email                 text NOT NULL CHECK (position('@' in email) > 1),
    display_name          text NOT NULL DEFAULT '',
    role                  text NOT NULL CHECK (role IN ('admin', 'manager', 'user', 'viewer')),
    status                text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    -- NULL for users who only sign in through SSO.
    password_hash         text,
    sso_subject           text,
    rpm_limit             integer CHECK (rpm_limit > 0),
    tpm_limit             integer CHECK (tpm_limit > 0),
    monthly_budget_usd    numeric(18, 6) CHECK (monthly_budget_usd >= 0),
    last_login_at         timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    -- Lets child tables prove that a user belongs to the same tenant.
    UNIQUE (id, tenant_id)
);
CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, lower(email));
CREATE UNIQUE INDEX users_tenant_sso_subject_key ON users (tenant_id, sso_subject) WHERE sso_subject IS NOT NULL;
CREATE INDEX users_tenant_role_idx ON users (tenant_id, role);

CREATE TABLE api_keys (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id               uuid,
    name                  text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    -- SHA-256 of the whole key; the key itself is never stored.
    key_hash              bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    -- The first characters of the key, shown to administrators to tell keys apart.
    key_prefix            text NOT NULL CHECK (length(key_prefix) BETWEEN 8 AND 24),
    -- Glob patterns of model ids the key may use; empty means every model.
    allowed_models        text[] NOT NULL DEFAULT '{}',
    rpm_limit             integer CHECK (rpm_limit > 0),
    tpm_limit             integer CHECK (tpm_limit > 0),
    max_concurrency       integer CHECK (max_concurrency > 0),
    monthly_budget_usd    numeric(18, 6) CHECK (monthly_budget_usd >= 0),
    expires_at            timestamptz,
    revoked_at            timestamptz,
    last_used_at          timestamptz,
    created_by            uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (user_id, tenant_id) REFERENCES users (id, tenant_id) ON DELETE CASCADE
);
CREATE INDEX api_keys_tenant_created_idx ON api_keys (tenant_id, created_at DESC);
CREATE INDEX api_keys_user_idx ON api_keys (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX api_keys_prefix_idx ON api_keys (key_prefix);
