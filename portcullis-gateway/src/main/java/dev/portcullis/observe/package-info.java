/**
 * What the gateway records about each request: Prometheus metrics ({@code portcullis_*}), one JSON access-log line
 * (ids, sizes, timings, token counts; never a prompt, completion or credential), and request ids.
 */
package dev.portcullis.observe;
