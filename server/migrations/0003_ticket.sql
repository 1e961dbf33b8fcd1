-- 差评整改工单: every bad review and every complaint opens a ticket in the same transaction, owned by
-- the department that handled the service (谁办理、谁负责).

-- 投诉 (服务不满意): what happened, about which department (and service item), chosen from lists.
-- Immutable like evaluations; the contact phone is AEAD-encrypted.
CREATE TABLE complaint (
    id                INTEGER PRIMARY KEY,
    tracking_code     TEXT NOT NULL UNIQUE,
    department_id     INTEGER NOT NULL REFERENCES department (id),
    service_item_id   INTEGER REFERENCES service_item (id),
    description       TEXT NOT NULL,
    contact_phone_enc BLOB,
    -- Keyed hash of the browser's device cookie, against repeated submissions.
    device_hash       BLOB,
    created_at        INTEGER NOT NULL
);

CREATE INDEX complaint_device ON complaint (device_hash, created_at);

CREATE TRIGGER complaint_no_update BEFORE UPDATE ON complaint
BEGIN SELECT RAISE(ABORT, 'complaints are immutable'); END;
CREATE TRIGGER complaint_no_delete BEFORE DELETE ON complaint
BEGIN SELECT RAISE(ABORT, 'complaints are immutable'); END;

CREATE TABLE ticket (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('bad_review', 'complaint')),
    -- The bad review this ticket handles; one ticket per evaluation.
    evaluation_id  INTEGER UNIQUE REFERENCES evaluation (id),
    complaint_id   INTEGER UNIQUE REFERENCES complaint (id),
    department_id  INTEGER NOT NULL REFERENCES department (id),
    state          TEXT NOT NULL,
    -- 实名差评: the evaluator left a phone number, so a return visit is owed.
    real_name      INTEGER NOT NULL,
    opened_at      INTEGER NOT NULL,
    -- End of the working day by which the first contact is due (unix ms, China time). NULL when
    -- the holiday calendar does not cover the date yet: the ticket is opened all the same.
    contact_due_at INTEGER,
    -- For a complaint: end of the working day by which the reply is due (2 working days by default).
    reply_due_at   INTEGER,
    -- For a ledger entry (建立台账、限期整改): end of the working day by which it must be rectified.
    rectify_due_at INTEGER,
    escalated      INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL,
    CHECK ((evaluation_id IS NULL) <> (complaint_id IS NULL))
);

CREATE INDEX ticket_department_state ON ticket (department_id, state);

-- Every step of a ticket, append-only: who, when, what, from which state to which.
CREATE TABLE ticket_event (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES ticket (id),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    note       TEXT,
    at         INTEGER NOT NULL
);

CREATE TRIGGER ticket_event_no_update BEFORE UPDATE ON ticket_event
BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;
CREATE TRIGGER ticket_event_no_delete BEFORE DELETE ON ticket_event
BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;
