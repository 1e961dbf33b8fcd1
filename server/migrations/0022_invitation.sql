-- Issue 12, second half: 智能邀评 (invitations by SMS), 默认评价 (system default evaluations) and
-- handlers told of a 差评 at once. Settings live in `setting` documents (no schema); this adds what
-- the jobs must remember so that each message goes out once and each default is traceable.

-- Every message sent (or attempted): to a citizen (invitation, reminder) or to a department
-- (a 差评 or a complaint opened, a deadline one working day away). The phone is kept masked only
-- (138****1234), never in full; a robot message has none.
CREATE TABLE message_log (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'bad_review_opened',
                                                'complaint_opened', 'deadline_near')),
    -- 'sms' through the SMS gateway (or its development file), 'robot' a group-robot webhook.
    via           TEXT NOT NULL CHECK (via IN ('sms', 'robot')),
    occurrence_id INTEGER REFERENCES service_occurrence (id),
    ticket_id     INTEGER REFERENCES ticket (id),
    phone_masked  TEXT,
    status        TEXT NOT NULL CHECK (status IN ('accepted', 'failed')),
    error         TEXT,
    at            INTEGER NOT NULL
);

CREATE INDEX message_log_occurrence ON message_log (occurrence_id) WHERE occurrence_id IS NOT NULL;
CREATE INDEX message_log_at ON message_log (at);

-- 邀评进度: how many invitation messages an occurrence got (accepted by the gateway), and when the
-- last attempt was (a failed one is retried an hour later, not every minute).
CREATE TABLE invitation (
    occurrence_id   INTEGER PRIMARY KEY REFERENCES service_occurrence (id),
    sent            INTEGER NOT NULL DEFAULT 0,
    last_attempt_at INTEGER NOT NULL
);

-- 退订: phones that asked for no more invitations, as a keyed hash (never the number itself).
CREATE TABLE opt_out (
    phone_hash BLOB PRIMARY KEY,
    -- 'link' the citizen's opt-out page, 'sms' the platform's forwarded "TD" reply.
    source     TEXT NOT NULL CHECK (source IN ('link', 'sms')),
    at         INTEGER NOT NULL
) WITHOUT ROWID;

-- A department told about a ticket: once per (ticket, reason, deadline). The row is claimed before
-- the message goes out, so two runs never both send.
CREATE TABLE ticket_notice (
    ticket_id INTEGER NOT NULL REFERENCES ticket (id),
    reason    TEXT NOT NULL CHECK (reason IN ('opened', 'deadline_near')),
    -- The deadline warned about (unix ms); 0 for the opening.
    due_at    INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, reason, due_at)
) WITHOUT ROWID;

-- The minute jobs look for unrated services by registration time (invitations within their last
-- reminder's reach, default evaluations after N days): without this they would scan every service.
CREATE INDEX occurrence_registered ON service_occurrence (registered_at);

-- 默认评价: the rule (`domain::notify::DefaultEvaluationSettings::RULE_ID`) and the version of it
-- that made a system default evaluation; NULL on every citizen's rating. Evaluations stay
-- immutable (the triggers of 0002 refuse updates); new rows carry the columns.
ALTER TABLE evaluation ADD COLUMN default_rule TEXT;
ALTER TABLE evaluation ADD COLUMN default_rule_version INTEGER;
