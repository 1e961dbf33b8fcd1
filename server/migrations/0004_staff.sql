-- Staff accounts, sessions, the audit log, and invalidation of evaluations by upheld appeals.

CREATE TABLE account (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    -- argon2id PHC string; the password itself is never stored.
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('window_staff', 'handler', 'supervisor', 'admin')),
    department_id   INTEGER REFERENCES department (id),
    -- The TOTP secret of a supervisor or administrator (second factor), AEAD-encrypted.
    totp_secret_enc BLOB,
    -- Failed log-ins in a row, and the lock-out they caused.
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    created_at      INTEGER NOT NULL
);

-- Only the SHA-256 of a session token is kept: a leaked table does not leak live sessions.
CREATE TABLE session (
    token_hash BLOB PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id),
    csrf_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Every action by staff: who, when, what, before and after. Append-only, kept at least 6 months.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES account (id),
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  INTEGER,
    before     TEXT,
    after      TEXT,
    at         INTEGER NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- An upheld appeal (申诉复核) excludes an evaluation from statistics; the evaluation itself is never
-- edited or deleted, and the number of invalidations stays countable for the public figures.
CREATE TABLE evaluation_invalidation (
    evaluation_id INTEGER PRIMARY KEY REFERENCES evaluation (id),
    ticket_id     INTEGER NOT NULL REFERENCES ticket (id),
    decided_by    INTEGER NOT NULL REFERENCES account (id),
    reason        TEXT NOT NULL,
    at            INTEGER NOT NULL
);

CREATE TRIGGER evaluation_invalidation_no_update BEFORE UPDATE ON evaluation_invalidation
BEGIN SELECT RAISE(ABORT, 'invalidations are final'); END;
CREATE TRIGGER evaluation_invalidation_no_delete BEFORE DELETE ON evaluation_invalidation
BEGIN SELECT RAISE(ABORT, 'invalidations are final'); END;
