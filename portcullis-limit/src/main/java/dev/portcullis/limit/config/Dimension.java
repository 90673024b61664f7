package dev.portcullis.limit.config;

import java.util.Locale;

/** What a limit is counted per. A rule with several dimensions counts per combination (e.g. tenant and model). */
public enum Dimension {
    IP, KEY, PRINCIPAL, TENANT, ROUTE, MODEL, HEADER, GLOBAL;

    /** The name used in configuration. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
