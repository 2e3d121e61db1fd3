-- Single sign-on (OIDC with PKCE): one configuration per tenant, with the
-- claim that carries the user's groups, how groups map to roles, whether
-- roles follow the identity provider at every sign-in, and whether the
-- tenant's users may still sign in with a password. Users are linked to an
-- identity provider by issuer and subject.

ALTER TABLE sso_configs
    -- The ID token claim holding the user's groups or roles: a top-level
    -- claim name ("groups", "roles", "https://bank.example/roles") or a
    -- dotted path into nested objects ("realm_access.roles").
    ADD COLUMN role_claim   text NOT NULL DEFAULT 'groups' CHECK (length(role_claim) BETWEEN 1 AND 200),
    -- {"<group as the IdP names it>": "admin" | "manager" | "user" | "viewer"}.
    ADD COLUMN role_mapping jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(role_mapping) = 'object'),
    -- Set the role from the groups at every sign-in (else only when the
    -- user is created).
    ADD COLUMN sync_role    boolean NOT NULL DEFAULT true,
    -- Refuse password sign-in to the tenant's users.
    ADD COLUMN sso_only     boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT sso_configs_sso_only_needs_enabled CHECK (enabled OR NOT sso_only);

-- One configuration per tenant (the admin API's /sso/config is singular).
CREATE UNIQUE INDEX sso_configs_tenant_key ON sso_configs (tenant_id);
-- Sign-in pages find a tenant's provider from an e-mail's domain.
CREATE INDEX sso_configs_domains_idx ON sso_configs USING gin (allowed_domains) WHERE enabled;

-- A subject is unique within its issuer only: link users by both.
ALTER TABLE users ADD COLUMN sso_issuer text CHECK (length(sso_issuer) <= 2048);
DROP INDEX users_tenant_sso_subject_key;
CREATE UNIQUE INDEX users_tenant_sso_subject_key ON users (tenant_id, sso_issuer, sso_subject) WHERE sso_subject IS NOT NULL;
