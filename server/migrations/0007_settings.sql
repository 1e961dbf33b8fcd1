-- Settings administrators change at run time (deadlines today; disclosure rules later), the link from
-- a window clerk's account to their staff record, and a lookup for the logged phone reveals.

CREATE TABLE setting (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- 窗口工作人员: the staff record whose ratings the account sees.
ALTER TABLE account ADD COLUMN staff_id INTEGER REFERENCES staff (id);

CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, action, at);
CREATE INDEX ticket_open_due ON ticket (escalated, state);
CREATE INDEX occurrence_staff ON service_occurrence (staff_id);
CREATE INDEX ticket_event_ticket ON ticket_event (ticket_id, action);
