package dev.portcullis.pipeline;

/** Makes the response filter for one exchange; returns {@link ResponseFilter#PASS_THROUGH} when it has nothing to do. */
@FunctionalInterface
public interface ResponseFilterFactory {

  ResponseFilter create(Exchange exchange);
}
