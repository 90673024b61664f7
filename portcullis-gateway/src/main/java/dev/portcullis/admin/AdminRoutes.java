package dev.portcullis.admin;

import io.vertx.ext.web.Router;

/**
 * A feature's admin endpoints. {@link #mount} adds routes under {@code /admin/v1/}; every route below that prefix
 * has already been authenticated ({@link AdminAccess#callerOf}), and handlers check roles with
 * {@link AdminAccess#mayRead}, {@link AdminAccess#mayWrite} and friends before acting. Blocking work (a database)
 * goes to {@code executeBlocking}.
 */
@FunctionalInterface
public interface AdminRoutes {

  void mount(Router router);
}
