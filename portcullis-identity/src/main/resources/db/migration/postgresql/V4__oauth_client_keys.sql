-- Clients that authenticate with a signed assertion (private_key_jwt, RFC 7523) register public keys
-- (a JWK set) instead of a secret; their secret_hash is empty and matches no secret.
ALTER TABLE oauth_clients ADD COLUMN jwks TEXT;
