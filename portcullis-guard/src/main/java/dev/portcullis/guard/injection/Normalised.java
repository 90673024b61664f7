package dev.portcullis.guard.injection;

/**
 * A prompt prepared for matching: NFKC, lower-case, invisible characters removed (Unicode tag characters decoded to
 * the ASCII they hide and appended), common Cyrillic/Greek homoglyphs mapped to Latin, whitespace runs collapsed.
 * Also counts the suspicious characters seen; {@code homoglyphs} counts words mixing Latin letters and look-alikes.
 */
record Normalised(String text, int tagChars, int zeroWidth, int bidi, int homoglyphs) {

  static Normalised of(String raw) {
    String s = raw;
    boolean ascii = true;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 128) {
        ascii = false;
        break;
      }
    }
    if (!ascii && !java.text.Normalizer.isNormalized(s, java.text.Normalizer.Form.NFKC)) {
      s = java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFKC);
    }
    StringBuilder out = new StringBuilder(s.length() + 2);
    StringBuilder hidden = null;
    int tags = 0;
    int zw = 0;
    int bidi = 0;
    int homo = 0;
    boolean lastSpace = true;
    boolean wordLatin = false;
    boolean wordHomo = false;
    out.append(' ');
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp >= 0xE0000 && cp <= 0xE007F) {
        tags++;
        if (cp >= 0xE0020 && cp <= 0xE007E) {
          if (hidden == null) {
            hidden = new StringBuilder();
          }
          hidden.append((char) Character.toLowerCase(cp - 0xE0000));
        }
        continue;
      }
      if (cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0xFEFF || cp == 0x00AD) {
        zw++;
        continue;
      }
      if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F) {
        bidi++;
        continue;
      }
      char c;
      if (cp < 128) {
        c = (char) cp;
        if (c >= 'A' && c <= 'Z') {
          c = (char) (c + 32);
        }
        wordLatin |= c >= 'a' && c <= 'z';
      } else {
        char mapped = homoglyph(cp);
        if (mapped != 0) {
          wordHomo = true;
          c = mapped;
        } else if (Character.isWhitespace(cp)) {
          c = ' ';
        } else {
          out.appendCodePoint(Character.toLowerCase(cp));
          lastSpace = false;
          continue;
        }
      }
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
        if (wordLatin && wordHomo) {
          homo++;
        }
        wordLatin = false;
        wordHomo = false;
        if (!lastSpace) {
          out.append(' ');
          lastSpace = true;
        }
      } else {
        out.append(c);
        lastSpace = false;
      }
    }
    if (wordLatin && wordHomo) {
      homo++;
    }
    if (hidden != null) {
      out.append(' ').append(hidden);
    }
    out.append(' ');
    return new Normalised(out.toString(), tags, zw, bidi, homo);
  }

  /** Latin letter a Cyrillic, Greek or small-capital look-alike stands for, or 0. */
  static char homoglyph(int cp) {
    return switch (cp) {
      case 0x0430, 0x0410, 0x03B1, 0x0391 -> 'a';
      case 0x0435, 0x0415, 0x03B5, 0x0395 -> 'e';
      case 0x043E, 0x041E, 0x03BF, 0x039F -> 'o';
      case 0x0440, 0x0420, 0x03C1, 0x03A1 -> 'p';
      case 0x0441, 0x0421, 0x03F2 -> 'c';
      case 0x0443, 0x0423, 0x03C5 -> 'y';
      case 0x0445, 0x0425, 0x03C7, 0x03A7 -> 'x';
      case 0x0456, 0x0406, 0x03B9, 0x0399 -> 'i';
      case 0x0455, 0x0405 -> 's';
      case 0x0458, 0x0408 -> 'j';
      case 0x0501 -> 'd';
      case 0x0261 -> 'g';
      case 0x043A, 0x041A, 0x03BA, 0x039A -> 'k';
      case 0x043C, 0x041C, 0x039C -> 'm';
      case 0x043D, 0x041D, 0x0397 -> 'h';
      case 0x0442, 0x0422, 0x03C4, 0x03A4 -> 't';
      case 0x0412, 0x0392, 0x03B2 -> 'b';
      case 0x03BD -> 'v';
      case 0x0396, 0x1D22 -> 'z';
      case 0x1D00 -> 'a';
      case 0x0299 -> 'b';
      case 0x1D04 -> 'c';
      case 0x1D05 -> 'd';
      case 0x1D07 -> 'e';
      case 0xA730 -> 'f';
      case 0x0262 -> 'g';
      case 0x029C -> 'h';
      case 0x026A -> 'i';
      case 0x1D0A -> 'j';
      case 0x1D0B -> 'k';
      case 0x029F -> 'l';
      case 0x1D0D -> 'm';
      case 0x0274 -> 'n';
      case 0x1D0F -> 'o';
      case 0x1D18 -> 'p';
      case 0x0280 -> 'r';
      case 0xA731 -> 's';
      case 0x1D1B -> 't';
      case 0x1D1C -> 'u';
      case 0x1D20 -> 'v';
      case 0x1D21 -> 'w';
      case 0x028F -> 'y';
      case 0x039D -> 'n';
      default -> 0;
    };
  }
}
