-- One row per request that reached the gateway chain, allowed or refused.
-- Append-heavy, so partitioned by month; a default partition catches rows whose
-- month has no partition yet, so a late partition job never loses a row.

CREATE TABLE usage_logs (
    request_id              text NOT NULL,
    created_at              timestamptz NOT NULL,
    tenant_id               uuid NOT NULL,
    user_id                 uuid,
    api_key_id              uuid,
    endpoint                text NOT NULL,
    requested_model         text NOT NULL DEFAULT '',
    model                   text NOT NULL DEFAULT '',
    provider                text NOT NULL DEFAULT '',
    deployment              text NOT NULL DEFAULT '',
    -- Tokens as the provider reported them ...
    prompt_tokens           integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens       integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    cached_tokens           integer NOT NULL DEFAULT 0 CHECK (cached_tokens >= 0),
    -- ... and as the gateway estimated them before the call.
    est_prompt_tokens       integer NOT NULL DEFAULT 0 CHECK (est_prompt_tokens >= 0),
    est_completion_tokens   integer NOT NULL DEFAULT 0 CHECK (est_completion_tokens >= 0),
    -- Exact cost in US dollars (12 decimals: prices are per million tokens).
    cost_usd                numeric(20, 12) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    latency_ms              integer NOT NULL DEFAULT 0,
    ttft_ms                 integer,
    status                  smallint NOT NULL,
    error_code              text NOT NULL DEFAULT '',
    guardrail_action        text NOT NULL DEFAULT '',
    stream                  boolean NOT NULL DEFAULT false,
    attempts                smallint NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, created_at)
) PARTITION BY RANGE (created_at);

CREATE TABLE usage_logs_default PARTITION OF usage_logs DEFAULT;

CREATE INDEX usage_logs_tenant_time_idx ON usage_logs (tenant_id, created_at);
CREATE INDEX usage_logs_tenant_user_time_idx ON usage_logs (tenant_id, user_id, created_at);
CREATE INDEX usage_logs_key_time_idx ON usage_logs (api_key_id, created_at);
CREATE INDEX usage_logs_tenant_model_time_idx ON usage_logs (tenant_id, model, created_at);

-- aigw_ensure_usage_partitions creates the monthly partitions from the month of
-- start_month for the given number of months. Safe to call repeatedly.
-- A month whose rows already sit in the default partition is skipped (creating it
-- would fail); operators move such rows with a maintenance job.
CREATE FUNCTION aigw_ensure_usage_partitions(start_month date, months integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    m       date := date_trunc('month', start_month)::date;
    created integer := 0;
    name    text;
BEGIN
    FOR i IN 0 .. months - 1 LOOP
        name := format('usage_logs_%s', to_char(m, 'YYYY_MM'));
        IF to_regclass(name) IS NULL AND NOT EXISTS (
            SELECT 1 FROM usage_logs_default
            WHERE created_at >= m AND created_at < (m + interval '1 month')
        ) THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF usage_logs FOR VALUES FROM (%L) TO (%L)',
                name, m, (m + interval '1 month')::date);
            created := created + 1;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN created;
END;
$$;

SELECT aigw_ensure_usage_partitions((date_trunc('month', now()) - interval '1 month')::date, 15);
