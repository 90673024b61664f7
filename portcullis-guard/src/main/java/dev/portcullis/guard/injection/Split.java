package dev.portcullis.guard.injection;

import java.nio.charset.StandardCharsets;

/** Deterministic train / held-out split: FNV-1a of the UTF-8 text, bucket 4 of 5 is held out. */
public final class Split {
  private Split() {}

  public static boolean heldOut(String text) {
    int h = 0x811C9DC5;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xFF)) * 0x01000193;
    }
    return Integer.remainderUnsigned(h, 5) == 4;
  }
}
