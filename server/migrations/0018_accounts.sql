-- 账号安全 — log-in failures counted in one statement with the time of the last (so that old ones
-- are forgotten and the wait grows with each), the step of the last authenticator code used (a
-- code is accepted once), and accounts an administrator disabled (停用: they cannot sign in and
-- their sessions end; nothing is deleted).
ALTER TABLE account ADD COLUMN last_failed_at INTEGER;
ALTER TABLE account ADD COLUMN totp_last_step INTEGER;
ALTER TABLE account ADD COLUMN disabled_at INTEGER;

-- Sessions are looked up by token; expired ones are purged by the minute timer.
CREATE INDEX IF NOT EXISTS session_expiry ON session (expires_at);
