-- The organisation being rated: regions, departments, halls, windows, staff and service items.
-- Departments form a tree under a region so that access (later issues) can be scoped by subtree.

CREATE TABLE region (
    id        INTEGER PRIMARY KEY,
    -- 行政区划代码, at most 9 digits (GB/T 39046).
    code      TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 9),
    name      TEXT NOT NULL,
    parent_id INTEGER REFERENCES region (id)
);

CREATE TABLE department (
    id        INTEGER PRIMARY KEY,
    region_id INTEGER NOT NULL REFERENCES region (id),
    parent_id INTEGER REFERENCES department (id),
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL
);

CREATE TABLE hall (
    id        INTEGER PRIMARY KEY,
    region_id INTEGER NOT NULL REFERENCES region (id),
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    address   TEXT NOT NULL DEFAULT ''
);

-- 窗口. `ecode` is the random, unguessable part of the window's printed QR code (e码): a sequential id
-- would let anyone rate every window of the province from a script.
CREATE TABLE service_window (
    id            INTEGER PRIMARY KEY,
    hall_id       INTEGER NOT NULL REFERENCES hall (id),
    department_id INTEGER NOT NULL REFERENCES department (id),
    code          TEXT NOT NULL UNIQUE,
    number        TEXT NOT NULL,
    name          TEXT NOT NULL,
    ecode         TEXT NOT NULL UNIQUE
);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES department (id),
    window_id     INTEGER REFERENCES service_window (id),
    staff_no      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL
);

-- 事项. `code` is the 实施编码, at most 24 characters.
CREATE TABLE service_item (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES department (id),
    code          TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 24),
    name          TEXT NOT NULL
);
