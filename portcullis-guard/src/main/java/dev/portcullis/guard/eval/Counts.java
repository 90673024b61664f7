package dev.portcullis.guard.eval;

/** Confusion counts for one label, with the usual ratios (0 when undefined). */
public record Counts(long tp, long fp, long fn, long tn) {
  public static final Counts ZERO = new Counts(0, 0, 0, 0);

  public Counts add(boolean expected, boolean predicted) {
    if (expected) {
      return predicted ? new Counts(tp + 1, fp, fn, tn) : new Counts(tp, fp, fn + 1, tn);
    }
    return predicted ? new Counts(tp, fp + 1, fn, tn) : new Counts(tp, fp, fn, tn + 1);
  }

  public long total() {
    return tp + fp + fn + tn;
  }

  public double precision() {
    return tp + fp == 0 ? 0 : (double) tp / (tp + fp);
  }

  public double recall() {
    return tp + fn == 0 ? 0 : (double) tp / (tp + fn);
  }

  public double f1() {
    double p = precision();
    double r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /** False-positive rate: benign cases flagged. */
  public double fpr() {
    return fp + tn == 0 ? 0 : (double) fp / (fp + tn);
  }
}
