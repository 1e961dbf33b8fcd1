-- Going live from an empty database: what an administrator keeps about the organisation, business
-- systems with keys that rotate and grants that limit them, and the scope of supervisors and
-- administrators.

-- 大厅: its kind and the opening hours shown to citizens.
ALTER TABLE hall ADD COLUMN kind TEXT NOT NULL DEFAULT 'centre'
    CHECK (kind IN ('centre', 'branch', 'township'));
ALTER TABLE hall ADD COLUMN hours TEXT NOT NULL DEFAULT '';

-- 统一社会信用代码, optional (checked by domain::org::CreditCode); one department per code.
ALTER TABLE department ADD COLUMN credit_code TEXT;
CREATE UNIQUE INDEX department_credit_code ON department (credit_code) WHERE credit_code IS NOT NULL;

-- 事项类型 of the national 实施清单.
ALTER TABLE service_item ADD COLUMN item_type TEXT NOT NULL DEFAULT 'public_service'
    CHECK (item_type IN ('licensing', 'payment', 'confirmation', 'levy', 'reward', 'ruling',
                         'other_power', 'public_service'));

-- Deactivated, never deleted: past ratings keep their attribution and their figures. NULL = active.
ALTER TABLE department ADD COLUMN deactivated_at INTEGER;
ALTER TABLE hall ADD COLUMN deactivated_at INTEGER;
ALTER TABLE service_window ADD COLUMN deactivated_at INTEGER;
ALTER TABLE staff ADD COLUMN deactivated_at INTEGER;
ALTER TABLE service_item ADD COLUMN deactivated_at INTEGER;

-- A business system's API keys. Only their SHA-256 is kept. A rotated key keeps working until
-- `expires_at` (the overlap while the vendor deploys the new one); a revoked key stops at once.
-- `business_system.api_key_hash` stays because SQLite cannot drop a UNIQUE column; it holds the
-- system's first key and is no longer read.
CREATE TABLE api_key (
    id                 INTEGER PRIMARY KEY,
    business_system_id INTEGER NOT NULL REFERENCES business_system (id),
    key_hash           BLOB NOT NULL UNIQUE,
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER,
    revoked_at         INTEGER
);
CREATE INDEX api_key_system ON api_key (business_system_id);
INSERT INTO api_key (business_system_id, key_hash, created_at)
    SELECT id, api_key_hash, created_at FROM business_system;

-- What a business system may register cases for: regions (with every region under them) or single
-- departments. A system without a grant registers nothing.
CREATE TABLE business_system_grant (
    business_system_id INTEGER NOT NULL REFERENCES business_system (id),
    region_id          INTEGER REFERENCES region (id),
    department_id      INTEGER REFERENCES department (id),
    CHECK ((region_id IS NULL) <> (department_id IS NULL))
);
CREATE UNIQUE INDEX business_system_grant_unique
    ON business_system_grant (business_system_id, coalesce(region_id, 0), coalesce(department_id, 0));
-- Systems registered before grants existed keep what they could do: every top-level region.
INSERT INTO business_system_grant (business_system_id, region_id)
    SELECT b.id, r.id FROM business_system b, region r WHERE r.parent_id IS NULL;

-- A supervisor's or administrator's scope: a region with its subtree, or one hall; neither = all.
ALTER TABLE account ADD COLUMN region_id INTEGER REFERENCES region (id);
ALTER TABLE account ADD COLUMN hall_id INTEGER REFERENCES hall (id);
