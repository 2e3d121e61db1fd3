-- The audit trail: append-only and hash-chained per tenant, so that a regulator can
-- read it and tampering is detectable. System events (no tenant) form their own chain.

CREATE TABLE audit_logs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       uuid REFERENCES tenants (id) ON DELETE RESTRICT,
    -- Position in the tenant's chain, from 1.
    seq             bigint NOT NULL CHECK (seq > 0),
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    actor_type      text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system')),
    actor_id        text NOT NULL DEFAULT '',
    action          text NOT NULL,
    resource_type   text NOT NULL DEFAULT '',
    resource_id     text NOT NULL DEFAULT '',
    outcome         text NOT NULL DEFAULT 'success' CHECK (outcome IN ('success', 'failure', 'denied')),
    severity        text NOT NULL DEFAULT 'info' CHECK (severity IN ('info', 'warning', 'critical')),
    -- Client address, already masked by the writer.
    client_ip       text NOT NULL DEFAULT '',
    request_id      text NOT NULL DEFAULT '',
    -- Sanitized details: never raw PII, keys or secrets.
    details         jsonb NOT NULL DEFAULT '{}'::jsonb,
    prev_hash       bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash            bytea NOT NULL CHECK (length(hash) = 32)
);
CREATE UNIQUE INDEX audit_logs_chain_key
    ON audit_logs (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), seq);
CREATE INDEX audit_logs_tenant_time_idx ON audit_logs (tenant_id, occurred_at DESC);
CREATE INDEX audit_logs_tenant_action_time_idx ON audit_logs (tenant_id, action, occurred_at DESC);
CREATE INDEX audit_logs_security_idx ON audit_logs (tenant_id, occurred_at DESC)
    WHERE severity <> 'info';

CREATE FUNCTION aigw_audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_logs_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION aigw_audit_logs_append_only();
CREATE TRIGGER audit_logs_no_truncate
    BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION aigw_audit_logs_append_only();
