/**
 * Prompt-injection scoring: normalisation (NFKC, invisible characters, homoglyphs), rules per attack family, and a
 * logistic-regression classifier over hashed n-grams trained by {@link dev.portcullis.guard.injection.Train}.
 */
package dev.portcullis.guard.injection;
