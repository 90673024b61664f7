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
 * Weights are stored gzip-compressed as (magic, bits, bias, count, then index/weight pairs of non-zero weights).
 */
final class LogisticModel {
  private static final int MAGIC = 0x50434A31; // "PCJ1"

  final int bits;
  final float[] w;
  float bias;

  LogisticModel(int bits) {
    if (bits < 10 || bits > 24) {
      throw new IllegalArgumentException("bits must be in 10..24, was " + bits);
    }
    this.bits = bits;
    this.w = new float[1 << bits];
  }

  double probability(String text, Map<AttackFamily, Integer> ruleHits) {
    double[] acc = {0};
    Features.visit(text, ruleHits, bits, (i, v) -> acc[0] += w[i] * v);
    double z = bias + acc[0] / Math.sqrt(Math.max(1, Features.count(text)));
    return 1 / (1 + Math.exp(-z));
  }

  void write(OutputStream out) throws IOException {
    try (DataOutputStream d = new DataOutputStream(new GZIPOutputStream(out))) {
      d.writeInt(MAGIC);
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
      if (d.readInt() != MAGIC) {
        throw new IOException("not a Portcullis injection model");
      }
      LogisticModel m = new LogisticModel(d.readInt());
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
