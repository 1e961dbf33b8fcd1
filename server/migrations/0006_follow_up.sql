-- 追评: after the rectification, the evaluator may add one follow-up rating. The original evaluation is
-- never edited; the follow-up is its own immutable record, linked to it.
CREATE TABLE evaluation_follow_up (
    evaluation_id INTEGER PRIMARY KEY REFERENCES evaluation (id),
    level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    comment       TEXT,
    created_at    INTEGER NOT NULL
);

CREATE TRIGGER evaluation_follow_up_no_update BEFORE UPDATE ON evaluation_follow_up
BEGIN SELECT RAISE(ABORT, 'follow-up ratings are immutable'); END;
CREATE TRIGGER evaluation_follow_up_no_delete BEFORE DELETE ON evaluation_follow_up
BEGIN SELECT RAISE(ABORT, 'follow-up ratings are immutable'); END;
