-- 办件编号 are unique per business system, not across all of them: one system can no longer squat a
-- case number another will use. Occurrences with no business system (e码 walk-ins, hall visits of
-- no case) share key 0. SQLite cannot drop a table constraint, so the table is rebuilt inside the
-- migration's transaction: foreign keys deferred, rows kept aside, the table dropped and created
-- again, the rows put back (which settles every deferred reference), indexes and the trigger again.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE occurrence_kept AS SELECT * FROM service_occurrence;
DROP TABLE service_occurrence;

CREATE TABLE service_occurrence (
    id                  INTEGER PRIMARY KEY,
    case_number         TEXT NOT NULL CHECK (length(case_number) BETWEEN 1 AND 50),
    occurrence_no       INTEGER NOT NULL CHECK (occurrence_no >= 1),
    service_item_id     INTEGER REFERENCES service_item (id),
    department_id       INTEGER NOT NULL REFERENCES department (id),
    window_id           INTEGER REFERENCES service_window (id),
    staff_id            INTEGER REFERENCES staff (id),
    channel             TEXT NOT NULL,
    business_system_id  INTEGER REFERENCES business_system (id),
    -- Evaluator's phone, AEAD-encrypted (key id || nonce || ciphertext); never stored in the clear.
    evaluator_phone_enc BLOB,
    registered_at       INTEGER NOT NULL,
    evaluator_type      INTEGER CHECK (evaluator_type BETWEEN 1 AND 6),
    anonymous           INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    -- 'reported': a county's rated occurrence received by a province (only rated ones arrive, so
    -- they are no occurrences of 评价率's denominator).
    kind                TEXT NOT NULL DEFAULT 'case'
        CHECK (kind IN ('case', 'visit', 'walk_in', 'reported'))
);

INSERT INTO service_occurrence (id, case_number, occurrence_no, service_item_id,
    department_id, window_id, staff_id, channel, business_system_id, evaluator_phone_enc,
    registered_at, evaluator_type, anonymous, kind)
SELECT id, case_number, occurrence_no, service_item_id, department_id, window_id, staff_id, channel,
    business_system_id, evaluator_phone_enc, registered_at, evaluator_type, anonymous, kind
FROM occurrence_kept;
DROP TABLE occurrence_kept;

-- One evaluation per occurrence: the business system, case number and occurrence number identify it.
CREATE UNIQUE INDEX occurrence_case_unique
    ON service_occurrence (coalesce(business_system_id, 0), case_number, occurrence_no);
CREATE INDEX occurrence_window ON service_occurrence (window_id);
CREATE INDEX occurrence_staff ON service_occurrence (staff_id);

CREATE TRIGGER stat_occurrence AFTER INSERT ON service_occurrence
WHEN NEW.kind <> 'reported'
BEGIN
    INSERT INTO stat (scope, scope_id, month, occurrences)
    SELECT scope, scope_id, month, 1 FROM occurrence_scope
    WHERE occurrence_id = NEW.id AND scope_id IS NOT NULL
    ON CONFLICT (scope, scope_id, month) DO UPDATE SET occurrences = occurrences + 1;
END;
