-- Business systems, service occurrences and the evaluations bound to them.

-- A registered business system. Only the SHA-256 of its API key is kept; `frame_origins` lists the
-- portal origins (space separated) allowed to embed its rating iframe.
CREATE TABLE business_system (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    api_key_hash  BLOB NOT NULL UNIQUE,
    frame_origins TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

-- 服务 — one occurrence of a case (办件编号 + 评价次数), or one window visit rated by its e码.
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
    -- Evaluator's phone, AEAD-encrypted (nonce || ciphertext); never stored in the clear.
    evaluator_phone_enc BLOB,
    registered_at       INTEGER NOT NULL,
    -- One evaluation per occurrence: the case number and occurrence number identify it.
    CONSTRAINT occurrence_case_unique UNIQUE (case_number, occurrence_no)
);

-- The catalogue of reasons, by version; evaluations keep the version they were made with.
CREATE TABLE reason_catalogue (
    version  INTEGER NOT NULL,
    code     INTEGER NOT NULL,
    level    INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL,
    core     INTEGER NOT NULL,
    PRIMARY KEY (version, code)
);

-- 评价 — immutable once written (see the triggers below). `level` is the interface code, 5 … 1.
CREATE TABLE evaluation (
    id                INTEGER PRIMARY KEY,
    occurrence_id     INTEGER NOT NULL REFERENCES service_occurrence (id),
    tracking_code     TEXT NOT NULL UNIQUE,
    level             INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    catalogue_version INTEGER NOT NULL,
    comment           TEXT,
    phone_enc         BLOB,
    channel           TEXT NOT NULL,
    -- Keyed hash of a per-browser cookie, to stop repeated ratings of a window from one device.
    device_hash       BLOB,
    created_at        INTEGER NOT NULL,
    -- 一评一次: a second evaluation of the same occurrence is refused.
    CONSTRAINT evaluation_occurrence_unique UNIQUE (occurrence_id)
);

CREATE TABLE evaluation_reason (
    evaluation_id INTEGER NOT NULL REFERENCES evaluation (id),
    reason_code   INTEGER NOT NULL,
    PRIMARY KEY (evaluation_id, reason_code)
);

CREATE INDEX evaluation_device ON evaluation (device_hash, created_at) WHERE device_hash IS NOT NULL;
CREATE INDEX occurrence_window ON service_occurrence (window_id);

-- Evaluations and their reasons are never edited or deleted: invalidation (later) is a separate record.
CREATE TRIGGER evaluation_no_update BEFORE UPDATE ON evaluation
BEGIN SELECT RAISE(ABORT, 'evaluations are immutable'); END;
CREATE TRIGGER evaluation_no_delete BEFORE DELETE ON evaluation
BEGIN SELECT RAISE(ABORT, 'evaluations are immutable'); END;
CREATE TRIGGER evaluation_reason_no_update BEFORE UPDATE ON evaluation_reason
BEGIN SELECT RAISE(ABORT, 'evaluations are immutable'); END;
CREATE TRIGGER evaluation_reason_no_delete BEFORE DELETE ON evaluation_reason
BEGIN SELECT RAISE(ABORT, 'evaluations are immutable'); END;
