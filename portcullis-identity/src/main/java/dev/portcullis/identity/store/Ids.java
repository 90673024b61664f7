package dev.portcullis.identity.store;

import java.util.regex.Pattern;

/** Validation of identifiers that admins and the CLI type (tenant ids, plan names, principal ids). */
public final class Ids {

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,128}");

  private Ids() {}

  /** Returns {@code value} if it is a valid id (lower-case letters, digits, {@code . _ -}, 1–63 chars). */
  public static String requireId(String what, String value) {
    if (value == null || !ID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what + " must be 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
    }
    return value;
  }

  /** Returns {@code value} if it is a valid OAuth scope token (RFC 6749 §3.3), at most 128 chars. */
  public static String requireScope(String value) {
    if (value == null || !SCOPE.matcher(value).matches()) {
      throw new IllegalArgumentException("scope must be 1-128 printable characters without space, quote or backslash");
    }
    return value;
  }
}
