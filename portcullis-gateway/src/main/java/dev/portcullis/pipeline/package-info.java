/**
 * The request path as an ordered list of {@link dev.portcullis.pipeline.Stage}s, each returning a
 * {@link dev.portcullis.pipeline.Decision}, and the response side's {@link dev.portcullis.pipeline.ResponseFilter}
 * contract for whole and streamed responses.
 */
package dev.portcullis.pipeline;
