/** JMH benchmarks of the identity hot paths: cached API key checks and ES256 JWT verification. */
package dev.portcullis.bench.identity;
