-- The whole schema for PostgreSQL: the SQLite tables (0001 and 0002 there) in PostgreSQL types.
CREATE TABLE endpoints (
    tenant   TEXT NOT NULL,
    service  TEXT NOT NULL,
    method   TEXT NOT NULL,
    template TEXT NOT NULL,
    profile  BYTEA NOT NULL,         -- msgpack EndpointProfile
    updated  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tenant, service, method, template)
);
CREATE TABLE findings (
    tenant   TEXT NOT NULL,
    type     TEXT NOT NULL,
    service  TEXT NOT NULL,
    method   TEXT NOT NULL,
    template TEXT NOT NULL,
    location TEXT NOT NULL,
    stats    BYTEA NOT NULL,         -- msgpack FindingStats
    updated  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tenant, type, service, method, template, location)
);
CREATE TABLE runs (
    id           BIGSERIAL PRIMARY KEY,
    tenant       TEXT NOT NULL,
    started      DOUBLE PRECISION NOT NULL,
    finished     DOUBLE PRECISION,
    inputs       TEXT NOT NULL,
    transactions BIGINT NOT NULL DEFAULT 0,
    rejected     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX runs_tenant ON runs(tenant);
CREATE TABLE rejections (
    run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    idx    BIGINT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE state (
    tenant  TEXT NOT NULL,
    name    TEXT NOT NULL,
    value   BYTEA NOT NULL,
    updated DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tenant, name)
);
CREATE TABLE tenants (
    name    TEXT PRIMARY KEY,
    created DOUBLE PRECISION NOT NULL
);
CREATE TABLE api_keys (
    key_id      TEXT PRIMARY KEY,
    tenant      TEXT NOT NULL REFERENCES tenants(name),
    role        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,       -- SHA-256 hex of the secret; the secret itself is never stored
    created     DOUBLE PRECISION NOT NULL,
    revoked     DOUBLE PRECISION
);
CREATE INDEX api_keys_tenant ON api_keys(tenant);
CREATE TABLE applied_messages (
    stream  TEXT NOT NULL,
    seq     BIGINT NOT NULL,
    applied DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (stream, seq)
);
CREATE TABLE tenant_totals (
    tenant       TEXT PRIMARY KEY,
    transactions BIGINT NOT NULL DEFAULT 0,
    rejected     BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE leases (
    name    TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    expires DOUBLE PRECISION NOT NULL  -- epoch seconds on the database's clock
);
CREATE TABLE inv_endpoints (
    tenant    TEXT NOT NULL,
    id        TEXT NOT NULL,
    service   TEXT NOT NULL,
    method    TEXT NOT NULL,
    path      TEXT NOT NULL,
    risk      INTEGER NOT NULL,
    count     BIGINT NOT NULL,
    last_seen DOUBLE PRECISION,
    entry     TEXT NOT NULL,
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
);
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
    count         BIGINT NOT NULL,
    first_seen    DOUBLE PRECISION,
    last_seen     DOUBLE PRECISION,
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
    openapi   TEXT,
    PRIMARY KEY (tenant, name)
);
CREATE TABLE inv_meta (
    tenant  TEXT PRIMARY KEY,
    summary TEXT NOT NULL,
    updated DOUBLE PRECISION NOT NULL
)
