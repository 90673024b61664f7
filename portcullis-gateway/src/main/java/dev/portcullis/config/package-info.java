/**
 * {@code portcullis.yaml}: loaded, validated into one immutable {@link dev.portcullis.config.GatewayConfig} snapshot,
 * and swapped atomically on reload. A reload that fails validation keeps the old snapshot.
 */
package dev.portcullis.config;
