/**
 * Redis-backed parts shared by many gateway instances: key invalidations over pub/sub and the nonce store
 * for signed requests (Lettuce). Used when Redis is configured; the in-process versions serve one instance.
 */
package dev.portcullis.identity.redis;
