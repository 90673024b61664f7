/**
 * Security events: a typed record of something security-relevant that happened (an admin change, a refused admin
 * call) and a sink that receives it. The gateway writes them as JSON lines to the {@code portcullis.security}
 * logger; an audit log or an event bus subscribes by implementing {@link dev.portcullis.events.SecurityEventSink}.
 * An event carries ids, names and outcomes, never a secret, a credential or a request body.
 */
package dev.portcullis.events;
