/**
 * The Redis that gateway instances share (the {@code redis} section): one client per process, used by features
 * that must agree across instances — key revocations, signed-request nonces, limits.
 */
package dev.portcullis.redis;
