-- Profiles and findings are stored per tenant as encoded, mergeable blobs: O(endpoints), not O(requests).
CREATE TABLE endpoints (
    tenant   TEXT NOT NULL,
    service  TEXT NOT NULL,
    method   TEXT NOT NULL,
    template TEXT NOT NULL,          -- provisional template, e.g. /users/{int}
    profile  BLOB NOT NULL,          -- msgpack EndpointProfile
    updated  REAL NOT NULL,
    PRIMARY KEY (tenant, service, method, template)
);
CREATE TABLE findings (
    tenant   TEXT NOT NULL,
    type     TEXT NOT NULL,
    service  TEXT NOT NULL,
    method   TEXT NOT NULL,
    template TEXT NOT NULL,
    location TEXT NOT NULL,
    stats    BLOB NOT NULL,          -- msgpack FindingStats
    updated  REAL NOT NULL,
    PRIMARY KEY (tenant, type, service, method, template, location)
);
CREATE TABLE runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant       TEXT NOT NULL,
    started      REAL NOT NULL,
    finished     REAL,
    inputs       TEXT NOT NULL,      -- JSON list of file names
    transactions INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE rejections (
    run_id  INTEGER NOT NULL REFERENCES runs(id),
    source  TEXT NOT NULL,
    idx     INTEGER NOT NULL,
    reason  TEXT NOT NULL
);
CREATE TABLE state (
    tenant TEXT NOT NULL,
    name   TEXT NOT NULL,            -- e.g. baselines and behaviour windows of the analyzer
    value  BLOB NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (tenant, name)
);
