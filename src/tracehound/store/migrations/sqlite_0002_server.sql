-- Server mode: tenants, hashed API keys, applied bus messages, live totals, leases, published inventory.
CREATE TABLE tenants (
    name    TEXT PRIMARY KEY,
    created REAL NOT NULL
);
CREATE TABLE api_keys (
    key_id      TEXT PRIMARY KEY,    -- public part of th_<key_id>_<secret>
    tenant      TEXT NOT NULL REFERENCES tenants(name),
    role        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,       -- SHA-256 hex of the secret; the secret itself is never stored
    created     REAL NOT NULL,
    revoked     REAL
);
CREATE INDEX api_keys_tenant ON api_keys(tenant);
CREATE TABLE applied_messages (
    stream  TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    applied REAL NOT NULL,
    PRIMARY KEY (stream, seq)
) WITHOUT ROWID;
CREATE TABLE tenant_totals (
    tenant       TEXT PRIMARY KEY,
    transactions INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE leases (
    name    TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE inv_endpoints (
    tenant    TEXT NOT NULL,
    id        TEXT NOT NULL,
    service   TEXT NOT NULL,
    method    TEXT NOT NULL,
    path      TEXT NOT NULL,
    risk      INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    last_seen REAL,
    entry     TEXT NOT NULL,         -- the report's endpoint object plus id and service (JSON)
    PRIMARY KEY (tenant, id)
);
CREATE INDEX inv_endpoints_risk ON inv_endpoints(tenant, risk, id);
CREATE INDEX inv_endpoints_count ON inv_endpoints(tenant, count, id);
CREATE INDEX inv_endpoints_path ON inv_endpoints(tenant, path, service, method);
CREATE INDEX inv_endpoints_service ON inv_endpoints(tenant, service, risk);
CREATE TABLE inv_endpoint_sensitive (
    tenant      TEXT NOT NULL,
    type        TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    PRIMARY KEY (tenant, type, endpoint_id)
) WITHOUT ROWID;
CREATE TABLE inv_findings (
    tenant        TEXT NOT NULL,
    id            TEXT NOT NULL,
    type          TEXT NOT NULL,
    severity      TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    service       TEXT NOT NULL,
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    location      TEXT NOT NULL,
    count         INTEGER NOT NULL,
    first_seen    REAL,
    last_seen     REAL,
    entry         TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX inv_findings_last_seen ON inv_findings(tenant, last_seen, id);
CREATE INDEX inv_findings_type ON inv_findings(tenant, type);
CREATE TABLE inv_services (
    tenant    TEXT NOT NULL,
    name      TEXT NOT NULL,
    endpoints INTEGER NOT NULL,
    findings  INTEGER NOT NULL,
    max_risk  INTEGER NOT NULL,
    openapi   TEXT,                  -- OpenAPI 3.1 document (JSON), rendered by the publisher
    PRIMARY KEY (tenant, name)
);
CREATE TABLE inv_meta (
    tenant  TEXT PRIMARY KEY,
    summary TEXT NOT NULL,           -- the report's summary (JSON)
    updated REAL NOT NULL
)
