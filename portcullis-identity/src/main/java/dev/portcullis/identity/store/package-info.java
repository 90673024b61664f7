/**
 * Control-plane storage of plans, tenants, principals and credentials behind one
 * {@link dev.portcullis.identity.store.IdentityStore} interface, with SQLite (embedded default) and
 * PostgreSQL (production) backends, both migrated by Flyway. Credentials are stored as peppered hashes,
 * never in plain text. Every call blocks: run it on a worker executor, never on an event loop.
 */
package dev.portcullis.identity.store;
