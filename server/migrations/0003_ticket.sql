-- 差评整改工单: every bad review (and, later, every complaint) opens a ticket in the same transaction,
-- owned by the department that handled the service (谁办理、谁负责).

CREATE TABLE ticket (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('bad_review', 'complaint')),
    -- The bad review this ticket handles; one ticket per evaluation.
    evaluation_id  INTEGER UNIQUE REFERENCES evaluation (id),
    department_id  INTEGER NOT NULL REFERENCES department (id),
    state          TEXT NOT NULL,
    -- 实名差评: the evaluator left a phone number, so a return visit is owed.
    real_name      INTEGER NOT NULL,
    opened_at      INTEGER NOT NULL,
    -- End of the working day by which the first contact is due (unix ms, China time). NULL when
    -- the holiday calendar does not cover the date yet: the ticket is opened all the same.
    contact_due_at INTEGER,
    escalated      INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL
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
