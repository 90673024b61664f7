package dev.portcullis.limit.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/** Store-safe key parts: no separators, no braces (which would move a key to another Redis Cluster slot). */
public final class Keys {
    private static final int MAX_PLAIN = 64;
    private static final int MAX_KEY = 400;

    private Keys() {}

    /**
     * A key part for a dimension value: the value itself when short and plain, otherwise {@code ~} plus a
     * SHA-256 digest, so any input (long, binary, with separators) yields a bounded, collision-resistant part.
     */
    public static String part(String value) {
        if (value.length() <= MAX_PLAIN && plain(value, false) && !value.isEmpty()) {
            return value;
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 27);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    /** True if {@code key} may be given to a store: bounded, printable, no whitespace or braces. */
    public static boolean isSafe(String key) {
        return !key.isEmpty() && key.length() <= MAX_KEY && plain(key, true);
    }

    /** A fresh reservation id (128 random bits, hex). Unique, not secret. */
    public static String newReservationId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
    }

    private static boolean plain(String s, boolean allowColon) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == '@' || c == '/' || c == '+' || c == '=' || c == '~'
                    || (allowColon && c == ':');
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
