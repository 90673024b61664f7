package dev.portcullis.pipeline;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/** Runs filters in order: what one emits is what the next receives. The first {@code End} wins. */
final class ChainedResponseFilter implements ResponseFilter {

  private final List<ResponseFilter> filters;

  ChainedResponseFilter(List<ResponseFilter> filters) {
    this.filters = List.copyOf(filters);
  }

  @Override
  public Result onEvent(SseEvent event) {
    return events(0, List.of(event.raw()), true);
  }

  @Override
  public Result onBody(Buffer body) {
    Buffer current = body;
    boolean changed = false;
    for (ResponseFilter filter : filters) {
      Result r = filter.onBody(current);
      switch (r) {
        case Result.Pass p -> { }
        case Result.End end -> {
          return end;
        }
        case Result.Emit emit -> {
          Buffer joined = Buffer.buffer();
          emit.parts().forEach(joined::appendBuffer);
          current = joined;
          changed = true;
        }
      }
    }
    return changed ? new Result.Emit(List.of(current)) : Result.PASS;
  }

  @Override
  public Result finish() {
    List<Buffer> out = new ArrayList<>();
    boolean changed = false;
    for (int i = 0; i < filters.size(); i++) {
      // what filter i still held goes through the filters after it, then they finish too
      Result r = filters.get(i).finish();
      switch (r) {
        case Result.Pass p -> { }
        case Result.End end -> {
          return end;
        }
        case Result.Emit emit -> {
          Result rest = events(i + 1, emit.parts(), false);
          if (rest instanceof Result.End end) {
            return end;
          }
          out.addAll(((Result.Emit) rest).parts());
          changed = true;
        }
      }
    }
    return changed ? new Result.Emit(out) : Result.PASS;
  }

  /** Passes events through filters [from, end); returns Emit, or End; PASS only when unchanged and allowed. */
  private Result events(int from, List<Buffer> events, boolean passIfUnchanged) {
    List<Buffer> current = events;
    boolean changed = !passIfUnchanged;
    for (int i = from; i < filters.size(); i++) {
      List<Buffer> next = new ArrayList<>(current.size());
      for (Buffer raw : current) {
        Result r = filters.get(i).onEvent(new SseEvent(raw));
        switch (r) {
          case Result.Pass p -> next.add(raw);
          case Result.End end -> {
            return end;
          }
          case Result.Emit emit -> {
            next.addAll(emit.parts());
            changed = true;
          }
        }
      }
      current = next;
    }
    return changed ? new Result.Emit(current) : Result.PASS;
  }
}
