-- 个人信息删除 — on the evaluator's or complainant's request, their phone numbers and their own
-- words are erased; the rating, its level, its reasons, its ticket and every figure stay. Ratings,
-- follow-ups and complaints stay immutable but for exactly this: the triggers below let an update
-- through only when it empties those fields of a record that has its erasure entry, and changes
-- nothing else. The erasure entry (when, why) stays; the audit log says who.
CREATE TABLE erasure (
    id            INTEGER PRIMARY KEY,
    evaluation_id INTEGER UNIQUE REFERENCES evaluation (id),
    complaint_id  INTEGER UNIQUE REFERENCES complaint (id),
    erased_at     INTEGER NOT NULL,
    reason        TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    CHECK ((evaluation_id IS NULL) <> (complaint_id IS NULL))
);

DROP TRIGGER evaluation_no_update;
CREATE TRIGGER evaluation_no_update BEFORE UPDATE ON evaluation
WHEN NOT (
    NEW.id = OLD.id AND NEW.occurrence_id = OLD.occurrence_id
    AND NEW.tracking_code = OLD.tracking_code AND NEW.level = OLD.level
    AND NEW.catalogue_version = OLD.catalogue_version AND NEW.channel = OLD.channel
    AND NEW.device_hash IS OLD.device_hash AND NEW.created_at = OLD.created_at
    AND NEW.comment IS NULL AND NEW.phone_enc IS NULL
    AND EXISTS (SELECT 1 FROM erasure WHERE evaluation_id = OLD.id))
BEGIN SELECT RAISE(ABORT, 'evaluations are immutable'); END;

DROP TRIGGER evaluation_follow_up_no_update;
CREATE TRIGGER evaluation_follow_up_no_update BEFORE UPDATE ON evaluation_follow_up
WHEN NOT (
    NEW.evaluation_id = OLD.evaluation_id AND NEW.level = OLD.level
    AND NEW.created_at = OLD.created_at AND NEW.comment IS NULL
    AND EXISTS (SELECT 1 FROM erasure WHERE evaluation_id = OLD.evaluation_id))
BEGIN SELECT RAISE(ABORT, 'follow-up ratings are immutable'); END;

DROP TRIGGER complaint_no_update;
CREATE TRIGGER complaint_no_update BEFORE UPDATE ON complaint
WHEN NOT (
    NEW.id = OLD.id AND NEW.tracking_code = OLD.tracking_code
    AND NEW.department_id = OLD.department_id AND NEW.service_item_id IS OLD.service_item_id
    AND NEW.device_hash IS OLD.device_hash AND NEW.created_at = OLD.created_at
    AND NEW.contact_phone_enc IS NULL AND NEW.description = '（应投诉人申请，内容已删除）'
    AND EXISTS (SELECT 1 FROM erasure WHERE complaint_id = OLD.id))
BEGIN SELECT RAISE(ABORT, 'complaints are immutable'); END;
