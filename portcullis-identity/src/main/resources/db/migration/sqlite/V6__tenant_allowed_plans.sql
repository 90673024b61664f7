-- Plans (besides its own) that an admin allows a tenant's tenant-admins to give its keys and principals,
-- as space-separated plan names.
ALTER TABLE tenants ADD COLUMN allowed_plans TEXT NOT NULL DEFAULT '';
