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

  /**
   * The validation part of the training rows (about a quarter of them, by a second hash): used only to choose
   * training settings and the calibration, never to report. Disjoint from {@link #heldOut}.
   */
  public static boolean validation(String text) {
    if (heldOut(text)) {
      return false;
    }
    int h = 0x01000193;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xFF)) * 0x01000193;
      h ^= h >>> 15;
    }
    return Integer.remainderUnsigned(h, 4) == 0;
  }
}
