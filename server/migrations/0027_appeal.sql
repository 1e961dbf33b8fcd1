-- 申诉 in full: an appeal carries its category (误评 / 恶意差评) and the evidence files the unit
-- attaches. The files live outside the database (`<data dir>/evidence/`, random names); their
-- rows here say whose they are, what they are and how to check them. Appeals filed before this
-- migration have no row: their category was never asked for.

-- One per ticket (an appeal is filed once: a decided one is never filed again), written in the
-- transaction of its `triage_appeal` step.
CREATE TABLE appeal (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL UNIQUE REFERENCES ticket (id),
    -- The history line of the filing: the category is shown beside it.
    event_id   INTEGER NOT NULL UNIQUE REFERENCES ticket_event (id),
    category   TEXT NOT NULL CHECK (category IN ('mistaken', 'malicious')),
    filed_by   INTEGER NOT NULL REFERENCES account (id),
    filed_at   INTEGER NOT NULL
);

-- 证据材料: at most 5 per appeal, added while it is undecided (`domain::appeal`).
CREATE TABLE appeal_evidence (
    id            INTEGER PRIMARY KEY,
    appeal_id     INTEGER NOT NULL REFERENCES appeal (id),
    -- The ticket again, so that its scope is checked without a join.
    ticket_id     INTEGER NOT NULL REFERENCES ticket (id),
    -- The file's name in the evidence directory: 32 random hex digits, nothing from the upload.
    stored_name   TEXT NOT NULL UNIQUE
                  CHECK (length(stored_name) = 32 AND stored_name NOT GLOB '*[^0-9a-f]*'),
    -- The uploader's file name, sanitised (`domain::appeal::evidence::file_name`).
    original_name TEXT NOT NULL CHECK (length(original_name) BETWEEN 1 AND 80),
    -- The type told by the content, never by the name.
    content_type  TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png',
                  'application/pdf', 'application/ofd',
                  'application/vnd.openxmlformats-officedocument.wordprocessingml.document')),
    size          INTEGER NOT NULL CHECK (size BETWEEN 1 AND 5242880),
    -- Hex SHA-256 of the file: checked again on every download.
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    uploaded_by   INTEGER NOT NULL REFERENCES account (id),
    uploaded_at   INTEGER NOT NULL
);
CREATE INDEX appeal_evidence_ticket ON appeal_evidence (ticket_id);
CREATE INDEX appeal_evidence_appeal ON appeal_evidence (appeal_id);

-- What was filed stays as it was filed; the decision is the ticket's next step.
CREATE TRIGGER appeal_no_update BEFORE UPDATE ON appeal
BEGIN SELECT RAISE(ABORT, 'appeals are kept as filed'); END;
CREATE TRIGGER appeal_no_delete BEFORE DELETE ON appeal
BEGIN SELECT RAISE(ABORT, 'appeals are kept as filed'); END;
CREATE TRIGGER appeal_evidence_no_update BEFORE UPDATE ON appeal_evidence
BEGIN SELECT RAISE(ABORT, 'evidence is kept as uploaded'); END;
CREATE TRIGGER appeal_evidence_no_delete BEFORE DELETE ON appeal_evidence
BEGIN SELECT RAISE(ABORT, 'evidence is kept as uploaded'); END;

-- The service checks both; these hold whatever path writes a row.
CREATE TRIGGER appeal_evidence_undecided BEFORE INSERT ON appeal_evidence
WHEN (SELECT state FROM ticket WHERE id = NEW.ticket_id) IS NOT 'appealed'
  OR NOT EXISTS (SELECT 1 FROM appeal WHERE id = NEW.appeal_id AND ticket_id = NEW.ticket_id)
BEGIN SELECT RAISE(ABORT, 'evidence is added to an undecided appeal of its ticket only'); END;
CREATE TRIGGER appeal_evidence_at_most_five BEFORE INSERT ON appeal_evidence
WHEN (SELECT count(*) FROM appeal_evidence WHERE appeal_id = NEW.appeal_id) >= 5
BEGIN SELECT RAISE(ABORT, 'an appeal carries at most 5 evidence files'); END;
