package dev.portcullis.guard.text;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Aho-Corasick automaton over ASCII literals, compiled to a dense transition table (128 columns per state).
 * One {@link #step} per input character finds every literal ending at that character. Characters are mapped
 * through a fold table first (e.g. lower-casing), so matching is case-insensitive when the table says so; any
 * non-ASCII character returns to the root state. Immutable and thread-safe.
 */
public final class LiteralAutomaton {
  private final int[] next;
  /**
   * Transitions encoded as (target << 1) | (target has outputs ? 1 : 0), for hot loops; 16-bit so the table stays
   * small in cache (automata here have a few hundred states; larger ones fall back to {@link #next}).
   */
  private final char[] encoded;
  private final int[] depth;
  private final int[][] outputs;
  private final int[] patternLength;
  private final char[] fold;

  private LiteralAutomaton(int[] next, int[] depth, int[][] outputs, int[] patternLength, char[] fold) {
    this.next = next;
    this.depth = depth;
    this.outputs = outputs;
    boolean small = depth.length < 32768;
    this.encoded = small ? new char[next.length] : null;
    if (small) {
      for (int k = 0; k < next.length; k++) {
        encoded[k] = (char) ((next[k] << 1) | (outputs[next[k]] != null ? 1 : 0));
      }
    }
    this.patternLength = patternLength;
    this.fold = fold;
  }

  /** Fold table that lower-cases ASCII letters and keeps every other ASCII character. */
  public static char[] lowerCaseFold() {
    char[] f = new char[128];
    for (char c = 0; c < 128; c++) {
      f[c] = (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
    }
    return f;
  }

  /**
   * Compiles the literals; pattern ids are their indexes in {@code patterns}. Literals must be non-empty ASCII.
   * They are folded with {@code fold} before insertion.
   */
  public static LiteralAutomaton compile(List<String> patterns, char[] fold) {
    Objects.requireNonNull(patterns, "patterns");
    if (fold.length != 128) {
      throw new IllegalArgumentException("fold table must have 128 entries, has " + fold.length);
    }
    List<int[]> trie = new ArrayList<>();
    List<Integer> depths = new ArrayList<>();
    List<List<Integer>> outs = new ArrayList<>();
    trie.add(newRow());
    depths.add(0);
    outs.add(new ArrayList<>());
    int[] lengths = new int[patterns.size()];
    for (int p = 0; p < patterns.size(); p++) {
      String s = patterns.get(p);
      if (s == null || s.isEmpty()) {
        throw new IllegalArgumentException("pattern " + p + " is empty");
      }
      lengths[p] = s.length();
      int state = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c >= 128) {
          throw new IllegalArgumentException("pattern " + p + " has a non-ASCII character");
        }
        int col = fold[c];
        int to = trie.get(state)[col];
        if (to < 0) {
          to = trie.size();
          trie.add(newRow());
          depths.add(depths.get(state) + 1);
          outs.add(new ArrayList<>());
          trie.get(state)[col] = to;
        }
        state = to;
      }
      outs.get(state).add(p);
    }
    int n = trie.size();
    int[] failure = new int[n];
    int[] table = new int[n * 128];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int c = 0; c < 128; c++) {
      int to = trie.get(0)[c];
      if (to < 0) {
        table[c] = 0;
      } else {
        table[c] = to;
        failure[to] = 0;
        queue.add(to);
      }
    }
    while (!queue.isEmpty()) {
      int s = queue.poll();
      outs.get(s).addAll(outs.get(failure[s]));
      for (int c = 0; c < 128; c++) {
        int to = trie.get(s)[c];
        if (to < 0) {
          table[s * 128 + c] = table[failure[s] * 128 + c];
        } else {
          table[s * 128 + c] = to;
          failure[to] = table[failure[s] * 128 + c];
          queue.add(to);
        }
      }
    }
    int[][] outputs = new int[n][];
    int[] depth = new int[n];
    for (int s = 0; s < n; s++) {
      List<Integer> o = outs.get(s);
      outputs[s] = o.isEmpty() ? null : o.stream().mapToInt(Integer::intValue).distinct().toArray();
      depth[s] = depths.get(s);
    }
    return new LiteralAutomaton(table, depth, outputs, lengths, fold.clone());
  }

  private static int[] newRow() {
    int[] row = new int[128];
    Arrays.fill(row, -1);
    return row;
  }

  /** The state after reading {@code c} in {@code state}; the root state is 0. */
  public int step(int state, char c) {
    return c < 128 ? next[(state << 7) | fold[c]] : 0;
  }

  /**
   * {@link #step} for hot loops: returns {@code (next << 1) | hasOutputs}; the next state is the result shifted
   * right by one, and the low bit says whether {@link #outputs} of it is non-null.
   */
  public int stepEncoded(int state, char c) {
    if (c >= 128) {
      return 0;
    }
    if (encoded != null) {
      return encoded[(state << 7) | fold[c]];
    }
    int to = next[(state << 7) | fold[c]];
    return (to << 1) | (outputs[to] != null ? 1 : 0);
  }

  /** Ids of the literals that end in {@code state}, or null when none does. */
  public int[] outputs(int state) {
    return outputs[state];
  }

  /** Length of the longest literal prefix that {@code state} stands for: how far back a pending match may start. */
  public int depth(int state) {
    return depth[state];
  }

  /** Length of literal {@code id}. */
  public int length(int id) {
    return patternLength[id];
  }

  /** Every match in {@code text} as (id, end-exclusive) pairs, in order of end position. */
  public List<int[]> findAll(CharSequence text) {
    List<int[]> found = new ArrayList<>();
    int s = 0;
    for (int i = 0; i < text.length(); i++) {
      s = step(s, text.charAt(i));
      int[] o = outputs[s];
      if (o != null) {
        for (int id : o) {
          found.add(new int[] {id, i + 1});
        }
      }
    }
    return found;
  }
}
