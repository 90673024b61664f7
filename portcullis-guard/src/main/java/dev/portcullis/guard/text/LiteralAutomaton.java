package dev.portcullis.guard.text;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Aho-Corasick automaton over ASCII literals, compiled to a transition table with one column per character class:
 * characters are mapped through a fold table (e.g. lower-casing) and then to the classes that occur in some
 * literal; every other character shares one class. One {@link #step} per input character finds every literal ending
 * at that character; any non-ASCII character returns to the root state. Compiled from a linked trie, so compiling
 * needs little more memory than the table. Immutable and thread-safe.
 */
public final class LiteralAutomaton {
  private final int[] next;
  /**
   * Transitions encoded as (target << 1) | (target has outputs ? 1 : 0), for hot loops; 16-bit so the table stays
   * small in cache (automata of up to 32,767 states; larger ones use {@link #next}).
   */
  private final char[] encoded;
  private final int[] depth;
  private final int[][] outputs;
  private final int[] patternLength;
  /** ASCII character to column: fold, then character class. */
  private final char[] column;
  private final int columns;

  private LiteralAutomaton(int[] next, int columns, int[] depth, int[][] outputs, int[] patternLength,
      char[] column) {
    this.next = next;
    this.columns = columns;
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
    this.column = column;
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
    // character classes: 0 for characters in no literal, then one per folded character that occurs
    int[] classOfFolded = new int[128];
    int columns = 1;
    for (int p = 0; p < patterns.size(); p++) {
      String s = patterns.get(p);
      if (s == null || s.isEmpty()) {
        throw new IllegalArgumentException("pattern " + p + " is empty");
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c >= 128) {
          throw new IllegalArgumentException("pattern " + p + " has a non-ASCII character");
        }
        if (classOfFolded[fold[c]] == 0) {
          classOfFolded[fold[c]] = columns++;
        }
      }
    }
    char[] column = new char[128];
    for (int c = 0; c < 128; c++) {
      column[c] = (char) classOfFolded[fold[c]];
    }
    // linked trie: each state's children form a list through sibling
    IntList firstChild = new IntList();
    IntList sibling = new IntList();
    IntList label = new IntList();
    IntList depths = new IntList();
    List<int[]> own = new ArrayList<>();
    firstChild.add(-1);
    sibling.add(-1);
    label.add(0);
    depths.add(0);
    own.add(null);
    int[] lengths = new int[patterns.size()];
    for (int p = 0; p < patterns.size(); p++) {
      String s = patterns.get(p);
      lengths[p] = s.length();
      int state = 0;
      for (int i = 0; i < s.length(); i++) {
        int col = column[s.charAt(i)];
        int child = firstChild.get(state);
        while (child >= 0 && label.get(child) != col) {
          child = sibling.get(child);
        }
        if (child < 0) {
          child = firstChild.size();
          firstChild.add(-1);
          sibling.add(firstChild.get(state));
          label.add(col);
          depths.add(depths.get(state) + 1);
          own.add(null);
          firstChild.set(state, child);
        }
        state = child;
      }
      int[] o = own.get(state);
      own.set(state, o == null ? new int[] {p} : append(o, p));
    }
    int n = firstChild.size();
    // breadth-first: a state's failure state is shallower, so its row and outputs are complete before it is read
    int[] table = new int[n * columns];
    int[] failure = new int[n];
    int[][] outputs = new int[n][];
    outputs[0] = own.get(0);
    int[] queue = new int[n];
    int head = 0;
    int tail = 0;
    queue[tail++] = 0;
    while (head < tail) {
      int s = queue[head++];
      int row = s * columns;
      if (s != 0) {
        System.arraycopy(table, failure[s] * columns, table, row, columns);
      }
      for (int child = firstChild.get(s); child >= 0; child = sibling.get(child)) {
        int col = label.get(child);
        failure[child] = s == 0 ? 0 : table[failure[s] * columns + col];
        table[row + col] = child;
        int[] inherited = outputs[failure[child]];
        int[] mine = own.get(child);
        outputs[child] = mine == null ? inherited : inherited == null ? mine : union(mine, inherited);
        queue[tail++] = child;
      }
    }
    int[] depth = new int[n];
    for (int s = 0; s < n; s++) {
      depth[s] = depths.get(s);
    }
    return new LiteralAutomaton(table, columns, depth, outputs, lengths, column);
  }

  private static int[] append(int[] a, int v) {
    int[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = v;
    return out;
  }

  private static int[] union(int[] a, int[] b) {
    return java.util.stream.IntStream.concat(Arrays.stream(a), Arrays.stream(b)).distinct().toArray();
  }

  /** A growable list of ints without boxing, for compiling large literal sets. */
  private static final class IntList {
    private int[] values = new int[1024];
    private int size;

    void add(int v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    int get(int i) {
      return values[i];
    }

    void set(int i, int v) {
      values[i] = v;
    }

    int size() {
      return size;
    }
  }

  /** The state after reading {@code c} in {@code state}; the root state is 0. */
  public int step(int state, char c) {
    return c < 128 ? next[state * columns + column[c]] : 0;
  }

  /**
   * {@link #step} for hot loops: returns {@code (next << 1) | hasOutputs}; the next state is the result shifted
   * right by one, and the low bit says whether {@link #outputs} of it is non-null.
   */
  public int stepEncoded(int state, char c) {
    if (c >= 128) {
      return 0;
    }
    int k = state * columns + column[c];
    if (encoded != null) {
      return encoded[k];
    }
    int to = next[k];
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
