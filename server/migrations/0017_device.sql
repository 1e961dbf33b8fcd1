-- 评价器 — the tablet facing the citizen at a window. An administrator shows a one-time code
-- (eight digits, a few minutes); the tablet that types it is enrolled to the window and keeps a
-- random token in a cookie. Only keyed hashes of the code and of the token are stored; the token's
-- hash is also the `device_hash` of the ratings made on the tablet (channel hall_device), which
-- is how its last rating is found for the silence alarm.
CREATE TABLE device_enrolment (
    code_hash  BLOB PRIMARY KEY,
    window_id  INTEGER NOT NULL REFERENCES service_window (id),
    created_by INTEGER NOT NULL REFERENCES account (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    -- Wrong codes typed while this one was open: past a few, every open code is void (guessing).
    failures   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE device (
    id           INTEGER PRIMARY KEY,
    window_id    INTEGER NOT NULL REFERENCES service_window (id),
    token_hash   BLOB NOT NULL UNIQUE,
    enrolled_at  INTEGER NOT NULL,
    -- The administrator whose code enrolled it.
    enrolled_by  INTEGER NOT NULL REFERENCES account (id),
    revoked_at   INTEGER,
    last_seen_at INTEGER
);

CREATE INDEX device_window ON device (window_id) WHERE revoked_at IS NULL;
