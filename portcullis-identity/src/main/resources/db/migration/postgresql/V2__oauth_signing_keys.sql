CREATE TABLE oauth_signing_keys (
  kid         TEXT PRIMARY KEY,
  sealed_jwk  TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  retired_at  BIGINT
);
