-- 转办 — work orders referred by a 12345 hotline, a government website or a leader's mailbox
-- (issue 13), and the complaint figures by source.
--
-- A referral is a complaint (its `complaint` row keeps department, content and the encrypted
-- contact, so that the ticket, the handler's list and the tracking page work as for any
-- complaint) plus this row: where it came from, the platform's own id and the moment it was
-- received there. The sending platform is a business system; (source, external id) is its key,
-- so a re-send answers with the same ticket.
CREATE TABLE referral (
    id                 INTEGER PRIMARY KEY,
    complaint_id       INTEGER NOT NULL UNIQUE REFERENCES complaint (id),
    business_system_id INTEGER NOT NULL REFERENCES business_system (id),
    source             TEXT NOT NULL CHECK (source IN ('12345', 'website', 'leader_mailbox', 'other')),
    external_id        TEXT NOT NULL CHECK (length(external_id) BETWEEN 1 AND 64),
    category           TEXT NOT NULL CHECK (category IN ('complaint', 'suggestion', 'inquiry', 'help')),
    received_at        INTEGER NOT NULL,
    -- SHA-256 of the request's details: a repeat with other details is a conflict (409).
    fingerprint        BLOB NOT NULL,
    created_at         INTEGER NOT NULL,
    CONSTRAINT referral_external UNIQUE (source, external_id)
);

CREATE TRIGGER referral_no_update BEFORE UPDATE ON referral
BEGIN SELECT RAISE(ABORT, 'referrals are immutable'); END;

-- The sending platform's callback: where status changes go, and the key that signs them (sealed
-- with the master key, like the gateway's secrets).
ALTER TABLE business_system ADD COLUMN callback_url TEXT;
ALTER TABLE business_system ADD COLUMN callback_secret_enc BLOB;

-- 办理状态回传 — one row per status change of a referred ticket, written by the trigger below in
-- the transaction of the step, so that each change is sent exactly once; the sender delivers them
-- in id order per ticket (only the oldest undelivered one of a ticket is ever due).
CREATE TABLE referral_callback (
    id            INTEGER PRIMARY KEY,
    referral_id   INTEGER NOT NULL REFERENCES referral (id),
    event_id      INTEGER REFERENCES ticket_event (id),
    status        TEXT NOT NULL CHECK (status IN ('accepted', 'in_progress', 'replied', 'closed')),
    -- The reply text for `replied`.
    note          TEXT,
    at            INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_try_at   INTEGER NOT NULL,
    delivered_at  INTEGER,
    last_error    TEXT
);

CREATE INDEX referral_callback_due ON referral_callback (delivered_at, next_try_at);
CREATE INDEX referral_callback_referral ON referral_callback (referral_id, id);

-- Every attempt to deliver a callback: when, the HTTP status (NULL: no answer), the error.
CREATE TABLE referral_callback_attempt (
    id          INTEGER PRIMARY KEY,
    callback_id INTEGER NOT NULL REFERENCES referral_callback (id),
    at          INTEGER NOT NULL,
    http_status INTEGER,
    error       TEXT
);

-- The status a step leads to, as the platform sees it; written only when it differs from the last
-- one written for the ticket (a second visit attempt or MarkComplex is no change).
CREATE TRIGGER referral_status AFTER INSERT ON ticket_event
WHEN EXISTS (SELECT 1 FROM ticket t JOIN referral r ON r.complaint_id = t.complaint_id
             WHERE t.id = NEW.ticket_id)
 AND NEW.to_state <> 'open'
BEGIN
    INSERT INTO referral_callback (referral_id, event_id, status, note, at, next_try_at)
    SELECT r.id, NEW.id, s.status, CASE WHEN s.status = 'replied' THEN NEW.note END, NEW.at, NEW.at
    FROM ticket t
    JOIN referral r ON r.complaint_id = t.complaint_id
    JOIN (SELECT CASE
                     WHEN NEW.to_state = 'verified' THEN 'accepted'
                     WHEN NEW.to_state = 'replied' THEN 'replied'
                     WHEN NEW.to_state = 'closed' THEN 'closed'
                     ELSE 'in_progress'
                 END AS status) s
    WHERE t.id = NEW.ticket_id
      AND s.status IS NOT (SELECT c.status FROM referral_callback c
                           WHERE c.referral_id = r.id ORDER BY c.id DESC LIMIT 1);
END;

-- 投诉统计 — complaints by source, per scope and month of receipt (China time of the ticket's
-- opening): received, replied on time (first reply at or before `reply_due_at`; no deadline, when
-- the calendar lacked the year, counts as on time), replied late, found complex. Scopes as `stat`,
-- where a complaint has them: all, the department's region, the department, the service item.
CREATE TABLE stat_complaint (
    scope    TEXT NOT NULL,
    scope_id INTEGER NOT NULL,
    month    INTEGER NOT NULL,
    source   TEXT NOT NULL CHECK (source IN ('form', '12345', 'website', 'leader_mailbox', 'other')),
    received INTEGER NOT NULL DEFAULT 0,
    on_time  INTEGER NOT NULL DEFAULT 0,
    late     INTEGER NOT NULL DEFAULT 0,
    complex  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, scope_id, month, source)
) WITHOUT ROWID;

CREATE INDEX stat_complaint_month ON stat_complaint (month, scope);

-- Every (scope, id, month, source) a complaint's ticket counts in.
CREATE VIEW complaint_scope AS
SELECT t.id AS ticket_id,
       k.scope,
       CASE k.scope
           WHEN 'all' THEN 0
           WHEN 'region' THEN d.region_id
           WHEN 'department' THEN c.department_id
           WHEN 'item' THEN c.service_item_id
       END AS scope_id,
       CAST(strftime('%Y%m', t.opened_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS month,
       coalesce(r.source, 'form') AS source
FROM ticket t
JOIN complaint c ON c.id = t.complaint_id
JOIN department d ON d.id = c.department_id
LEFT JOIN referral r ON r.complaint_id = c.id
CROSS JOIN (SELECT 'all' AS scope UNION ALL SELECT 'region' UNION ALL SELECT 'department'
            UNION ALL SELECT 'item') k;

CREATE TRIGGER stat_complaint_received AFTER INSERT ON ticket
WHEN NEW.kind = 'complaint'
BEGIN
    INSERT INTO stat_complaint (scope, scope_id, month, source, received)
    SELECT scope, scope_id, month, source, 1 FROM complaint_scope
    WHERE ticket_id = NEW.id AND scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month, source) DO UPDATE SET received = received + 1;
END;

CREATE TRIGGER stat_complaint_step AFTER INSERT ON ticket_event
WHEN NEW.action IN ('reply', 'mark_complex')
 AND (SELECT kind FROM ticket WHERE id = NEW.ticket_id) = 'complaint'
BEGIN
    INSERT INTO stat_complaint (scope, scope_id, month, source, on_time, late, complex)
    SELECT s.scope, s.scope_id, s.month, s.source,
           first_reply AND (t.reply_due_at IS NULL OR NEW.at <= t.reply_due_at),
           first_reply AND t.reply_due_at IS NOT NULL AND NEW.at > t.reply_due_at,
           NEW.action = 'mark_complex'
    FROM ticket t
    JOIN complaint_scope s ON s.ticket_id = t.id
    CROSS JOIN (SELECT NEW.action = 'reply'
                    AND (SELECT count(*) FROM ticket_event
                         WHERE ticket_id = NEW.ticket_id AND action = 'reply') = 1 AS first_reply)
    WHERE t.id = NEW.ticket_id AND s.scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month, source) DO UPDATE SET
        on_time = on_time + excluded.on_time,
        late = late + excluded.late,
        complex = complex + excluded.complex;
END;

-- Complaints received before this migration.
INSERT INTO stat_complaint (scope, scope_id, month, source, received)
SELECT scope, scope_id, month, source, count(*) FROM complaint_scope
WHERE scope_id IS NOT NULL GROUP BY scope, scope_id, month, source;

UPDATE stat_complaint SET
    complex = (SELECT count(*) FROM complaint_scope s JOIN ticket_event e ON e.ticket_id = s.ticket_id
               WHERE e.action = 'mark_complex' AND s.scope = stat_complaint.scope
                 AND s.scope_id = stat_complaint.scope_id AND s.month = stat_complaint.month
                 AND s.source = stat_complaint.source),
    on_time = (SELECT count(*) FROM complaint_scope s JOIN ticket t ON t.id = s.ticket_id
               JOIN ticket_event e ON e.id = (SELECT min(id) FROM ticket_event
                                              WHERE ticket_id = t.id AND action = 'reply')
               WHERE (t.reply_due_at IS NULL OR e.at <= t.reply_due_at)
                 AND s.scope = stat_complaint.scope AND s.scope_id = stat_complaint.scope_id
                 AND s.month = stat_complaint.month AND s.source = stat_complaint.source),
    late = (SELECT count(*) FROM complaint_scope s JOIN ticket t ON t.id = s.ticket_id
            JOIN ticket_event e ON e.id = (SELECT min(id) FROM ticket_event
                                           WHERE ticket_id = t.id AND action = 'reply')
            WHERE t.reply_due_at IS NOT NULL AND e.at > t.reply_due_at
              AND s.scope = stat_complaint.scope AND s.scope_id = stat_complaint.scope_id
              AND s.month = stat_complaint.month AND s.source = stat_complaint.source);
