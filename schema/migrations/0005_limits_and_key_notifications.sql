-- Limits per tenant and user that 0001 lacked, and change notifications that
-- keep every gateway's key cache current: a revoked key, a suspended tenant or
-- user, changed limits reach every node within a second (LISTEN aigw_auth).

ALTER TABLE tenants ADD COLUMN max_concurrency integer CHECK (max_concurrency > 0);
ALTER TABLE users ADD COLUMN max_concurrency integer CHECK (max_concurrency > 0);

-- Payloads: 'key:<hex of key_hash>', 'tenant:<id>', 'user:<id>'. None is secret.
CREATE FUNCTION aigw_notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    IF TG_TABLE_NAME = 'api_keys' THEN
        IF TG_OP = 'DELETE' THEN
            payload := 'key:' || encode(OLD.key_hash, 'hex');
        ELSE
            payload := 'key:' || encode(NEW.key_hash, 'hex');
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        payload := rtrim(TG_TABLE_NAME, 's') || ':' || OLD.id::text;
    ELSE
        payload := rtrim(TG_TABLE_NAME, 's') || ':' || NEW.id::text;
    END IF;
    PERFORM pg_notify('aigw_auth', payload);
    RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_notify_insert_delete AFTER INSERT OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION aigw_notify_auth_change();
-- last_used_at changes often and matters to no cache: it does not notify.
CREATE TRIGGER api_keys_notify_update AFTER UPDATE ON api_keys
    FOR EACH ROW WHEN ((OLD.revoked_at, OLD.expires_at, OLD.allowed_models, OLD.rpm_limit, OLD.tpm_limit,
                        OLD.max_concurrency, OLD.monthly_budget_usd, OLD.user_id, OLD.name)
                       IS DISTINCT FROM
                       (NEW.revoked_at, NEW.expires_at, NEW.allowed_models, NEW.rpm_limit, NEW.tpm_limit,
                        NEW.max_concurrency, NEW.monthly_budget_usd, NEW.user_id, NEW.name))
    EXECUTE FUNCTION aigw_notify_auth_change();
CREATE TRIGGER tenants_notify_delete AFTER DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION aigw_notify_auth_change();
CREATE TRIGGER tenants_notify_update AFTER UPDATE ON tenants
    FOR EACH ROW WHEN ((OLD.status, OLD.slug, OLD.rpm_limit, OLD.tpm_limit, OLD.max_concurrency, OLD.monthly_budget_usd)
                       IS DISTINCT FROM
                       (NEW.status, NEW.slug, NEW.rpm_limit, NEW.tpm_limit, NEW.max_concurrency, NEW.monthly_budget_usd))
    EXECUTE FUNCTION aigw_notify_auth_change();
CREATE TRIGGER users_notify_delete AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION aigw_notify_auth_change();
-- Sign-ins (last_login_at) do not notify.
CREATE TRIGGER users_notify_update AFTER UPDATE ON users
    FOR EACH ROW WHEN ((OLD.status, OLD.rpm_limit, OLD.tpm_limit, OLD.max_concurrency, OLD.monthly_budget_usd)
                       IS DISTINCT FROM
                       (NEW.status, NEW.rpm_limit, NEW.tpm_limit, NEW.max_concurrency, NEW.monthly_budget_usd))
    EXECUTE FUNCTION aigw_notify_auth_change();
