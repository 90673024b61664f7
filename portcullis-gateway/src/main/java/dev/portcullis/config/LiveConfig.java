package dev.portcullis.config;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The current configuration snapshot and its source file. {@link #reload()} loads and validates the file and swaps
 * the snapshot atomically; a file that fails validation leaves the current snapshot in place.
 */
public final class LiveConfig {

  /** What a reload did. */
  public sealed interface ReloadResult {
    /** The new snapshot is in effect. {@code restartNeeded} lists sections that only a restart applies. */
    record Applied(GatewayConfig config, List<String> restartNeeded) implements ReloadResult {}

    /** The file is valid and means the same as the current snapshot. */
    record Unchanged() implements ReloadResult {}

    /** The file is invalid; the old snapshot stays. */
    record Rejected(List<String> problems) implements ReloadResult {}
  }

  private final Path file;
  private final List<ConfigSection<?>> sections;
  private final Integer portOverride;
  private final Integer adminPortOverride;
  private final AtomicReference<GatewayConfig> current;
  /** Serialises reloads; private, so no caller can hold it. */
  private final Object lock = new Object();

  private LiveConfig(Path file, List<ConfigSection<?>> sections, Integer portOverride, Integer adminPortOverride,
      GatewayConfig initial) {
    this.file = file;
    this.sections = List.copyOf(sections);
    this.portOverride = portOverride;
    this.adminPortOverride = adminPortOverride;
    this.current = new AtomicReference<>(initial);
  }

  /** Loads the file once; command-line port overrides apply to this and every later snapshot. */
  public static LiveConfig load(Path file, Integer port, Integer adminPort) throws ConfigException {
    return load(file, List.of(), port, adminPort);
  }

  /** Loads the file once with feature sections; they are validated again on every reload. */
  public static LiveConfig load(Path file, List<ConfigSection<?>> sections, Integer port, Integer adminPort)
      throws ConfigException {
    return new LiveConfig(file, sections, port, adminPort,
        ConfigLoader.load(file, sections).withPorts(port, adminPort));
  }

  /** A fixed snapshot with no file behind it (demo mode, tests); {@link #reload()} keeps it. */
  public static LiveConfig fixed(GatewayConfig config) {
    return new LiveConfig(null, List.of(), null, null, config);
  }

  public GatewayConfig current() {
    return current.get();
  }

  public Path file() {
    return file;
  }

  /** Re-reads the file. Thread-safe; concurrent reloads run one after the other. */
  public ReloadResult reload() {
    synchronized (lock) {
      if (file == null) {
        return new ReloadResult.Unchanged();
      }
      GatewayConfig next;
      try {
        next = ConfigLoader.load(file, sections).withPorts(portOverride, adminPortOverride);
      } catch (ConfigException e) {
        return new ReloadResult.Rejected(e.problems());
      }
      GatewayConfig previous = current.get();
      if (next.equals(previous)) {
        return new ReloadResult.Unchanged();
      }
      List<String> restart = new java.util.ArrayList<>();
      if (!next.server().equals(previous.server())) {
        restart.add("server");
      }
      if (!next.admin().equals(previous.admin())) {
        restart.add("admin");
      }
      for (ConfigSection<?> section : sections) {
        if (!section.reloadable()
            && !java.util.Objects.equals(next.features().get(section.key()), previous.features().get(section.key()))) {
          restart.add(section.key());
        }
      }
      current.set(next);
      return new ReloadResult.Applied(next, List.copyOf(restart));
    }
  }
}
