-- Admin API sign-in: sessions (a token names one; logout or a password change
-- ends it at once) and the failed sign-ins that throttle guessing.

CREATE TABLE admin_sessions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL,
    -- How the user proved who they are.
    method          text NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'sso')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- Sliding idle timeout: a session unused for the server's idle time ends.
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    -- Absolute end, the token's exp.
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    FOREIGN KEY (user_id, tenant_id) REFERENCES users (id, tenant_id) ON DELETE CASCADE
);
CREATE INDEX admin_sessions_user_idx ON admin_sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX admin_sessions_expires_idx ON admin_sessions (expires_at);

-- One row per failed sign-in, per scope: 'account:<sha256 of the lower-case
-- e-mail>' and 'address:<client address>'. No e-mail is stored in clear.
CREATE TABLE login_failures (
    scope           text NOT NULL CHECK (length(scope) <= 200),
    failed_at       timestamptz NOT NULL
);
CREATE INDEX login_failures_scope_time_idx ON login_failures (scope, failed_at);

-- Sign-in finds a user by e-mail across tenants.
CREATE INDEX users_email_idx ON users (lower(email));
