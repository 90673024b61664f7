-- A key may name its own plan, which then applies instead of its principal's or tenant's.
ALTER TABLE api_keys ADD COLUMN plan TEXT REFERENCES plans(name);
