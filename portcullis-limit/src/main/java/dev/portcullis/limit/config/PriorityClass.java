package dev.portcullis.limit.config;

/** Who is shed first under load: LOW first, CRITICAL never by global protection. */
public enum PriorityClass {
    CRITICAL, HIGH, NORMAL, LOW
}
