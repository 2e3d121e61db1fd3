-- Usage rollups for the admin API's dashboard: per tenant, per hour and per
-- day (UTC), one row per value of each dimension (the tenant's total, each
-- model, provider, user, key and latency bucket), kept by a statement
-- trigger on usage_logs from the rows each COPY or INSERT actually added (a
-- replay's duplicates add nothing). A month's dashboard reads whole days,
-- whole hours at its ends and only the partial hours from usage_logs: some
-- ten thousand rows instead of a million. No constraint here can fail, so
-- the trigger never refuses a usage row.
CREATE TABLE usage_rollups (
    tenant_id           uuid NOT NULL,
    -- h: an hour, d: a day (UTC).
    grain               "char" NOT NULL,
    -- total, model, provider, user, key or latency.
    dim                 text NOT NULL,
    -- The hour's or day's start.
    start               timestamptz NOT NULL,
    -- The model id, provider, user or key id ('' for none), or the latency
    -- bucket: floor(ln(latency_ms) / ln(1.1)), so a bucket spans 10%.
    value               text NOT NULL,
    requests            bigint NOT NULL DEFAULT 0,
    prompt_tokens       bigint NOT NULL DEFAULT 0,
    completion_tokens   bigint NOT NULL DEFAULT 0,
    cached_tokens       bigint NOT NULL DEFAULT 0,
    cost_usd            numeric NOT NULL DEFAULT 0,
    -- Answers with status 400 or above, and requests a guardrail blocked.
    errors              bigint NOT NULL DEFAULT 0,
    guardrail_blocks    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, grain, dim, start, value)
);

CREATE FUNCTION aigw_latency_bucket(ms integer) RETURNS integer LANGUAGE sql IMMUTABLE AS
$$ SELECT floor(ln(greatest(ms, 1)) / ln(1.1))::integer $$;

-- aigw_usage_rollup adds the rows a statement inserted to usage_rollups:
-- each row counts once per grain and dimension.
CREATE FUNCTION aigw_usage_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH hourly AS (
        SELECT n.tenant_id, date_trunc('hour', n.created_at, 'UTC') AS start, d.dim, d.value, count(*) AS requests,
               sum(n.prompt_tokens) AS prompt_tokens, sum(n.completion_tokens) AS completion_tokens,
               sum(n.cached_tokens) AS cached_tokens, sum(n.cost_usd) AS cost_usd,
               count(*) FILTER (WHERE n.status >= 400) AS errors,
               count(*) FILTER (WHERE n.guardrail_action = 'block') AS guardrail_blocks
        FROM new_rows n
        CROSS JOIN LATERAL (VALUES ('total', ''), ('model', n.model), ('provider', n.provider),
            ('user', coalesce(n.user_id::text, '')), ('key', coalesce(n.api_key_id::text, '')),
            ('latency', aigw_latency_bucket(n.latency_ms)::text)) AS d (dim, value)
        GROUP BY 1, 2, 3, 4
    ), both_grains AS (
        SELECT tenant_id, 'h'::"char" AS grain, dim, start, value, requests, prompt_tokens, completion_tokens,
               cached_tokens, cost_usd, errors, guardrail_blocks
        FROM hourly
        UNION ALL
        SELECT tenant_id, 'd', dim, date_trunc('day', start, 'UTC'), value, sum(requests), sum(prompt_tokens),
               sum(completion_tokens), sum(cached_tokens), sum(cost_usd), sum(errors), sum(guardrail_blocks)
        FROM hourly GROUP BY 1, 3, 4, 5
    )
    INSERT INTO usage_rollups AS r (tenant_id, grain, dim, start, value, requests, prompt_tokens, completion_tokens,
                                    cached_tokens, cost_usd, errors, guardrail_blocks)
    SELECT * FROM both_grains
    -- One order for every writer, so that concurrent batches lock rows in
    -- the same order and cannot deadlock.
    ORDER BY tenant_id, grain, dim, start, value
    ON CONFLICT (tenant_id, grain, dim, start, value) DO UPDATE SET
        requests = r.requests + EXCLUDED.requests,
        prompt_tokens = r.prompt_tokens + EXCLUDED.prompt_tokens,
        completion_tokens = r.completion_tokens + EXCLUDED.completion_tokens,
        cached_tokens = r.cached_tokens + EXCLUDED.cached_tokens,
        cost_usd = r.cost_usd + EXCLUDED.cost_usd,
        errors = r.errors + EXCLUDED.errors,
        guardrail_blocks = r.guardrail_blocks + EXCLUDED.guardrail_blocks;
    RETURN NULL;
END
$$;

CREATE TRIGGER usage_logs_rollup AFTER INSERT ON usage_logs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aigw_usage_rollup();

-- Rows stored before this migration.
INSERT INTO usage_rollups (tenant_id, grain, dim, start, value, requests, prompt_tokens, completion_tokens,
                           cached_tokens, cost_usd, errors, guardrail_blocks)
SELECT n.tenant_id, g.grain, d.dim, date_trunc(g.unit, n.created_at, 'UTC'), d.value, count(*),
       sum(n.prompt_tokens), sum(n.completion_tokens), sum(n.cached_tokens), sum(n.cost_usd),
       count(*) FILTER (WHERE n.status >= 400), count(*) FILTER (WHERE n.guardrail_action = 'block')
FROM usage_logs n
CROSS JOIN (VALUES ('h'::"char", 'hour'), ('d'::"char", 'day')) AS g (grain, unit)
CROSS JOIN LATERAL (VALUES ('total', ''), ('model', n.model), ('provider', n.provider),
    ('user', coalesce(n.user_id::text, '')), ('key', coalesce(n.api_key_id::text, '')),
    ('latency', aigw_latency_bucket(n.latency_ms)::text)) AS d (dim, value)
GROUP BY 1, 2, 3, 4, 5;
