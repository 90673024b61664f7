package dev.portcullis.guard.injection;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Logistic regression over {@link Features}: p = sigmoid(bias + sum(w[i] * x[i]) / sqrt(#features)).
 * Weights are stored gzip-compressed as (magic, [n-gram sizes, minimum feature count,] bits, bias, count, then
 * index/weight pairs of non-zero weights).
 */
final class LogisticModel {
  private static final int MAGIC = 0x50434A31; // "PCJ1": character 4-grams
  private static final int MAGIC2 = 0x50434A32; // "PCJ2": character n-gram sizes stored after the magic

  final int bits;
  final int charGrams;
  /** Length normalisation floor: a prompt with fewer features is scaled as if it had this many (leans to the prior). */
  final int minFeatures;
  final float[] w;
  float bias;

  LogisticModel(int bits) {
    this(bits, Features.CHAR_4, 1);
  }

  LogisticModel(int bits, int charGrams, int minFeatures) {
    if (minFeatures < 1 || minFeatures > 4096) {
      throw new IllegalArgumentException("minFeatures must be in 1..4096, was " + minFeatures);
    }
    this.minFeatures = minFeatures;
    if ((charGrams & ~0b1111100) != 0 || charGrams == 0) {
      throw new IllegalArgumentException("character n-gram sizes must be within 2..6, was bit set " + charGrams);
    }
    this.charGrams = charGrams;
    if (bits < 10 || bits > 24) {
      throw new IllegalArgumentException("bits must be in 10..24, was " + bits);
    }
    this.bits = bits;
    this.w = new float[1 << bits];
  }

  double probability(String text, Map<AttackFamily, Integer> ruleHits) {
    double[] acc = {0};
    Features.visit(text, ruleHits, bits, charGrams, (i, v) -> acc[0] += w[i] * v);
    double z = bias + acc[0] * norm(text);
    return 1 / (1 + Math.exp(-z));
  }

  /** The factor every feature value is scaled by, in training and in scoring alike. */
  double norm(String text) {
    return 1 / Math.sqrt(Math.max(minFeatures, Features.count(text, charGrams)));
  }

  void write(OutputStream out) throws IOException {
    try (DataOutputStream d = new DataOutputStream(new GZIPOutputStream(out))) {
      if (charGrams == Features.CHAR_4 && minFeatures == 1) {
        d.writeInt(MAGIC);
      } else {
        d.writeInt(MAGIC2);
        d.writeInt(charGrams);
        d.writeInt(minFeatures);
      }
      d.writeInt(bits);
      d.writeFloat(bias);
      int nz = 0;
      for (float x : w) {
        if (x != 0) {
          nz++;
        }
      }
      d.writeInt(nz);
      for (int i = 0; i < w.length; i++) {
        if (w[i] != 0) {
          d.writeInt(i);
          d.writeFloat(w[i]);
        }
      }
    }
  }

  static LogisticModel read(InputStream in) throws IOException {
    try (DataInputStream d = new DataInputStream(new GZIPInputStream(in))) {
      int magic = d.readInt();
      if (magic != MAGIC && magic != MAGIC2) {
        throw new IOException("not a Portcullis injection model");
      }
      int grams = magic == MAGIC ? Features.CHAR_4 : d.readInt();
      int minFeatures = magic == MAGIC ? 1 : d.readInt();
      if ((grams & ~0b1111100) != 0 || grams == 0 || minFeatures < 1 || minFeatures > 4096) {
        throw new IOException("corrupt model: n-gram set " + grams + ", minimum features " + minFeatures);
      }
      LogisticModel m = new LogisticModel(d.readInt(), grams, minFeatures);
      m.bias = d.readFloat();
      int nz = d.readInt();
      if (nz < 0 || nz > m.w.length) {
        throw new IOException("corrupt model: " + nz + " weights");
      }
      for (int k = 0; k < nz; k++) {
        int i = d.readInt();
        if (i < 0 || i >= m.w.length) {
          throw new IOException("corrupt model: index " + i);
        }
        m.w[i] = d.readFloat();
      }
      return m;
    }
  }
}
