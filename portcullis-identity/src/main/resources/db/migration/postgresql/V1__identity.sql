CREATE TABLE plans (
  name        TEXT PRIMARY KEY,
  description TEXT NOT NULL
);

CREATE TABLE tenants (
  id           TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  plan         TEXT NOT NULL REFERENCES plans(name),
  created_at   BIGINT NOT NULL,
  disabled     BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE principals (
  tenant_id  TEXT NOT NULL REFERENCES tenants(id),
  id         TEXT NOT NULL,
  kind       TEXT NOT NULL,
  plan       TEXT REFERENCES plans(name),
  attributes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE api_keys (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL,
  principal_id  TEXT NOT NULL,
  environment   TEXT NOT NULL,
  hash          TEXT NOT NULL UNIQUE,
  hint          TEXT NOT NULL,
  scopes        TEXT NOT NULL,
  allowed_cidrs TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  expires_at    BIGINT,
  revoked_at    BIGINT,
  replaced_by   TEXT,
  last_used_at  BIGINT,
  FOREIGN KEY (tenant_id, principal_id) REFERENCES principals(tenant_id, id)
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id, id);

CREATE TABLE oauth_clients (
  client_id      TEXT PRIMARY KEY,
  tenant_id      TEXT NOT NULL,
  principal_id   TEXT NOT NULL,
  secret_hash    TEXT NOT NULL,
  allowed_scopes TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  revoked_at     BIGINT,
  FOREIGN KEY (tenant_id, principal_id) REFERENCES principals(tenant_id, id)
);
