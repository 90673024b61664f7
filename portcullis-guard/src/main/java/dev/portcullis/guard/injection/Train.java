package dev.portcullis.guard.injection;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains the injection classifier on the training split of the labelled prompts and writes the weights.
 * Reproducible (fixed seed, deterministic split, single thread):
 * <pre>./mvnw -B -q -pl portcullis-guard compile exec:java</pre>
 * (the module's exec configuration passes {@code data/injection-dev.jsonl} and the resource path).
 */
public final class Train {
  static final int BITS = 18;
  private static final int EPOCHS = 8;
  private static final double LEARNING_RATE = 0.4;
  private static final double L2 = 1e-7;
  private static final long SEED = 20261122L;

  private Train() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: Train <injection.jsonl> <model-out>");
      System.exit(2);
    }
    List<LabelledPrompt> all = LabelledPrompt.read(Path.of(args[0]));
    List<LabelledPrompt> train = new ArrayList<>();
    for (LabelledPrompt p : all) {
      if (!Split.heldOut(p.text())) {
        train.add(p);
      }
    }
    LogisticModel model = train(train);
    Path out = Path.of(args[1]);
    Path dir = out.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    try (OutputStream o = Files.newOutputStream(out)) {
      model.write(o);
    }
    System.out.printf("trained on %d of %d prompts (held out %d); wrote %s%n", train.size(), all.size(),
        all.size() - train.size(), out);
  }

  record Example(int[] idx, float[] val, boolean attack, double weight) {}

  /**
   * Training settings. {@code charGrams}: character n-gram sizes (bit k = k-grams); {@code subsetBalance}: 0 weighs
   * every prompt alike, 1 gives every (subset, label) group the same total weight within its label, 0.5 weighs a
   * prompt by 1/sqrt(size of its group) (small benign sources such as "act as" prompts are not drowned by large ones);
   * {@code minFeatures}: a prompt with fewer features is normalised as if it had this many, so a two-word prompt
   * carries less evidence than a paragraph.
   */
  record Config(int epochs, int charGrams, double subsetBalance, int minFeatures) {
    /** Chosen on the validation part of the training rows (see InjectionTuning in the tests), never on held-out rows. */
    static final Config DEFAULT = new Config(EPOCHS, CHAR_3_4_5, 0.5, 64);
  }

  static final int CHAR_3_4_5 = (1 << 3) | (1 << 4) | (1 << 5);

  static LogisticModel train(List<LabelledPrompt> rows) {
    return train(rows, Config.DEFAULT);
  }

  static LogisticModel train(List<LabelledPrompt> rows, Config config) {
    InjectionRules rules = new InjectionRules();
    List<Example> ex = new ArrayList<>(rows.size());
    Map<String, Integer> groupSize = new java.util.HashMap<>();
    for (LabelledPrompt p : rows) {
      groupSize.merge(p.subset() + (p.attack() ? "+" : "-"), 1, Integer::sum);
    }
    double[] labelSum = new double[2];
    double[] rawSum = new double[2];
    for (LabelledPrompt p : rows) {
      double raw = Math.pow(groupSize.get(p.subset() + (p.attack() ? "+" : "-")), -config.subsetBalance());
      rawSum[p.attack() ? 1 : 0] += raw;
      labelSum[p.attack() ? 1 : 0] += 1;
    }
    LogisticModel m = new LogisticModel(BITS, config.charGrams(), config.minFeatures());
    int pos = 0;
    for (LabelledPrompt p : rows) {
      Normalised n = Normalised.of(p.text());
      Map<AttackFamily, Integer> hits = rules.score(p.text(), n).hits();
      List<int[]> pairs = new ArrayList<>();
      List<Float> vals = new ArrayList<>();
      Features.visit(n.text(), hits, BITS, config.charGrams(), (i, v) -> {
        pairs.add(new int[] {i});
        vals.add(v);
      });
      int l = p.attack() ? 1 : 0;
      double weight = Math.pow(groupSize.get(p.subset() + (p.attack() ? "+" : "-")), -config.subsetBalance())
          * labelSum[l] / rawSum[l];
      float norm = (float) m.norm(n.text());
      int[] idx = new int[pairs.size()];
      float[] val = new float[pairs.size()];
      for (int k = 0; k < idx.length; k++) {
        idx[k] = pairs.get(k)[0];
        val[k] = vals.get(k) * norm;
      }
      ex.add(new Example(idx, val, p.attack(), weight));
      if (p.attack()) {
        pos++;
      }
    }
    int neg = ex.size() - pos;
    double posWeight = pos == 0 ? 1 : (double) neg / pos;
    float[] g2 = new float[m.w.length];
    double biasG2 = 0;
    Random rnd = new Random(SEED);
    int[] order = new int[ex.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int k : order) {
        Example e = ex.get(k);
        double z = m.bias;
        for (int q = 0; q < e.idx.length; q++) {
          z += m.w[e.idx[q]] * e.val[q];
        }
        double p = 1 / (1 + Math.exp(-z));
        double g = (p - (e.attack ? 1 : 0)) * (e.attack ? posWeight : 1) * e.weight;
        for (int q = 0; q < e.idx.length; q++) {
          int i = e.idx[q];
          double gi = g * e.val[q] + L2 * m.w[i];
          g2[i] += (float) (gi * gi);
          m.w[i] -= (float) (LEARNING_RATE * gi / (Math.sqrt(g2[i]) + 1e-8));
        }
        biasG2 += g * g;
        m.bias -= (float) (LEARNING_RATE * g / (Math.sqrt(biasG2) + 1e-8));
      }
    }
    return m;
  }
}
