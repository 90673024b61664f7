package dev.portcullis.limit.config;

/** What a limit counts. */
public enum Unit {
    /** One per request. */
    REQUESTS('r'),
    /** LLM tokens, prompt plus output; reserved before the call and settled after. */
    TOKENS('t'),
    /** Spend in micro-units of the price table's currency (1 = one millionth). */
    SPEND('s'),
    /** Requests or streams in flight; released when the request ends. */
    CONCURRENCY('c');

    private final char code;

    Unit(char code) {
        this.code = code;
    }

    /** One-letter code used in store encodings. */
    public char code() {
        return code;
    }

    /** The unit for a one-letter store code. */
    public static Unit ofCode(char code) {
        for (Unit u : values()) {
            if (u.code == code) {
                return u;
            }
        }
        throw new IllegalArgumentException("unknown unit code " + code);
    }
}
