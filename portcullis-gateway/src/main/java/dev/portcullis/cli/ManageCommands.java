package dev.portcullis.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis plans|tenants|principals|keys …}: manage a running gateway through its admin API. Exit codes: 0
 * done, 1 the gateway refused or could not be reached (the message says why), 2 bad command-line input.
 */
final class ManageCommands {

  private ManageCommands() {}

  /** Common plumbing: admin client, output, and failure handling. */
  abstract static class AdminCommand implements Callable<Integer> {
    @Mixin
    AdminClient admin;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
      try {
        run(spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return 0;
      } catch (AdminClient.Failure e) {
        spec.commandLine().getErr().println("portcullis: " + e.getMessage());
        spec.commandLine().getErr().flush();
        return 1;
      }
    }

    abstract void run(PrintWriter out) throws AdminClient.Failure;
  }

  @Command(name = "plans", mixinStandardHelpOptions = true, description = "Manage plans.",
      subcommands = {PlanCreate.class, PlanList.class})
  static final class Plans {}

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a plan.")
  static final class PlanCreate extends AdminCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--description", defaultValue = "")
    String description;

    @Override
    void run(PrintWriter out) throws AdminClient.Failure {
      admin.post("/admin/v1/plans", AdminClient.object().put("name", name).put("description", description));
      out.println("created plan " + name);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List plans.")
  static final class PlanList extends AdminCommand {
    @Override
    void run(PrintWriter out) throws AdminClient.Failure {
      for (JsonNode p : admin.get("/admin/v1/plans").path("data")) {
        out.println(p.path("name").asText() + "\t" + p.path("description").asText());
      }
    }
  }

  @Command(name = "tenants", mixinStandardHelpOptions = true, description = "Manage tenants.",
      subcommands = {TenantCreate.class, TenantList.class})
  static final class Tenants {}

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant.")
  static final class TenantCreate extends AdminCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--plan", required = true)
    String plan;

    @Option(names = "--name", description = "Display name (default: the id).")
    String name;

    @Override
    void run(PrintWriter out) throws AdminClient.Failure {
      ObjectNode body = AdminClient.object().put("id", id).put("plan", plan);
      if (name != null) {
        body.put("display_name", name);
      }
      admin.post("/admin/v1/tenants", body);
      out.println("created tenant " + id + " on plan " + plan);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List tenants.")
  static final class TenantList extends AdminCommand {
    @Override
    void run(PrintWriter out) throws AdminClient.Failure {
      for (JsonNode t : admin.get("/admin/v1/tenants").path("data")) {
        out.println(t.path("id").asText() + "\t" + t.path("plan").asText() + "\t" + t.path("display_name").asText());
      }
    }
  }

  @Command(name = "principals", mixinStandardHelpOptions = true, description = "Manage applications and users.",
      subcommands = {PrincipalCreate.class, PrincipalList.class})
  static final class Principals {}

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Register an application or user.")
  static final class PrincipalCreate extends AdminCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--tenant", required = true)
    String tenant;

    @Option(names = "--kind", defaultValue = "application", description = "application or user (default: "
        + "${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--plan", description = "Overrides the tenant's plan.")
    String plan;

    @Override
    void run(PrintWriter out) throws AdminClient.Failure {
      ObjectNode body = AdminClient.object().put("id", id).put("kind", kind);
      if (plan != null) {
        body.put("plan", plan);
      }
      admin.post("/admin/v1/tenants/" + tenant + "/principals", body);
      out.println("created " + kind + " " + id + " in tenant " + tenant);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List a tenant's principals.")
  static final class PrincipalList extends AdminCommand {
    @Option(names = "--tenant", required = true)
    String tenant;

    @Override
    void run(PrintWriter out) throws AdminClient.Failure {
      for (JsonNode p : admin.get("/admin/v1/tenants/" + tenant + "/principals").path("data")) {
        out.println(p.path("id").asText() + "\t" + p.path("kind").asText() + "\t" + p.path("plan").asText(""));
      }
    }
  }

  @Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage API keys.",
      subcommands = {KeyCreate.class, KeyList.class, KeyRotate.class, KeyRevoke.class})
  static final class Keys {}

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create an API key; the key is printed once. Creates the principal when it does not exist.")
  static final class KeyCreate extends AdminCommand {
    @Option(names = "--tenant", required = true)
    String tenant;

    @Option(names = "--principal", defaultValue = "default", description = "Application the key belongs to "
        + "(default: ${DEFAULT-VALUE}).")
    String principal;

    @Option(names = "--plan", description = "Plan of the principal, when this command creates it.")
    String plan;

    @Option(names = "--key-plan", description = "Plan of this key alone, instead of its principal's or tenant's.")
    String keyPlan;

    @Option(names = "--env", defaultValue = "live", description = "Key environment, e.g. live or test (default: "
        + "${DEFAULT-VALUE}).")
    String environment;

    @Option(names = "--scope", description = "Scope granted (repeatable).")
    List<String> scopes = List.of();

    @Option(names = "--cidr", description = "Network the key may be used from (repeatable).")
    List<String> cidrs = List.of();

    @Option(names = "--expires-in-days", description = "Expiry, in days from now.")
    Integer expiresInDays;

    @Override
    void run(PrintWriter out) throws AdminClient.Failure {
      boolean exists = false;
      for (JsonNode p : admin.get("/admin/v1/tenants/" + tenant + "/principals").path("data")) {
        exists |= p.path("id").asText().equals(principal);
      }
      if (!exists) {
        ObjectNode p = AdminClient.object().put("id", principal).put("kind", "application");
        if (plan != null) {
          p.put("plan", plan);
        }
        admin.post("/admin/v1/tenants/" + tenant + "/principals", p);
      }
      ObjectNode body = AdminClient.object().put("principal", principal).put("environment", environment);
      if (keyPlan != null) {
        body.put("plan", keyPlan);
      }
      scopes.forEach(body.putArray("scopes")::add);
      cidrs.forEach(body.putArray("allowed_cidrs")::add);
      if (expiresInDays != null) {
        body.put("expires_in_days", expiresInDays);
      }
      JsonNode key = admin.post("/admin/v1/tenants/" + tenant + "/keys", body);
      out.println(key.path("key").asText());
      spec.commandLine().getErr().println("created key " + key.path("id").asText() + " for " + tenant + "/"
          + principal + "; store it now: it is shown only once");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List a tenant's keys (never secrets).")
  static final class KeyList extends AdminCommand {
    @Option(names = "--tenant", required = true)
    String tenant;

    @Override
    void run(PrintWriter out) throws AdminClient.Failure {
      out.println("ID\tPRINCIPAL\tENV\tHINT\tSTATE\tLAST USED");
      for (JsonNode k : admin.get("/admin/v1/tenants/" + tenant + "/keys").path("data")) {
        String state = !k.path("revoked_at").isNull() ? "revoked"
            : !k.path("replaced_by").isNull() ? "rotated" : "active";
        out.println(String.join("\t", k.path("id").asText(), k.path("principal").asText(),
            k.path("environment").asText(), "…" + k.path("hint").asText(), state,
            k.path("last_used_at").isNull() ? "-" : k.path("last_used_at").asText()));
      }
    }
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Replace a key; the old one keeps working for the grace period. Prints the new key once.")
  static final class KeyRotate extends AdminCommand {
    @Parameters(index = "0", paramLabel = "KEY_ID")
    String id;

    @Option(names = "--tenant", required = true)
    String tenant;

    @Option(names = "--grace-seconds", defaultValue = "3600", description = "Default: ${DEFAULT-VALUE}.")
    long grace;

    @Override
    void run(PrintWriter out) throws AdminClient.Failure {
      JsonNode key = admin.post("/admin/v1/tenants/" + tenant + "/keys/" + id + "/rotate",
          AdminClient.object().put("grace_seconds", grace));
      out.println(key.path("key").asText());
      spec.commandLine().getErr().println("key " + id + " replaced by " + key.path("id").asText()
          + "; the old key works for " + grace + " s more");
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key at once.")
  static final class KeyRevoke extends AdminCommand {
    @Parameters(index = "0", paramLabel = "KEY_ID")
    String id;

    @Option(names = "--tenant", required = true)
    String tenant;

    @Override
    void run(PrintWriter out) throws AdminClient.Failure {
      admin.post("/admin/v1/tenants/" + tenant + "/keys/" + id + "/revoke", null);
      out.println("revoked key " + id);
    }
  }
}
