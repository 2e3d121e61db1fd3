-- Checkpoints anchor the head of each audit chain. Every append writes, in
-- its own transaction, one checkpoint per chain it extended: the chain's new
-- last seq and hash, and an HMAC-SHA256 of them under AIGW_AUDIT_KEY when
-- that key is set (a key the database never sees). The writer continues a
-- chain from the later of its last row and its last checkpoint, so deleting
-- the newest rows neither goes unnoticed by `aigw-admin audit verify` nor
-- frees their sequence numbers. Append-only, like audit_logs.

CREATE TABLE audit_checkpoints (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The chain: its tenant, or the zero UUID for the system chain.
    chain_id    uuid NOT NULL,
    seq         bigint NOT NULL CHECK (seq > 0),
    hash        bytea NOT NULL CHECK (length(hash) = 32),
    mac         bytea CHECK (mac IS NULL OR length(mac) = 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX audit_checkpoints_chain_seq ON audit_checkpoints (chain_id, seq);

CREATE FUNCTION aigw_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_checkpoints_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION aigw_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate
    BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION aigw_append_only();
