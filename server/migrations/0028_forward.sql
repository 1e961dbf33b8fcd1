-- 差评转送12345 — every 差评 ticket can be forwarded to the 12345 platform as a work order (issue
-- 13), and the referring platforms' callbacks are set on the administration page.

-- How a referring platform's callbacks are signed (`domain::upward::SignMethod`): the HMACs keyed
-- by the sealed secret, or SM2 with it as our private key. Callbacks set before were HMAC-SHA256.
ALTER TABLE business_system ADD COLUMN callback_sign_method TEXT NOT NULL DEFAULT 'hmac-sha256'
    CHECK (callback_sign_method IN ('hmac-sha256', 'hmac-sm3', 'sm2'));

-- The forwarding outbox: per ticket first its work order, then each status change the 12345
-- platform hears of (the statuses of a referral's callbacks). Rows are written by the triggers
-- below in the transaction of the ticket or its step, so nothing committed is lost to a crash;
-- the sender delivers them in id order per ticket (only a ticket's oldest undelivered row is ever
-- due), so a status never arrives before its work order. The body is built from the stored,
-- immutable rows when sent, so every re-send carries the same values and our id (the 查询码): the
-- platform dedups on it, and an "already received" answer counts as delivered.
CREATE TABLE forward_message (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES ticket (id),
    kind         TEXT NOT NULL CHECK (kind IN ('work_order', 'status')),
    event_id     INTEGER REFERENCES ticket_event (id),
    status       TEXT CHECK (status IN ('accepted', 'in_progress', 'replied', 'closed')),
    -- The reply text for `replied`.
    note         TEXT,
    at           INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_try_at  INTEGER NOT NULL,
    delivered_at INTEGER,
    last_error   TEXT,
    -- The 12345 platform's own order id, from its answer to the work order.
    order_id     TEXT,
    CHECK ((kind = 'work_order') = (status IS NULL))
);

-- Exactly one work order per ticket.
CREATE UNIQUE INDEX forward_message_work_order ON forward_message (ticket_id)
    WHERE kind = 'work_order';
CREATE INDEX forward_message_due ON forward_message (delivered_at, next_try_at);
CREATE INDEX forward_message_ticket ON forward_message (ticket_id, id);

-- Every attempt to deliver a row: when, the HTTP status (NULL: no answer), the error.
CREATE TABLE forward_attempt (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES forward_message (id),
    at          INTEGER NOT NULL,
    http_status INTEGER,
    error       TEXT
);

-- A 差评 ticket opened while forwarding is on (the settings document `forward`, field `enabled`,
-- `features::admin::ForwardSettings`) gets its work order. Switching it on never reaches back to
-- tickets opened before.
CREATE TRIGGER forward_bad_review AFTER INSERT ON ticket
WHEN NEW.kind = 'bad_review'
 AND (SELECT json_extract(value, '$.enabled') FROM setting WHERE key = 'forward') = 1
BEGIN
    INSERT INTO forward_message (ticket_id, kind, at, next_try_at)
    VALUES (NEW.id, 'work_order', NEW.opened_at, NEW.opened_at);
END;

-- The status a step of a forwarded ticket leads to, mapped as for referrals (0024); written only
-- when it differs from the last one written for the ticket.
CREATE TRIGGER forward_status AFTER INSERT ON ticket_event
WHEN NEW.to_state <> 'open'
 AND EXISTS (SELECT 1 FROM forward_message WHERE ticket_id = NEW.ticket_id AND kind = 'work_order')
BEGIN
    INSERT INTO forward_message (ticket_id, kind, event_id, status, note, at, next_try_at)
    SELECT NEW.ticket_id, 'status', NEW.id, s.status,
           CASE WHEN s.status = 'replied' THEN NEW.note END, NEW.at, NEW.at
    FROM (SELECT CASE
                     WHEN NEW.to_state = 'verified' THEN 'accepted'
                     WHEN NEW.to_state = 'replied' THEN 'replied'
                     WHEN NEW.to_state = 'closed' THEN 'closed'
                     ELSE 'in_progress'
                 END AS status) s
    WHERE s.status IS NOT (SELECT m.status FROM forward_message m
                           WHERE m.ticket_id = NEW.ticket_id AND m.kind = 'status'
                           ORDER BY m.id DESC LIMIT 1);
END;
