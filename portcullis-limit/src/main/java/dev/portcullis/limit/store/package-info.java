/**
 * Counter storage behind one SPI ({@link dev.portcullis.limit.store.LimitStore}): in memory, Redis (one
 * atomic Lua script per decision), and a failover wrapper that falls back to divided local limits or
 * fails closed when Redis breaks.
 */
package dev.portcullis.limit.store;
