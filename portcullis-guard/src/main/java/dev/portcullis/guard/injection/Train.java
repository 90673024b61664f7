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
  private static final int EPOCHS = 12;
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
    Files.createDirectories(out.toAbsolutePath().getParent());
    try (OutputStream o = Files.newOutputStream(out)) {
      model.write(o);
    }
    System.out.printf("trained on %d of %d prompts (held out %d); wrote %s%n", train.size(), all.size(),
        all.size() - train.size(), out);
  }

  record Example(int[] idx, float[] val, boolean attack) {}

  static LogisticModel train(List<LabelledPrompt> rows) {
    InjectionRules rules = new InjectionRules();
    List<Example> ex = new ArrayList<>(rows.size());
    int pos = 0;
    for (LabelledPrompt p : rows) {
      Normalised n = Normalised.of(p.text());
      Map<AttackFamily, Integer> hits = rules.score(p.text(), n).hits();
      List<int[]> pairs = new ArrayList<>();
      List<Float> vals = new ArrayList<>();
      Features.visit(n.text(), hits, BITS, (i, v) -> {
        pairs.add(new int[] {i});
        vals.add(v);
      });
      float norm = (float) (1 / Math.sqrt(Math.max(1, Features.count(n.text()))));
      int[] idx = new int[pairs.size()];
      float[] val = new float[pairs.size()];
      for (int k = 0; k < idx.length; k++) {
        idx[k] = pairs.get(k)[0];
        val[k] = vals.get(k) * norm;
      }
      ex.add(new Example(idx, val, p.attack()));
      if (p.attack()) {
        pos++;
      }
    }
    int neg = ex.size() - pos;
    double posWeight = pos == 0 ? 1 : (double) neg / pos;
    LogisticModel m = new LogisticModel(BITS);
    float[] g2 = new float[m.w.length];
    double biasG2 = 0;
    Random rnd = new Random(SEED);
    int[] order = new int[ex.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
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
        double g = (p - (e.attack ? 1 : 0)) * (e.attack ? posWeight : 1);
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
