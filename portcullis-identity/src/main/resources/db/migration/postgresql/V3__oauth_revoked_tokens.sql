-- Access tokens revoked before their expiry (RFC 7009), kept until they expire so every instance,
-- and every restart, refuses them.
CREATE TABLE oauth_revoked_tokens (
  jti         TEXT PRIMARY KEY,
  expires_at  BIGINT NOT NULL,
  revoked_at  BIGINT NOT NULL
);
CREATE INDEX oauth_revoked_tokens_expiry ON oauth_revoked_tokens (expires_at);
CREATE INDEX oauth_revoked_tokens_revoked ON oauth_revoked_tokens (revoked_at);
