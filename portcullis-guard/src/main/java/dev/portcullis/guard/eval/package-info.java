/** Evaluation harness: precision, recall and F1 of the detectors, and recall / false-positive rate of injection scoring. */
package dev.portcullis.guard.eval;
